#include "server/auth/caching_token_source.h"

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth/testing/fake_token_source.h"
#include "server/common/errors.h"
#include "server/common/mutex.h"
#include "server/common/notification.h"
#include "server/common/scheduler.h"
#include "server/common/testing/fake_clock.h"
#include "server/common/testing/manual_scheduler.h"
#include "server/metrics/text_format.h"
#include "tests/testing/status_matchers.h"

namespace perch::auth {
namespace {

using ::perch::auth::testing::FakeTokenSource;
using ::perch::testing::FakeClock;
using ::perch::testing::ManualScheduler;
using ::perch::testing::StatusIs;

class CachingTokenSourceTest : public ::testing::Test {
 protected:
  CachingTokenSourceTest() { Reset(); }

  // A new holder on a new fake: no token, no streak.
  void Reset() {
    // Kept here too: Replace lets go of it.
    fake_owner_ = std::make_shared<FakeTokenSource>();
    fake_ = fake_owner_.get();
    cache_ = std::make_unique<CachingTokenSource>(
        fake_owner_, clock_, scheduler_, TokenBackoff{},
        [this] { return random_unit_; }, &metrics_.token());
  }

  bool MetricsHave(const std::string& line) {
    const std::string text = metrics::FormatText(registry_.Collect());
    return text.find(line + "\n") != std::string::npos;
  }

  // An answer and when it came.
  struct TimedResult {
    absl::StatusOr<BearerToken> result;
    absl::Time at;
  };
  void FetchTimed(std::vector<TimedResult>& results, absl::Duration timeout) {
    cache_->Fetch(clock_.Now() + timeout,
                  [this, &results](absl::StatusOr<BearerToken> r) {
                    results.push_back(TimedResult{std::move(r), clock_.Now()});
                  });
  }

  // Calls Fetch and collects the result into `results`.
  void FetchInto(std::vector<absl::StatusOr<BearerToken>>& results,
                 absl::Duration timeout = absl::Seconds(10)) {
    cache_->Fetch(clock_.Now() + timeout,
                  [&results](absl::StatusOr<BearerToken> r) {
                    results.push_back(std::move(r));
                  });
  }

  // Fetches T1 into `results` so the holder keeps it, revokes it, and has
  // the upstream answer the revoke with `answer`. Returns what the Revoke
  // callback got.
  absl::Status RevokeHeldT1(std::vector<absl::StatusOr<BearerToken>>& results,
                            absl::Status answer) {
    FetchInto(results);
    fake_->AnswerFetch(Token("T1"));
    // Shared, not a local: a regression that answered later would write
    // into it, not into this returned frame.
    auto revoked =
        std::make_shared<absl::Status>(absl::UnknownError("not called"));
    cache_->Revoke("T1", absl::InfiniteFuture(),
                   [revoked](absl::Status s) { *revoked = std::move(s); });
    EXPECT_TRUE(fake_->AnswerRevoke(std::move(answer)));
    return *revoked;
  }

  BearerToken Token(std::string value) {
    return BearerToken{std::move(value), clock_.Now(), false};
  }

  // What the upstream says when a read presents a rejected token.
  static absl::Status Rejected() {
    return MakeError(absl::StatusCode::kUnauthenticated, "token rejected",
                     "BEARER_TOKEN_REJECTED", kUpstreamDomain,
                     {{"http_status", "401"}, {"upstream_code", "89"}});
  }
  // How the transport ends a token request whose deadline passed.
  static absl::Status DeadlineExceeded() {
    return MakeError(absl::StatusCode::kDeadlineExceeded,
                     "deadline passed before the response arrived",
                     "DEADLINE_EXCEEDED", kPerchDomain);
  }
  static absl::Status Down() {
    return MakeError(absl::StatusCode::kUnavailable, "token endpoint 503",
                     "UPSTREAM_UNAVAILABLE", kUpstreamDomain,
                     {{"http_status", "503"}});
  }

  // One read as the reader makes it: a token, then the upstream's verdict
  // on it (`accepted`: the read succeeds; otherwise 401/89 and a drop).
  // Fetches the fake receives are answered at once by `token_endpoint`.
  // Returns the status the read's token request ended with.
  absl::Status SimulatedRead(
      bool accepted,
      const std::function<absl::StatusOr<BearerToken>()>& token_endpoint) {
    std::vector<absl::StatusOr<BearerToken>> got;
    FetchInto(got);
    while (got.empty() && fake_->AnswerFetch(token_endpoint())) {
    }
    if (got.empty()) return absl::InternalError("the read was left waiting");
    if (!got[0].ok()) return got[0].status();
    if (accepted) {
      cache_->ReportAccepted(got[0]->value);
    } else {
      cache_->Drop(got[0]->value, Rejected());
    }
    return absl::OkStatus();
  }

  // A new token per fetch.
  absl::StatusOr<BearerToken> NextToken() {
    return Token(absl::StrCat("T", ++minted_));
  }

  FakeClock clock_;
  metrics::Registry registry_;
  metrics::PerchMetrics metrics_{registry_, clock_, {}};
  ManualScheduler scheduler_{clock_};
  double random_unit_ = 0.0;
  int minted_ = 0;
  std::shared_ptr<FakeTokenSource> fake_owner_;
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

// perch_token_*: one fetch counted per upstream fetch (not per waiter), by
// outcome; a token obtained after a rejection is a re-obtain; a successful
// Revoke an invalidation; the age runs from the held token's obtained_at.
TEST_F(CachingTokenSourceTest, MetricsFollowFetchesRejectionsAndRevokes) {
  EXPECT_TRUE(MetricsHave("perch_token_age_seconds 0"));
  std::vector<absl::StatusOr<BearerToken>> results;
  for (int i = 0; i < 3; ++i) FetchInto(results);
  ASSERT_TRUE(fake_->AnswerFetch(Down()));
  clock_.Advance(absl::Minutes(5));  // past the backoff
  FetchInto(results);
  ASSERT_TRUE(fake_->AnswerFetch(Token("T1")));
  EXPECT_TRUE(
      MetricsHave("perch_token_fetches_total{outcome=\"unavailable\"} 1"));
  EXPECT_TRUE(MetricsHave("perch_token_fetches_total{outcome=\"ok\"} 1"));
  EXPECT_TRUE(MetricsHave("perch_token_reobtains_total 0"));
  clock_.Advance(absl::Seconds(42));
  EXPECT_TRUE(MetricsHave("perch_token_age_seconds 42"));

  cache_->Drop("T1", Rejected());
  EXPECT_TRUE(MetricsHave("perch_token_age_seconds 0"));
  clock_.Advance(absl::Minutes(5));  // past the backoff
  FetchInto(results);
  ASSERT_TRUE(fake_->AnswerFetch(Token("T2")));
  EXPECT_TRUE(MetricsHave("perch_token_reobtains_total 1"));
  EXPECT_TRUE(MetricsHave("perch_token_fetches_total{outcome=\"ok\"} 2"));

  cache_->Revoke("T2", absl::InfiniteFuture(), [](absl::Status) {});
  ASSERT_TRUE(fake_->AnswerRevoke(absl::OkStatus()));
  EXPECT_TRUE(MetricsHave("perch_token_invalidations_total 1"));
  EXPECT_TRUE(MetricsHave("perch_token_age_seconds 0"));
  // Obtaining after an invalidation asked for is not a re-obtain.
  clock_.Advance(absl::Minutes(5));
  FetchInto(results);
  ASSERT_TRUE(fake_->AnswerFetch(Token("T3")));
  EXPECT_TRUE(MetricsHave("perch_token_reobtains_total 1"));
  EXPECT_TRUE(MetricsHave("perch_token_fetches_total{outcome=\"ok\"} 3"));
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
    EXPECT_THAT(r.status(), StatusIs(absl::StatusCode::kUnavailable));
  }
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 2);
}

TEST_F(CachingTokenSourceTest, DropForgetsOnlyTheHeldToken) {
  std::vector<absl::StatusOr<BearerToken>> results;
  FetchInto(results);
  fake_->AnswerFetch(Token("T1"));
  cache_->Drop("some-older-token", Rejected());
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 1);
  cache_->Drop("T1", Rejected());
  cache_->Drop("T1", Rejected());
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 2);
}

TEST_F(CachingTokenSourceTest, TimedOutFetchIsRetriedForWaitersWithTimeLeft) {
  std::vector<absl::StatusOr<BearerToken>> shortcall;
  std::vector<absl::StatusOr<BearerToken>> longcall;
  FetchInto(shortcall, absl::Seconds(1));
  FetchInto(longcall, absl::Seconds(30));
  clock_.Advance(absl::Seconds(1));
  scheduler_.RunDue();
  fake_->AnswerFetch(DeadlineExceeded());
  ASSERT_EQ(shortcall.size(), 1u);
  EXPECT_THAT(shortcall[0].status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_TRUE(longcall.empty());
  ASSERT_EQ(fake_->fetches(), 2);
  // The second fetch carries the deadline of the caller still waiting.
  EXPECT_EQ(fake_->fetch_deadlines().back(),
            clock_.Now() - absl::Seconds(1) + absl::Seconds(30));
  fake_->AnswerFetch(Token("T2"));
  ASSERT_EQ(longcall.size(), 1u);
  EXPECT_EQ(longcall[0]->value, "T2");
}

// The fetch works to a later deadline than one of its waiters (it was
// started by a caller with more time): that waiter is answered when its own
// deadline passes, and the fetch goes on for the other.
TEST_F(CachingTokenSourceTest, AWaiterIsAnsweredAtItsOwnDeadlineNotTheFetchs) {
  std::vector<TimedResult> late;
  std::vector<TimedResult> early;
  FetchTimed(late, absl::Seconds(3));
  FetchTimed(early, absl::Seconds(1));
  const absl::Time early_deadline = clock_.Now() + absl::Seconds(1);
  ASSERT_EQ(fake_->fetches(), 1);
  clock_.Advance(absl::Milliseconds(999));
  scheduler_.RunDue();
  EXPECT_TRUE(early.empty());
  clock_.Advance(absl::Milliseconds(1));
  scheduler_.RunDue();
  ASSERT_EQ(early.size(), 1u);
  EXPECT_EQ(early[0].at, early_deadline);
  EXPECT_THAT(early[0].result.status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(ErrorReason(early[0].result.status()), "DEADLINE_EXCEEDED");
  EXPECT_TRUE(late.empty());
  // The token that comes later is the late caller's, and is kept.
  fake_->AnswerFetch(Token("T1"));
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].result->value, "T1");
  EXPECT_EQ(early.size(), 1u);  // answered once
  EXPECT_EQ(cache_->Held()->value, "T1");
  EXPECT_EQ(fake_->fetches(), 1);
}

// The soak's case (docs/reliability.md): the fetch times out at its
// starter's deadline and is started again with the latest waiter's; a
// waiter in between is answered at its own deadline, not the latest.
TEST_F(CachingTokenSourceTest,
       AWaiterOfARestartedFetchIsAnsweredAtItsDeadline) {
  std::vector<TimedResult> starter, middle, latest;
  FetchTimed(starter, absl::Seconds(1));
  FetchTimed(middle, absl::Seconds(2));
  FetchTimed(latest, absl::Seconds(3));
  const absl::Time t0 = clock_.Now();
  clock_.Advance(absl::Seconds(1));
  scheduler_.RunDue();
  fake_->AnswerFetch(DeadlineExceeded());
  ASSERT_EQ(starter.size(), 1u);
  ASSERT_EQ(fake_->fetches(), 2);
  EXPECT_EQ(fake_->fetch_deadlines().back(), t0 + absl::Seconds(3));
  clock_.Advance(absl::Seconds(1));
  scheduler_.RunDue();
  ASSERT_EQ(middle.size(), 1u);
  EXPECT_EQ(middle[0].at, t0 + absl::Seconds(2));
  EXPECT_THAT(middle[0].result.status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_TRUE(latest.empty());
  fake_->AnswerFetch(Token("T2"));
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].result->value, "T2");
}

TEST_F(CachingTokenSourceTest, RevokeDropsTheTokenOnSuccess) {
  std::vector<absl::StatusOr<BearerToken>> results;
  EXPECT_TRUE(RevokeHeldT1(results, absl::OkStatus()).ok());
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 2);
}

TEST_F(CachingTokenSourceTest, RevokeOfAnAlreadyRevokedTokenAlsoDropsIt) {
  std::vector<absl::StatusOr<BearerToken>> results;
  EXPECT_THAT(
      RevokeHeldT1(results,
                   MakeError(absl::StatusCode::kFailedPrecondition, "no",
                             "TOKEN_NOT_INVALIDATED", kUpstreamDomain)),
      StatusIs(absl::StatusCode::kFailedPrecondition));
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 2);
}

TEST_F(CachingTokenSourceTest, RevokeThatCouldNotReachUpstreamKeepsTheToken) {
  std::vector<absl::StatusOr<BearerToken>> results;
  EXPECT_THAT(RevokeHeldT1(results, absl::UnavailableError("down")),
              StatusIs(absl::StatusCode::kUnavailable));
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 1);
  EXPECT_TRUE(results.back()->from_cache);
}

TEST_F(CachingTokenSourceTest,
       AlwaysRejectingUpstreamCostsAtMostTenFetchesIn10s) {
  // A read every 10 ms for 10 s; every token is rejected at first use. The
  // shortest jitter is the worst case.
  for (double unit : {0.0, 0.5, 0.999}) {
    SCOPED_TRACE(unit);
    random_unit_ = unit;
    Reset();
    const int before = fake_->fetches();
    const absl::Time end = clock_.Now() + absl::Seconds(10);
    int reads = 0, failed_fast = 0;
    for (; clock_.Now() < end; clock_.Advance(absl::Milliseconds(10))) {
      ++reads;
      absl::Status s =
          SimulatedRead(/*accepted=*/false, [this] { return NextToken(); });
      if (!s.ok()) {
        ++failed_fast;
        EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnauthenticated));
        EXPECT_EQ(ErrorReason(s), "BEARER_TOKEN_REJECTED");
      }
    }
    EXPECT_LE(fake_->fetches() - before, 10);
    EXPECT_GE(fake_->fetches() - before, 4);  // it does keep trying
    EXPECT_EQ(reads, 1000);
    EXPECT_GT(failed_fast, 900);
  }
}

TEST_F(CachingTokenSourceTest, TokenEndpointDownCostsAtMostTenFetchesIn10s) {
  for (double unit : {0.0, 0.999}) {
    SCOPED_TRACE(unit);
    random_unit_ = unit;
    Reset();
    const int before = fake_->fetches();
    const absl::Time end = clock_.Now() + absl::Seconds(10);
    for (; clock_.Now() < end; clock_.Advance(absl::Milliseconds(10))) {
      absl::Status s = SimulatedRead(/*accepted=*/true, [] { return Down(); });
      EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable));
      EXPECT_EQ(ErrorReason(s), "UPSTREAM_UNAVAILABLE");
    }
    EXPECT_LE(fake_->fetches() - before, 10);
    EXPECT_GE(fake_->fetches() - before, 4);
  }
}

TEST_F(CachingTokenSourceTest, TwoQuickInvalidationsEachReobtainAtOnce) {
  random_unit_ = 0.999;
  ASSERT_TRUE(SimulatedRead(true, [this] { return NextToken(); }).ok());
  for (int invalidation = 0; invalidation < 2; ++invalidation) {
    // The held token was invalidated elsewhere: a read meets 401/89 ...
    ASSERT_TRUE(SimulatedRead(false, [this] { return NextToken(); }).ok());
    // ... and, the same instant, the read's re-obtain gets a new token that
    // the upstream accepts.
    ASSERT_TRUE(SimulatedRead(true, [this] { return NextToken(); }).ok());
    clock_.Advance(absl::Milliseconds(1));
  }
  EXPECT_EQ(fake_->fetches(), 3);
}

TEST_F(CachingTokenSourceTest, ReadsRecoverWithinFiveSecondsOfTheUpstream) {
  random_unit_ = 0.999;  // the longest waits
  for (bool endpoint_down : {true, false}) {
    SCOPED_TRACE(endpoint_down ? "token endpoint down" : "tokens rejected");
    // A minute of failures: the backoff is at its longest.
    const absl::Time recovers = clock_.Now() + absl::Seconds(60);
    for (; clock_.Now() < recovers; clock_.Advance(absl::Milliseconds(10))) {
      SimulatedRead(/*accepted=*/!endpoint_down, [&] {
        return endpoint_down ? absl::StatusOr<BearerToken>(Down())
                             : NextToken();
      }).IgnoreError();
    }
    // The upstream is well again; reads keep coming every 10 ms.
    absl::Time first_ok = absl::InfiniteFuture();
    for (int i = 0; i < 1000 && first_ok == absl::InfiniteFuture(); ++i) {
      if (SimulatedRead(true, [this] { return NextToken(); }).ok()) {
        first_ok = clock_.Now();
      }
      clock_.Advance(absl::Milliseconds(10));
    }
    EXPECT_LE(first_ok - recovers, absl::Seconds(5));
    // Recovered: the streak is over, a later rejection re-obtains at once.
    ASSERT_TRUE(SimulatedRead(false, [this] { return NextToken(); }).ok());
    const int fetches = fake_->fetches();
    ASSERT_TRUE(SimulatedRead(true, [this] { return NextToken(); }).ok());
    EXPECT_EQ(fake_->fetches(), fetches + 1);
  }
}

TEST_F(CachingTokenSourceTest, FetchWhileBackingOffFailsFastWithTheLastStatus) {
  random_unit_ = 0.0;
  std::vector<absl::StatusOr<BearerToken>> results;
  FetchInto(results);
  fake_->AnswerFetch(Down());
  FetchInto(results);  // the first failure waits nothing
  ASSERT_EQ(fake_->fetches(), 2);
  fake_->AnswerFetch(Down());  // the second: 500 ms
  clock_.Advance(absl::Milliseconds(100));
  FetchInto(results);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(fake_->fetches(), 2);  // answered without asking upstream
  const absl::Status& fast = results[2].status();
  EXPECT_THAT(fast, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(ErrorReason(fast), "UPSTREAM_UNAVAILABLE");
  EXPECT_EQ(GetErrorInfo(fast)->metadata().at("http_status"), "503");
  ASSERT_TRUE(GetRetryInfo(fast).has_value());
  EXPECT_EQ(GetRetryInfo(fast)->retry_delay().nanos(), 400'000'000);
  // Once the wait is over, the next caller asks upstream again.
  clock_.Advance(absl::Milliseconds(400));
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 3);
  EXPECT_EQ(results.size(), 3u);
}

TEST_F(CachingTokenSourceTest, WaitersOfTheFailingFetchGetItsOwnStatus) {
  std::vector<absl::StatusOr<BearerToken>> results;
  for (int i = 0; i < 3; ++i) FetchInto(results);
  fake_->AnswerFetch(MakeError(absl::StatusCode::kUnauthenticated, "no",
                               "APP_CREDENTIALS_REJECTED", kUpstreamDomain));
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) {
    EXPECT_EQ(ErrorReason(r.status()), "APP_CREDENTIALS_REJECTED");
  }
}

TEST_F(CachingTokenSourceTest, InvalidationsAskedForAreNotFailures) {
  random_unit_ = 0.999;
  std::vector<absl::StatusOr<BearerToken>> results;
  for (int i = 0; i < 5; ++i) {
    FetchInto(results);
    fake_->AnswerFetch(NextToken());
    cache_->Revoke(results.back()->value, absl::InfiniteFuture(),
                   [](absl::Status) {});
    fake_->AnswerRevoke(absl::OkStatus());
  }
  // Every fetch went upstream at once: no backoff was ever in force.
  EXPECT_EQ(fake_->fetches(), 5);
  for (const auto& r : results) EXPECT_TRUE(r.ok()) << r.status();
}

// A token endpoint slower than every caller's deadline (here 200 ms, a read
// every 10 ms): each fetch times out, and timeouts count as failures, so it
// is not asked at the callers' pace. Every caller still ends by its own
// deadline: DEADLINE_EXCEEDED, or UNAVAILABLE at once while perch backs off.
TEST_F(CachingTokenSourceTest,
       TokenEndpointTimingOutCostsAtMostTenFetchesIn10s) {
  for (double unit : {0.0, 0.999}) {
    SCOPED_TRACE(unit);
    random_unit_ = unit;
    Reset();
    std::vector<std::pair<absl::Time, std::vector<TimedResult>>> calls;
    calls.reserve(1000);
    size_t timed_out = 0;  // fetches answered so far
    const absl::Time end = clock_.Now() + absl::Seconds(10);
    for (; clock_.Now() < end; clock_.Advance(absl::Milliseconds(10))) {
      // A fetch whose deadline has come ends DEADLINE_EXCEEDED, as the
      // transport ends the token request (answering may start another).
      while (timed_out < static_cast<size_t>(fake_->fetches()) &&
             fake_->fetch_deadlines()[timed_out] <= clock_.Now()) {
        ++timed_out;
        ASSERT_TRUE(fake_->AnswerFetch(DeadlineExceeded()));
      }
      scheduler_.RunDue();
      calls.emplace_back(clock_.Now() + absl::Milliseconds(200),
                         std::vector<TimedResult>{});
      FetchTimed(calls.back().second, absl::Milliseconds(200));
    }
    EXPECT_LE(fake_->fetches(), 10);
    EXPECT_GE(fake_->fetches(), 4);  // it does keep trying
    int failed_fast = 0;
    for (const auto& [deadline, got] : calls) {
      if (deadline >= clock_.Now()) continue;  // may still be in flight
      ASSERT_EQ(got.size(), 1u) << "a caller was left waiting";
      EXPECT_LE(got[0].at, deadline);
      const absl::Status& s = got[0].result.status();
      if (::testing::Value(s, StatusIs(absl::StatusCode::kUnavailable))) {
        ++failed_fast;
        EXPECT_EQ(ErrorReason(s), "UPSTREAM_UNAVAILABLE");
        EXPECT_TRUE(GetRetryInfo(s).has_value());
      } else {
        EXPECT_THAT(s, StatusIs(absl::StatusCode::kDeadlineExceeded));
      }
    }
    EXPECT_GT(failed_fast, 500);
  }
}

// Failures are counted per rejected token, not per read that saw it; every
// read that drops the same token learns the same wait.
TEST_F(CachingTokenSourceTest, DropCountsEachTokenOnceAndSaysHowLongItWaits) {
  random_unit_ = 0.0;
  std::vector<absl::StatusOr<BearerToken>> results;
  FetchInto(results);
  fake_->AnswerFetch(Token("T1"));
  // Two reads saw T1 rejected: one failure, and the first one waits nothing.
  EXPECT_EQ(cache_->Drop("T1", Rejected()), absl::ZeroDuration());
  EXPECT_EQ(cache_->Drop("T1", Rejected()), absl::ZeroDuration());
  FetchInto(results);
  fake_->AnswerFetch(Token("T2"));
  // Three reads saw T2 rejected: the second failure, 500 ms for each.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(cache_->Drop("T2", Rejected()), absl::Milliseconds(500));
  }
  clock_.Advance(absl::Milliseconds(200));
  EXPECT_EQ(cache_->Drop("T2", Rejected()), absl::Milliseconds(300));
  // A late read with the older T1 changes nothing either.
  EXPECT_EQ(cache_->Drop("T1", Rejected()), absl::Milliseconds(300));
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 2);
  auto retry = GetRetryInfo(results.back().status());
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().nanos(), 300000000);
  // Once it may fetch again, Drop says so.
  clock_.Advance(absl::Milliseconds(300));
  EXPECT_EQ(cache_->Drop("T2", Rejected()), absl::ZeroDuration());
}

TEST_F(CachingTokenSourceTest, AStaleAcceptanceDoesNotEndTheStreak) {
  random_unit_ = 0.0;
  std::vector<absl::StatusOr<BearerToken>> results;
  FetchInto(results);
  fake_->AnswerFetch(Token("T1"));
  cache_->Drop("T1", Rejected());  // failure 1
  FetchInto(results);
  fake_->AnswerFetch(Token("T2"));
  cache_->Drop("T2", Rejected());  // failure 2: 500 ms
  // A read sent long ago with T1 comes back fine: T1 is not held.
  cache_->ReportAccepted("T1");
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 2);
  EXPECT_THAT(results.back().status(),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(CachingTokenSourceTest, HeldNeverFetches) {
  EXPECT_FALSE(cache_->Held().has_value());
  EXPECT_EQ(fake_->fetches(), 0);
  std::vector<absl::StatusOr<BearerToken>> results;
  FetchInto(results);
  fake_->AnswerFetch(Token("T1"));
  ASSERT_TRUE(cache_->Held().has_value());
  EXPECT_EQ(cache_->Held()->value, "T1");
  EXPECT_EQ(fake_->fetches(), 1);
}

TEST_F(CachingTokenSourceTest, ReplaceAnswersWaitersAndSupersedesTheOldFetch) {
  std::vector<absl::StatusOr<BearerToken>> results;
  FetchInto(results);
  FetchInto(results);
  ASSERT_EQ(fake_->fetches(), 1);
  auto next = std::make_shared<FakeTokenSource>();
  cache_->Replace(next, Token("NEW"));
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) EXPECT_EQ(r->value, "NEW");
  // The old source's late answer is discarded.
  fake_->AnswerFetch(Token("OLD"));
  EXPECT_EQ(cache_->Held()->value, "NEW");
  // Later tokens come from the new source.
  cache_->Drop("NEW", Rejected());
  FetchInto(results);
  EXPECT_EQ(next->fetches(), 1);
  EXPECT_EQ(fake_->fetches(), 1);
  next->AnswerFetch(Token("NEWER"));
  EXPECT_EQ(results.back()->value, "NEWER");
}

TEST_F(CachingTokenSourceTest, ReplaceEndsTheBackoff) {
  random_unit_ = 0.0;
  std::vector<absl::StatusOr<BearerToken>> results;
  FetchInto(results);
  fake_->AnswerFetch(Down());
  FetchInto(results);
  fake_->AnswerFetch(Down());  // backing off now
  FetchInto(results);
  EXPECT_EQ(fake_->fetches(), 2);
  cache_->Replace(std::make_shared<FakeTokenSource>(), Token("NEW"));
  FetchInto(results);
  EXPECT_EQ(results.back()->value, "NEW");
  // A rejection of the new token re-obtains at once (the streak restarted).
  cache_->Drop("NEW", Rejected());
  FetchInto(results);
  EXPECT_EQ(cache_->upstream_fetches(), 3);
}

// Readers on several threads fetch, then accept or drop what they got, while
// the token endpoint answers on another thread and time moves on (so backoff
// windows open and close): every fetch is answered exactly once. Under
// ThreadSanitizer (PERCH_SANITIZE=thread) this also checks that the holder's
// state is touched only under its lock.
TEST_F(CachingTokenSourceTest, ReadersOnManyThreadsAreEachAnsweredOnce) {
  constexpr int kReaders = 4;
  constexpr int kFetchesPerReader = 2000;
  Mutex mu;
  int answered = 0;    // guarded by mu
  int unexpected = 0;  // guarded by mu
  auto record = [&](absl::StatusOr<BearerToken> result, int n) {
    if (result.ok() && n % 20 == 0) {
      cache_->Drop(result->value, Rejected());
    } else if (result.ok()) {
      cache_->ReportAccepted(result->value);
    }
    MutexLock lock(&mu);
    ++answered;
    // While backing off, a fetch fails fast with the last rejection.
    if (!result.ok() &&
        !::testing::Value(result,
                          StatusIs(absl::StatusCode::kUnauthenticated))) {
      ++unexpected;
    }
  };
  std::atomic<bool> stop{false};
  std::thread endpoint([&] {
    while (!stop.load()) {
      clock_.Advance(absl::Seconds(1));
      if (!fake_->AnswerFetch(NextToken())) {
        absl::SleepFor(absl::Microseconds(100));
      }
    }
  });
  Notification go;  // so that the readers overlap
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      go.WaitForNotification();
      for (int n = 1; n <= kFetchesPerReader; ++n) {
        // Deadlines far beyond what the endpoint's clock steps reach.
        cache_->Fetch(clock_.Now() + absl::Hours(24 * 365),
                      [&record, n](absl::StatusOr<BearerToken> result) {
                        record(std::move(result), n);
                      });
      }
    });
  }
  go.Notify();
  for (std::thread& reader : readers) reader.join();
  {
    MutexLock lock(&mu);
    mu.AwaitWithTimeout(
        [&] { return answered == kReaders * kFetchesPerReader; },
        absl::Seconds(60));
    EXPECT_EQ(answered, kReaders * kFetchesPerReader);
    EXPECT_EQ(unexpected, 0);
  }
  stop = true;
  endpoint.join();
  EXPECT_EQ(cache_->upstream_fetches(), fake_->fetches());
}

}  // namespace
}  // namespace perch::auth
