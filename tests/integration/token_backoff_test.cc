// The token backoff across the layers that make it (issue 13, item 4): the
// authenticated reader, the caching token holder and the client-credentials
// source, over a scripted in-memory upstream, on a fake clock and a scheduler
// that runs timers when the fake clock reaches them. Simulated seconds, no
// sockets, no sleeps. token_backoff_emulator_test.cc repeats the bounds
// through real sockets.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "server/auth/caching_token_source.h"
#include "server/auth/client_credentials_token_source.h"
#include "server/common/clock.h"
#include "server/common/errors.h"
#include "server/common/executor.h"
#include "server/common/scheduler.h"
#include "server/common/testing/fake_clock.h"
#include "server/common/testing/inline_executor.h"
#include "server/upstream/upstream_reader.h"
#include "tests/testing/fake_http_transport.h"
#include "tests/testing/status_matchers.h"

namespace perch {
namespace {

using ::perch::testing::FakeClock;
using ::perch::testing::FakeHttpTransport;
using ::perch::testing::InlineExecutor;
using ::perch::testing::StatusIs;

// Runs each callback once the fake clock has reached its due time.
class ClockScheduler final : public Scheduler {
 public:
  explicit ClockScheduler(const FakeClock& clock) : clock_(clock) {}
  ~ClockScheduler() override { CancelPending(); }
  // Runs what is still pending with cancelled=true, as ThreadScheduler::Stop
  // does: an owner calls it before tearing down what the callbacks reach.
  void CancelPending() {
    std::map<std::pair<absl::Time, TimerId>, Callback> pending;
    {
      absl::MutexLock lock(&mu_);
      pending.swap(due_);
    }
    for (auto& [due, callback] : pending) std::move(callback)(true);
  }
  TimerId RunAfter(absl::Duration delay, Callback callback) override {
    absl::MutexLock lock(&mu_);
    due_.emplace(std::make_pair(clock_.Now() + delay, ++next_id_),
                 std::move(callback));
    return next_id_;
  }
  bool Cancel(TimerId id) override {
    Callback dropped;
    absl::MutexLock lock(&mu_);
    for (auto it = due_.begin(); it != due_.end(); ++it) {
      if (it->first.second != id) continue;
      dropped = std::move(it->second);
      due_.erase(it);
      return true;
    }
    return false;
  }
  void RunDue() {
    for (;;) {
      Callback next;
      {
        absl::MutexLock lock(&mu_);
        if (due_.empty() || due_.begin()->first.first > clock_.Now()) return;
        next = std::move(due_.begin()->second);
        due_.erase(due_.begin());
      }
      std::move(next)(false);
    }
  }

 private:
  const FakeClock& clock_;
  absl::Mutex mu_;
  std::map<std::pair<absl::Time, TimerId>, Callback> due_ ABSL_GUARDED_BY(mu_);
  TimerId next_id_ ABSL_GUARDED_BY(mu_) = 0;
};

// The upstream as the reader and the token source see it: one live token
// per app, minted on demand; reads with any other token get 401/89.
class ScriptedUpstream {
 public:
  bool token_endpoint_down = false;
  // The transport gives up on every token request at its deadline.
  bool token_endpoint_times_out = false;
  bool reject_every_token = false;

  absl::StatusOr<http::HttpResponse> Answer(const http::HttpRequest& r) {
    if (absl::EndsWith(r.url, "/oauth2/token")) {
      ++token_requests;
      if (token_endpoint_times_out) {
        return MakeError(absl::StatusCode::kDeadlineExceeded,
                         "deadline passed before the response arrived",
                         "DEADLINE_EXCEEDED", kPerchDomain);
      }
      if (token_endpoint_down) {
        return FakeHttpTransport::Response(
            503, R"({"errors":[{"code":130,"message":"Over capacity"}]})");
      }
      if (live_.empty()) live_ = absl::StrCat("TOKEN", ++minted_);
      return FakeHttpTransport::Response(
          200, absl::StrCat(R"({"token_type":"bearer","access_token":")", live_,
                            R"("})"));
    }
    std::string presented;
    for (const auto& [name, value] : r.headers) {
      if (name == "Authorization") presented = value;
    }
    if (reject_every_token || live_.empty() ||
        presented != absl::StrCat("Bearer ", live_)) {
      return FakeHttpTransport::Response(
          401,
          R"({"errors":[{"code":89,"message":"Invalid or expired token."}]})");
    }
    return FakeHttpTransport::Response(200, "[]");
  }

  // Another replica or an operator invalidated the token.
  void RevokeLiveToken() { live_.clear(); }

  int token_requests = 0;

 private:
  std::string live_;
  int minted_ = 0;
};

class TokenBackoffTest : public ::testing::Test {
 protected:
  struct Read {
    absl::Time started;
    std::optional<absl::Time> finished;
    absl::Status status = absl::UnknownError("not finished");
  };

  // The reader's pending retries reach into the reader: cancel them while it
  // is alive (perch_server.cc stops its scheduler first for the same reason).
  ~TokenBackoffTest() override { scheduler_.CancelPending(); }

  TokenBackoffTest()
      : transport_(
            [this](const http::HttpRequest& r) { return upstream_.Answer(r); }),
        scheduler_(clock_),
        tokens_(std::make_unique<auth::ClientCredentialsTokenSource>(
                    auth::AppCredentials{"key", "secret"}, "https://up.test",
                    transport_, clock_),
                clock_, scheduler_, auth::TokenBackoff{},
                [this] { return unit_; }),
        reader_(upstream::MakeAuthenticatedReader(
            transport_, tokens_, tokens_, scheduler_, executor_, clock_,
            upstream::RetryPolicy{}, [this] { return unit_; })) {}

  // Starts a read now; its outcome lands in reads_.
  void StartRead() {
    auto read = std::make_shared<Read>();
    read->started = clock_.Now();
    reads_.push_back(read);
    handles_.push_back(
        reader_->Get("https://up.test/1.1/x.json", "/1.1/x.json",
                     clock_.Now() + absl::Seconds(5),
                     [this, read](absl::StatusOr<http::HttpResponse> r) {
                       read->finished = clock_.Now();
                       read->status = r.status();
                     }));
  }

  // A read every 10 ms for `span`, timers run as their time comes.
  void Load(absl::Duration span) {
    const absl::Time end = clock_.Now() + span;
    while (clock_.Now() < end) {
      StartRead();
      clock_.Advance(absl::Milliseconds(10));
      scheduler_.RunDue();
    }
  }

  // Every read so far finished, quickly, with `code` and `reason`.
  void ExpectEveryReadFailedFast(absl::StatusCode code,
                                 absl::string_view reason) {
    for (const auto& read : reads_) {
      ASSERT_TRUE(read->finished.has_value()) << "a read was left hanging";
      EXPECT_THAT(read->status, StatusIs(code));
      EXPECT_EQ(ErrorReason(read->status), reason);
      // The reader's own two UNAVAILABLE retries are all the waiting there is.
      EXPECT_LE(*read->finished - read->started, absl::Milliseconds(200));
    }
  }

  // 10 s of reads every 10 ms against the failing upstream: at most 10
  // token requests (and some: perch keeps trying), every read failing fast.
  void ExpectTenSecondsCostAtMostTenTokenRequests(absl::StatusCode code,
                                                  absl::string_view reason) {
    Load(absl::Seconds(10));
    EXPECT_LE(upstream_.token_requests, 10);
    EXPECT_GE(upstream_.token_requests, 4);
    EXPECT_EQ(reads_.size(), 1000u);
    ExpectEveryReadFailedFast(code, reason);
  }

  // Simulated time from now until a read succeeds, reads every 10 ms.
  absl::Duration TimeToRecover() {
    const absl::Time from = clock_.Now();
    for (int i = 0; i < 2000; ++i) {
      StartRead();
      clock_.Advance(absl::Milliseconds(10));
      scheduler_.RunDue();
      for (const auto& read : reads_) {
        if (read->finished.has_value() && read->status.ok()) {
          return *read->finished - from;
        }
      }
    }
    return absl::InfiniteDuration();
  }

  FakeClock clock_;
  double unit_ = 0.0;  // the shortest waits: the most token requests
  ScriptedUpstream upstream_;
  FakeHttpTransport transport_;
  ClockScheduler scheduler_;
  InlineExecutor executor_;
  auth::CachingTokenSource tokens_;
  std::unique_ptr<upstream::UpstreamReader> reader_;
  std::vector<std::shared_ptr<Read>> reads_;
  std::vector<std::shared_ptr<upstream::ReadHandle>> handles_;
};

TEST_F(TokenBackoffTest,
       AlwaysRejectingUpstreamCostsAtMostTenTokenRequestsIn10s) {
  upstream_.reject_every_token = true;
  ExpectTenSecondsCostAtMostTenTokenRequests(absl::StatusCode::kUnauthenticated,
                                             "BEARER_TOKEN_REJECTED");
}

TEST_F(TokenBackoffTest, TokenEndpointDownCostsAtMostTenTokenRequestsIn10s) {
  upstream_.token_endpoint_down = true;
  ExpectTenSecondsCostAtMostTenTokenRequests(absl::StatusCode::kUnavailable,
                                             "UPSTREAM_UNAVAILABLE");
}

// A token request that times out is a failure like a 503: the reads fail
// fast with UNAVAILABLE (their own deadlines have not passed) while perch
// backs off.
TEST_F(TokenBackoffTest,
       TokenEndpointTimingOutCostsAtMostTenTokenRequestsIn10s) {
  upstream_.token_endpoint_times_out = true;
  ExpectTenSecondsCostAtMostTenTokenRequests(absl::StatusCode::kUnavailable,
                                             "UPSTREAM_UNAVAILABLE");
}

TEST_F(TokenBackoffTest, TwoQuickInvalidationsRecoverAtOnce) {
  unit_ = 0.999;  // a backoff, if any, would be long
  StartRead();
  ASSERT_TRUE(reads_.back()->status.ok());
  for (int i = 0; i < 2; ++i) {
    upstream_.RevokeLiveToken();
    clock_.Advance(absl::Milliseconds(100));
    // The next read meets 401/89, re-obtains and retries: no error, and not
    // a moment of simulated time spent waiting.
    const absl::Time before = clock_.Now();
    StartRead();
    ASSERT_TRUE(reads_.back()->finished.has_value());
    EXPECT_TRUE(reads_.back()->status.ok()) << reads_.back()->status;
    EXPECT_EQ(*reads_.back()->finished, before);
  }
  EXPECT_EQ(upstream_.token_requests, 3);
}

TEST_F(TokenBackoffTest, ReadsRecoverWithinFiveSecondsOfTheTokenEndpoint) {
  unit_ = 0.999;  // the longest waits: the slowest recovery
  upstream_.token_endpoint_down = true;
  Load(absl::Seconds(60));
  upstream_.token_endpoint_down = false;
  EXPECT_LE(TimeToRecover(), absl::Seconds(5));
}

TEST_F(TokenBackoffTest, ReadsRecoverWithinFiveSecondsOfTokensBeingAccepted) {
  unit_ = 0.999;
  upstream_.reject_every_token = true;
  Load(absl::Seconds(60));
  upstream_.reject_every_token = false;
  EXPECT_LE(TimeToRecover(), absl::Seconds(5));
  // Recovered for good: an invalidation afterwards costs one token request
  // and no failed read.
  const int requests = upstream_.token_requests;
  reads_.clear();
  upstream_.RevokeLiveToken();
  StartRead();
  EXPECT_TRUE(reads_.back()->status.ok()) << reads_.back()->status;
  EXPECT_EQ(upstream_.token_requests, requests + 1);
}

TEST_F(TokenBackoffTest, ReadsWhileBackingOffFailFastWithTheLastStatus) {
  upstream_.token_endpoint_down = true;
  Load(absl::Milliseconds(50));  // two failures: a backoff is in force
  reads_.clear();
  const int requests = upstream_.token_requests;
  StartRead();
  clock_.Advance(absl::Milliseconds(100));
  scheduler_.RunDue();
  ASSERT_TRUE(reads_.back()->finished.has_value());
  EXPECT_EQ(upstream_.token_requests, requests);
  const absl::Status& s = reads_.back()->status;
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable));
  auto info = GetErrorInfo(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "UPSTREAM_UNAVAILABLE");
  EXPECT_EQ(info->metadata().at("http_status"), "503");
  EXPECT_EQ(info->metadata().at("upstream_code"), "130");
  EXPECT_TRUE(GetRetryInfo(s).has_value());
}

}  // namespace
}  // namespace perch
