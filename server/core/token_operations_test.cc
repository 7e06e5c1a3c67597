#include "server/core/token_operations.h"

#include <optional>

#include "gtest/gtest.h"
#include "server/auth/testing/caching_fake_token_source.h"
#include "server/auth/token_fingerprint.h"
#include "server/common/testing/fake_clock.h"
#include "server/common/testing/manual_scheduler.h"

namespace perch::core {
namespace {

using ::perch::auth::testing::CachingFakeTokenSource;
using ::perch::auth::testing::FakeTokenSource;
using ::perch::testing::FakeClock;
using ::perch::testing::ManualScheduler;

class TokenOperationsTest : public ::testing::Test {
 protected:
  std::optional<absl::StatusOr<v1::InvalidateResponse>> Invalidate() {
    std::optional<absl::StatusOr<v1::InvalidateResponse>> out;
    operations_.Invalidate(
        clock_.Now() + absl::Seconds(5),
        [&out](absl::StatusOr<v1::InvalidateResponse> r) { out = r; });
    return out;
  }

  void Hold(std::string token) {
    operations_.Obtain(clock_.Now() + absl::Seconds(5),
                       [](absl::StatusOr<v1::ObtainResponse>) {});
    ASSERT_TRUE(fake_.AnswerFetch(
        auth::BearerToken{std::move(token), clock_.Now(), false}));
  }

  FakeClock clock_;
  ManualScheduler scheduler_{clock_};
  CachingFakeTokenSource tokens_{clock_, scheduler_};
  FakeTokenSource& fake_ = tokens_.fake();
  TokenOperations operations_{tokens_.cache(), tokens_.cache(), clock_};
};

TEST_F(TokenOperationsTest, InvalidateHoldingNothingSaysSoAndAsksNoUpstream) {
  auto result = Invalidate();
  ASSERT_TRUE(result.has_value()) << "answered without any upstream request";
  ASSERT_TRUE(result->ok()) << result->status();
  EXPECT_TRUE((*result)->nothing_held());
  EXPECT_EQ((*result)->token_fingerprint(), "");
  EXPECT_FALSE((*result)->has_invalidated_at());
  EXPECT_EQ(fake_.fetches(), 0);
  EXPECT_TRUE(fake_.revoked().empty());
}

TEST_F(TokenOperationsTest, InvalidateRevokesTheHeldTokenAndDropsIt) {
  Hold("T1");
  std::optional<absl::StatusOr<v1::InvalidateResponse>> out;
  operations_.Invalidate(
      clock_.Now() + absl::Seconds(5),
      [&out](absl::StatusOr<v1::InvalidateResponse> r) { out = r; });
  EXPECT_FALSE(out.has_value());  // waits for the upstream
  ASSERT_EQ(fake_.revoked().size(), 1u);
  EXPECT_EQ(fake_.revoked()[0], "T1");
  ASSERT_TRUE(fake_.AnswerRevoke(absl::OkStatus()));
  ASSERT_TRUE(out.has_value());
  ASSERT_TRUE(out->ok()) << out->status();
  EXPECT_FALSE((*out)->nothing_held());
  EXPECT_EQ((*out)->token_fingerprint(), auth::TokenFingerprint("T1"));
  EXPECT_TRUE((*out)->has_invalidated_at());
  // Dropped: the next Invalidate has nothing to do.
  auto after = Invalidate();
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE((*after)->nothing_held());
  EXPECT_EQ(fake_.fetches(), 1);
  EXPECT_EQ(fake_.revoked().size(), 1u);
}

TEST_F(TokenOperationsTest, ObtainReportsFingerprintAndCache) {
  std::optional<absl::StatusOr<v1::ObtainResponse>> first, second;
  operations_.Obtain(clock_.Now() + absl::Seconds(5),
                     [&](absl::StatusOr<v1::ObtainResponse> r) { first = r; });
  ASSERT_TRUE(fake_.AnswerFetch(auth::BearerToken{"T1", clock_.Now(), false}));
  operations_.Obtain(clock_.Now() + absl::Seconds(5),
                     [&](absl::StatusOr<v1::ObtainResponse> r) { second = r; });
  ASSERT_TRUE(first.has_value() && first->ok());
  ASSERT_TRUE(second.has_value() && second->ok());
  EXPECT_FALSE((*first)->from_cache());
  EXPECT_TRUE((*second)->from_cache());
  EXPECT_EQ((*first)->token_fingerprint(), auth::TokenFingerprint("T1"));
  EXPECT_EQ((*first)->token_type(), "bearer");
}

}  // namespace
}  // namespace perch::core
