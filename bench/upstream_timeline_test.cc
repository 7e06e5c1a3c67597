// The baselines must make the upstream requests perch makes: these tests run
// perch-server's own dialects (v1.1 and v2) on a fake reader and hold the
// URLs they send equal, byte for byte, to the ones upstream_timeline builds.
#include "bench/upstream_timeline.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/common/clock.h"
#include "server/common/testing/fake_clock.h"
#include "server/common/testing/manual_scheduler.h"
#include "server/upstream/testing/fake_upstream_reader.h"
#include "server/upstream/v1_dialect.h"
#include "server/upstream/v2_dialect.h"

namespace perch::bench {
namespace {

using ::perch::testing::FakeClock;
using ::perch::testing::ManualScheduler;
using ::perch::upstream::ReadDialect;
using ::perch::upstream::ReadHandle;
using ::perch::upstream::TimelineQuery;
using ::perch::upstream::TweetPage;
using ::perch::upstream::testing::FakeUpstreamReader;

constexpr char kBase[] = "http://127.0.0.1:8080";

TimelineQuery ByName(const std::string& screen_name, int page_size,
                     int64_t since_id) {
  TimelineQuery query;
  query.user.screen_name = screen_name;
  query.page_size = page_size;
  if (since_id > 0) query.since_id = absl::StrCat(since_id);
  return query;
}

// Runs perch's dialect for each query and keeps every URL it requested;
// `answer(i)` is the body of request i (nullopt: leave it pending).
class DialectUnderTest {
 public:
  // Built here: the scheduler, declared after the dialect so that it goes
  // first (MakeV2Dialect's contract), must exist before the dialect does.
  explicit DialectUnderTest(UpstreamApi api) {
    dialect_ =
        api == UpstreamApi::kV1_1
            ? upstream::MakeV1Dialect(reader_, kBase)
            : upstream::MakeV2Dialect(reader_, kBase, clock_, scheduler_);
  }
  // A read left pending holds its step and the step holds the read: cancel
  // each, as a deadline would, so nothing outlives the test (LeakSanitizer).
  ~DialectUnderTest() {
    for (auto& handle : handles_) {
      if (handle != nullptr) handle->Cancel();
    }
  }

  void Timeline(const TimelineQuery& query) {
    handles_.push_back(dialect_->Timeline(
        query, clock_.Now() + absl::Seconds(5),
        [this](absl::StatusOr<TweetPage> page) { answers_.push_back(page); }));
  }
  void Answer(size_t index, std::string body) {
    ASSERT_TRUE(reader_.Answer(index, FakeUpstreamReader::Ok(std::move(body))));
  }
  std::vector<std::string> urls() const {
    std::vector<std::string> out;
    for (const auto& r : reader_.requests()) out.push_back(r.url);
    return out;
  }
  const std::vector<absl::StatusOr<TweetPage>>& answers() const {
    return answers_;
  }

 private:
  FakeClock clock_;
  FakeUpstreamReader reader_;
  std::unique_ptr<ReadDialect> dialect_;
  ManualScheduler scheduler_{clock_};
  std::vector<std::shared_ptr<ReadHandle>> handles_;
  std::vector<absl::StatusOr<TweetPage>> answers_;
};

constexpr char kV2Tweets[] =
    R"({"data":[{"id":"1001","text":"one","author_id":"42"},)"
    R"({"id":"1000","text":"two","author_id":"42"}],)"
    R"("includes":{"users":[{"id":"42","name":"Perch","username":"perch_dev"}]},)"
    R"("meta":{"result_count":2,"newest_id":"1001","oldest_id":"1000"}})";

TEST(UpstreamTimelineTest, V1UrlIsTheOnePerchSends) {
  for (int64_t since_id : {int64_t{0}, int64_t{77}}) {
    DialectUnderTest perch(UpstreamApi::kV1_1);
    perch.Timeline(ByName("perch_dev", 20, since_id));
    const TimelineTarget target{UpstreamApi::kV1_1, "perch_dev", ""};
    ASSERT_EQ(perch.urls().size(), 1u);
    EXPECT_EQ(perch.urls()[0], TimelineUrl(kBase, target, 20, since_id));
  }
}

TEST(UpstreamTimelineTest, V2UrlsAreTheOnesPerchSendsAndTheLookupIsOnce) {
  DialectUnderTest perch(UpstreamApi::kV2);
  perch.Timeline(ByName("perch_dev", 20, 77));
  ASSERT_EQ(perch.urls().size(), 1u);
  EXPECT_EQ(perch.urls()[0],
            absl::StrCat(kBase, UserLookupPathAndQuery("perch_dev")));
  perch.Answer(
      0, R"({"data":{"id":"2244994945","name":"P","username":"perch_dev"}})");

  const TimelineTarget target{UpstreamApi::kV2, "perch_dev", "2244994945"};
  ASSERT_EQ(perch.urls().size(), 2u);
  EXPECT_EQ(perch.urls()[1], TimelineUrl(kBase, target, 20, 77));
  perch.Answer(1, kV2Tweets);

  // Steady state, the name cached: one request per call, the one
  // direct-curl makes.
  perch.Timeline(ByName("perch_dev", 20, 78));
  ASSERT_EQ(perch.urls().size(), 3u);
  EXPECT_EQ(perch.urls()[2], TimelineUrl(kBase, target, 20, 78));
  perch.Answer(2, kV2Tweets);
  ASSERT_EQ(perch.answers().size(), 2u);
  for (const auto& answer : perch.answers()) {
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->tweets.size(), 2u);
  }
}

TEST(UpstreamTimelineTest, V2AsksForTheEndpointMinimumBelowIt) {
  DialectUnderTest perch(UpstreamApi::kV2);
  perch.Timeline(ByName("perch_dev", 3, 0));
  perch.Answer(0, R"({"data":{"id":"9","name":"P","username":"perch_dev"}})");
  const TimelineTarget target{UpstreamApi::kV2, "perch_dev", "9"};
  ASSERT_EQ(perch.urls().size(), 2u);
  EXPECT_EQ(perch.urls()[1], TimelineUrl(kBase, target, 3, 0));
  EXPECT_NE(perch.urls()[1].find("max_results=5&"), std::string::npos);
}

TEST(UpstreamTimelineTest, TimelinePathNamesTheUserForFaults) {
  EXPECT_EQ(TimelinePath({UpstreamApi::kV2, "perch_dev", "9"}),
            "/2/users/9/tweets");
  EXPECT_EQ(TimelinePath({UpstreamApi::kV1_1, "perch_dev", ""}),
            "/1.1/statuses/user_timeline.json");
}

TEST(UpstreamTimelineTest, MapsBodiesAsPerchDoes) {
  auto v2 = MapTimelineBody(UpstreamApi::kV2, kV2Tweets);
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(*v2, 2);
  auto empty =
      MapTimelineBody(UpstreamApi::kV2, R"({"meta":{"result_count":0}})");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(*empty, 0);
  // Errors instead of data (a protected user): perch answers an error.
  EXPECT_FALSE(MapTimelineBody(UpstreamApi::kV2,
                               R"({"errors":[{"title":"Authorization Error",)"
                               R"("type":"https://api.twitter.com/2/problems/)"
                               R"(not-authorized-for-resource"}]})")
                   .ok());
  EXPECT_FALSE(
      MapTimelineBody(UpstreamApi::kV2, R"({"data":[{"text":"no id"}]})").ok());

  auto v1 = MapTimelineBody(
      UpstreamApi::kV1_1,
      R"([{"id_str":"5","full_text":"hi","created_at":"Wed Aug 27 13:08:45 +0000 2008",)"
      R"("user":{"id_str":"42","screen_name":"perch_dev"}}])");
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_EQ(*v1, 1);
  EXPECT_FALSE(
      MapTimelineBody(UpstreamApi::kV1_1, R"({"not":"an array"})").ok());
}

TEST(UpstreamTimelineTest, ApiNamesAreTheServerFlagValues) {
  for (UpstreamApi api : {UpstreamApi::kV1_1, UpstreamApi::kV2}) {
    auto parsed = ParseUpstreamApi(UpstreamApiName(api));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, api);
  }
  EXPECT_EQ(UpstreamApiName(UpstreamApi::kV1_1), "v1.1");
  EXPECT_FALSE(ParseUpstreamApi("v3").ok());
  EXPECT_EQ(TimelineRoute(UpstreamApi::kV2), "/2/users/:id/tweets");
}

}  // namespace
}  // namespace perch::bench
