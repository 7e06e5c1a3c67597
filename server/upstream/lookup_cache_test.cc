#include "server/upstream/lookup_cache.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "server/common/testing/fake_clock.h"
#include "server/common/testing/manual_scheduler.h"
#include "tests/testing/status_matchers.h"

namespace perch::upstream {
namespace {

using ::perch::testing::FakeClock;
using ::perch::testing::ManualScheduler;
using ::perch::testing::StatusIs;

// A lookup that answers inline with `answer` and counts its starts. (The
// dialect's tests, v2_dialect_test.cc, cover lookups answered later.)
struct InlineLookup {
  absl::StatusOr<std::string> answer;
  int starts = 0;

  LookupCache::Lookup Get() {
    return [this](absl::Time, LookupCache::Done done) {
      ++starts;
      std::move(done)(answer);
      return std::shared_ptr<ReadHandle>();
    };
  }
};

using Answer = std::optional<absl::StatusOr<std::string>>;

// Where a caller's answer lands.
LookupCache::Done Into(Answer* out) {
  return [out](absl::StatusOr<std::string> id) { *out = std::move(id); };
}

// The id answered, or what came instead.
std::string IdOf(const Answer& answer) {
  if (!answer.has_value()) return "(no answer)";
  if (!answer->ok()) return answer->status().ToString();
  return **answer;
}

class LookupCacheTest : public ::testing::Test {
 protected:
  absl::Time Deadline() { return clock_.Now() + absl::Seconds(5); }

  FakeClock clock_;
  ManualScheduler scheduler_{clock_};
  LookupCache cache_{clock_, scheduler_, absl::Minutes(10), 8};
};

TEST_F(LookupCacheTest, AHitIsAnsweredInlineWithoutALookupOrATimer) {
  InlineLookup lookup{"42"};
  Answer first;
  cache_.Find("perch_dev", Deadline(), lookup.Get(), Into(&first));
  EXPECT_EQ(IdOf(first), "42");

  Answer second;
  EXPECT_EQ(cache_.Find("perch_dev", Deadline(), lookup.Get(), Into(&second)),
            nullptr);
  EXPECT_EQ(IdOf(second), "42");
  EXPECT_EQ(lookup.starts, 1);
  EXPECT_EQ(scheduler_.pending(), 0);  // the first caller's timer cancelled

  clock_.Advance(absl::Minutes(10));  // the TTL: asked again
  Answer third;
  cache_.Find("perch_dev", Deadline(), lookup.Get(), Into(&third));
  EXPECT_EQ(IdOf(third), "42");
  EXPECT_EQ(lookup.starts, 2);
}

TEST_F(LookupCacheTest, AFailureAnsweredInlineReachesTheCallerAndIsNotKept) {
  InlineLookup lookup{absl::NotFoundError("no such user")};
  Answer first;
  cache_.Find("nobody", Deadline(), lookup.Get(), Into(&first));
  ASSERT_TRUE(first.has_value());
  EXPECT_THAT(*first, StatusIs(absl::StatusCode::kNotFound));

  lookup.answer = "7";
  Answer second;
  cache_.Find("nobody", Deadline(), lookup.Get(), Into(&second));
  EXPECT_EQ(IdOf(second), "7");
  EXPECT_EQ(lookup.starts, 2);
}

}  // namespace
}  // namespace perch::upstream
