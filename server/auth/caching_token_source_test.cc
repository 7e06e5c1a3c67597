#include "server/auth/caching_token_source.h"

#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "server/auth/fake_token_source.h"
#include "server/common/errors.h"

namespace perch::auth {
namespace {

class CachingTokenSourceTest : public ::testing::Test {
 protected:
  CachingTokenSourceTest() {
    auto fake = std::make_unique<FakeTokenSource>();
    fake_ = fake.get();
    cache_ = std::make_unique<CachingTokenSource>(std::move(fake), clock_);
  }

  // Calls Fetch and collects the result into `results`.
  void FetchInto(std::vector<absl::StatusOr<BearerToken>>& results,
                 absl::Duration timeout = absl::Seconds(10)) {
    cache_->Fetch(clock_.Now() + timeout,
                  [&results](absl::StatusOr<BearerToken> r) {
                    results.push_back(std::move(r));
                  });
  }

  BearerToken Token(std::string value) {
    return BearerToken{std::move(value), clock_.Now(), false};
  }

  FakeClock clock_;
  FakeTokenSource* fake_;
  std::unique_ptr<CachingTokenSource> cache_;
};

TEST_F(CachingTokenSourceTest, ConcurrentCallersShareOneFetch) {
  std::vector<absl::StatusOr<BearerToken>> results;
  for (int i = 0; i < 200; ++i) FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 1);
  EXPECT_TRUE(results.empty());
  ASSERT_TRUE(fake_->AnswerFetch(Token("T1")));
  ASSERT_EQ(results.size(), 200u);
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->value, "T1");
    EXPECT_FALSE(r->from_cache);
  }
  EXPECT_EQ(cache_->upstream_fetches(), 1);
}

TEST_F(CachingTokenSourceTest, SecondFetchIsServedFromCache) {
  std::vector<absl::StatusOr<BearerToken>> results;
  FetchInto(results);
  fake_->AnswerFetch(Token("T1"));
  FetchInto(results);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[1]->from_cache);
  EXPECT_EQ(results[1]->value, "T1");
  EXPECT_EQ(fake_->fetches(), 1);
}

TEST_F(CachingTokenSourceTest, FailureReachesEveryWaiterAndIsNotCached) {
  std::vector<absl::StatusOr<BearerToken>> results;
  for (int i = 0; i < 5; ++i) FetchInto(results);
  fake_->AnswerFetch(absl::UnavailableError("down"));
  ASSERT_EQ(results.size(), 5u);
  for (const auto& r : results) {
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  }
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 2);
}

TEST_F(CachingTokenSourceTest, DropForgetsOnlyTheHeldToken) {
  std::vector<absl::StatusOr<BearerToken>> results;
  FetchInto(results);
  fake_->AnswerFetch(Token("T1"));
  cache_->Drop("some-older-token");
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 1);
  cache_->Drop("T1");
  cache_->Drop("T1");
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 2);
}

TEST_F(CachingTokenSourceTest, TimedOutFetchIsRetriedForWaitersWithTimeLeft) {
  std::vector<absl::StatusOr<BearerToken>> shortcall;
  std::vector<absl::StatusOr<BearerToken>> longcall;
  FetchInto(shortcall, absl::Seconds(1));
  FetchInto(longcall, absl::Seconds(30));
  clock_.Advance(absl::Seconds(2));
  fake_->AnswerFetch(absl::DeadlineExceededError("slow"));
  ASSERT_EQ(shortcall.size(), 1u);
  EXPECT_EQ(shortcall[0].status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(longcall.empty());
  ASSERT_EQ(fake_->fetches(), 2);
  // The second fetch carries the deadline of the caller still waiting.
  EXPECT_EQ(fake_->fetch_deadlines().back(),
            clock_.Now() - absl::Seconds(2) + absl::Seconds(30));
  fake_->AnswerFetch(Token("T2"));
  ASSERT_EQ(longcall.size(), 1u);
  EXPECT_EQ(longcall[0]->value, "T2");
}

TEST_F(CachingTokenSourceTest, RevokeDropsTheTokenOnSuccess) {
  std::vector<absl::StatusOr<BearerToken>> results;
  FetchInto(results);
  fake_->AnswerFetch(Token("T1"));
  absl::Status revoked = absl::UnknownError("not called");
  cache_->Revoke("T1", absl::InfiniteFuture(),
                 [&](absl::Status s) { revoked = s; });
  ASSERT_TRUE(fake_->AnswerRevoke(absl::OkStatus()));
  EXPECT_TRUE(revoked.ok());
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 2);
}

TEST_F(CachingTokenSourceTest, RevokeOfAnAlreadyRevokedTokenAlsoDropsIt) {
  std::vector<absl::StatusOr<BearerToken>> results;
  FetchInto(results);
  fake_->AnswerFetch(Token("T1"));
  absl::Status revoked;
  cache_->Revoke("T1", absl::InfiniteFuture(),
                 [&](absl::Status s) { revoked = s; });
  fake_->AnswerRevoke(MakeError(absl::StatusCode::kFailedPrecondition, "no",
                                "TOKEN_NOT_INVALIDATED", kUpstreamDomain));
  EXPECT_EQ(revoked.code(), absl::StatusCode::kFailedPrecondition);
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 2);
}

TEST_F(CachingTokenSourceTest, RevokeThatCouldNotReachUpstreamKeepsTheToken) {
  std::vector<absl::StatusOr<BearerToken>> results;
  FetchInto(results);
  fake_->AnswerFetch(Token("T1"));
  absl::Status revoked;
  cache_->Revoke("T1", absl::InfiniteFuture(),
                 [&](absl::Status s) { revoked = s; });
  fake_->AnswerRevoke(absl::UnavailableError("down"));
  EXPECT_EQ(revoked.code(), absl::StatusCode::kUnavailable);
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 1);
  EXPECT_TRUE(results.back()->from_cache);
}

}  // namespace
}  // namespace perch::auth
