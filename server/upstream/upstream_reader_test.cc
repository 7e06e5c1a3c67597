#include "server/upstream/upstream_reader.h"

#include <memory>
#include <optional>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth/testing/caching_fake_token_source.h"
#include "server/common/call_context.h"
#include "server/common/errors.h"
#include "server/common/testing/fake_clock.h"
#include "server/common/testing/inline_executor.h"
#include "server/common/testing/manual_scheduler.h"
#include "server/metrics/text_format.h"
#include "tests/testing/fake_http_transport.h"
#include "tests/testing/status_matchers.h"

namespace perch::upstream {
namespace {

using ::perch::auth::testing::CachingFakeTokenSource;
using ::perch::auth::testing::FakeTokenSource;
using ::perch::testing::FakeClock;
using ::perch::testing::FakeHttpTransport;
using ::perch::testing::InlineExecutor;
using ::perch::testing::IsOk;
using ::perch::testing::ManualScheduler;
using ::perch::testing::StatusIs;
using ::testing::Optional;

http::HttpResponse Error(int status, int code) {
  return FakeHttpTransport::Response(
      status,
      absl::StrCat(R"({"errors":[{"code":)", code, R"(,"message":"m"}]})"));
}

class UpstreamReaderTest : public ::testing::Test {
 protected:
  UpstreamReaderTest() {
    reader_ = MakeAuthenticatedReader(
        transport_, tokens_.cache(), tokens_.cache(), scheduler_, executor_,
        clock_, RetryPolicy{}, [] { return 0.5; });
  }

  struct Result {
    std::optional<absl::StatusOr<http::HttpResponse>> value;
  };

  std::shared_ptr<Result> Read(absl::Duration timeout = absl::Seconds(10)) {
    auto result = std::make_shared<Result>();
    handles_.push_back(reader_->Get(
        "https://up.test/1.1/x.json", "/1.1/x.json", clock_.Now() + timeout,
        [result](absl::StatusOr<http::HttpResponse> r) { result->value = r; }));
    return result;
  }

  void GiveToken(std::string value) {
    ASSERT_TRUE(tokens_fake_.AnswerFetch(
        auth::BearerToken{std::move(value), clock_.Now(), false}));
  }

  std::string LastAuthorization() { return LastHeader("Authorization"); }

  // Both reads hold a request made with the second token: each is rejected
  // too. Both must end UNAUTHENTICATED with a RetryInfo (the holder backs
  // off after two rejected tokens), and no third token is asked for.
  void ExpectBothRejectedAlike(const std::shared_ptr<Result>& first,
                               const std::shared_ptr<Result>& second) {
    ASSERT_EQ(transport_.pending(), 2u);
    transport_.CompleteNext(Error(401, 89));
    transport_.CompleteNext(Error(401, 89));
    for (const auto& r : {first, second}) {
      ASSERT_THAT(r->value,
                  Optional(StatusIs(absl::StatusCode::kUnauthenticated)));
      EXPECT_EQ(ErrorReason(r->value->status()), "BEARER_TOKEN_REJECTED");
      EXPECT_TRUE(GetRetryInfo(r->value->status()).has_value())
          << r->value->status();
    }
    EXPECT_EQ(tokens_fake_.fetches(), 2);
    EXPECT_EQ(transport_.pending(), 0u);
  }

  std::string LastHeader(absl::string_view wanted) {
    auto requests = transport_.requests();
    for (const auto& [name, value] : requests.back().headers) {
      if (name == wanted) return value;
    }
    return "";
  }

  FakeClock clock_;
  FakeHttpTransport transport_;  // holds every request until completed
  ManualScheduler scheduler_;
  // The token holder's waiter deadlines, apart from the retry timers above.
  ManualScheduler token_timers_;
  InlineExecutor executor_;
  CachingFakeTokenSource tokens_{clock_, token_timers_};
  FakeTokenSource& tokens_fake_ = tokens_.fake();
  std::unique_ptr<UpstreamReader> reader_;
  std::vector<std::shared_ptr<ReadHandle>> handles_;
};

TEST_F(UpstreamReaderTest, SendsTheTokenVerbatimAsBearer) {
  auto r = Read();
  GiveToken("AAAA%2FB%3D");
  EXPECT_EQ(LastAuthorization(), "Bearer AAAA%2FB%3D");
  transport_.CompleteNext(FakeHttpTransport::Response(200, "[]"));
  ASSERT_THAT(r->value, Optional(IsOk()));
  EXPECT_EQ((*r->value)->body, "[]");
}

TEST_F(UpstreamReaderTest, RejectedTokenIsReobtainedOnceAndTheReadRetried) {
  auto r = Read();
  GiveToken("OLD");
  transport_.CompleteNext(Error(401, 89));
  EXPECT_EQ(tokens_fake_.fetches(), 2);
  GiveToken("NEW");
  EXPECT_EQ(LastAuthorization(), "Bearer NEW");
  transport_.CompleteNext(FakeHttpTransport::Response(200, "[]"));
  EXPECT_THAT(r->value, Optional(IsOk()));
}

TEST_F(UpstreamReaderTest, SecondRejectionIsUnauthenticated) {
  auto r = Read();
  GiveToken("OLD");
  transport_.CompleteNext(Error(401, 89));
  GiveToken("NEW");
  transport_.CompleteNext(Error(401, 89));
  ASSERT_THAT(r->value, Optional(StatusIs(absl::StatusCode::kUnauthenticated)));
  EXPECT_EQ(ErrorReason(r->value->status()), "BEARER_TOKEN_REJECTED");
  EXPECT_EQ(tokens_fake_.fetches(), 2);
  // Two fresh tokens rejected in a row: the holder forgot the second too and
  // backs off; the answer says for how long (TokenBackoff: 0.5 to 1 s).
  EXPECT_FALSE(tokens_.cache().Held().has_value());
  auto retry = GetRetryInfo(r->value->status());
  ASSERT_TRUE(retry.has_value());
  EXPECT_GE(retry->retry_delay().seconds() * 1000 +
                retry->retry_delay().nanos() / 1000000,
            500);
  EXPECT_LE(retry->retry_delay().seconds(), 1);
}

// GetList's two parallel reads (issue 13's flake): whether the second read
// starts with the first token or only during the first read's re-obtain (its
// first token is then the new one), both end alike, with the same details,
// and no third token is asked for.
TEST_F(UpstreamReaderTest, ParallelReadsRejectedTwiceAnswerAlike) {
  auto first = Read();
  auto second = Read();
  GiveToken("OLD");
  transport_.CompleteNext(Error(401, 89));
  transport_.CompleteNext(Error(401, 89));
  GiveToken("NEW");
  ExpectBothRejectedAlike(first, second);
}

TEST_F(UpstreamReaderTest, ReadStartedDuringTheReobtainAnswersAlike) {
  auto first = Read();
  GiveToken("OLD");
  transport_.CompleteNext(Error(401, 89));
  auto second = Read();  // joins the re-obtain: its first token is NEW
  GiveToken("NEW");
  ExpectBothRejectedAlike(first, second);
}

TEST_F(UpstreamReaderTest, V2UnauthorizedProblemIsReobtainedOnceThenFinal) {
  // v2 answers a revoked bearer with 401 about:blank, not 401/89.
  const http::HttpResponse unauthorized = FakeHttpTransport::Response(
      401,
      R"({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"})");
  auto r = Read();
  GiveToken("OLD");
  transport_.CompleteNext(unauthorized);
  EXPECT_EQ(tokens_fake_.fetches(), 2);
  GiveToken("NEW");
  EXPECT_EQ(LastAuthorization(), "Bearer NEW");
  transport_.CompleteNext(unauthorized);
  ASSERT_THAT(r->value, Optional(StatusIs(absl::StatusCode::kUnauthenticated)));
  EXPECT_EQ(ErrorReason(r->value->status()), "BEARER_TOKEN_REJECTED");
  EXPECT_EQ(tokens_fake_.fetches(), 2);
}

TEST_F(UpstreamReaderTest, ConcurrentRejectionsShareOneReobtain) {
  std::vector<std::shared_ptr<Result>> results;
  for (int i = 0; i < 100; ++i) results.push_back(Read());
  GiveToken("OLD");
  ASSERT_EQ(transport_.pending(), 100u);
  for (int i = 0; i < 100; ++i) transport_.CompleteNext(Error(401, 89));
  EXPECT_EQ(tokens_fake_.fetches(), 2);
  GiveToken("NEW");
  ASSERT_EQ(transport_.pending(), 100u);
  for (int i = 0; i < 100; ++i) {
    transport_.CompleteNext(FakeHttpTransport::Response(200, "[]"));
  }
  for (const auto& r : results) {
    EXPECT_THAT(r->value, Optional(IsOk()));
  }
}

TEST_F(UpstreamReaderTest, UnavailableIsRetriedTwiceWithBackoffThenReported) {
  auto r = Read();
  GiveToken("T");
  transport_.CompleteNext(Error(503, 130));
  EXPECT_FALSE(r->value.has_value());
  EXPECT_EQ(scheduler_.RunAll(), 1);
  transport_.CompleteNext(absl::UnavailableError("connection reset"));
  EXPECT_EQ(scheduler_.RunAll(), 1);
  transport_.CompleteNext(Error(500, 131));
  ASSERT_THAT(r->value, Optional(StatusIs(absl::StatusCode::kUnavailable)));
  EXPECT_EQ(ErrorReason(r->value->status()), "UPSTREAM_UNAVAILABLE");
  EXPECT_EQ(transport_.requests().size(), 3u);
  // Exponential, jittered (0.5 of the ceiling here).
  EXPECT_EQ(scheduler_.delays(),
            (std::vector<absl::Duration>{absl::Milliseconds(25),
                                         absl::Milliseconds(50)}));
}

TEST_F(UpstreamReaderTest, RetryThatSucceedsReturnsTheResponse) {
  auto r = Read();
  GiveToken("T");
  transport_.CompleteNext(Error(502, 0));
  scheduler_.RunAll();
  transport_.CompleteNext(FakeHttpTransport::Response(200, "{}"));
  EXPECT_THAT(r->value, Optional(IsOk()));
}

// perch_upstream_* by the endpoint's route template: every attempt by status
// class, the retry, a connection failure, the bytes, the last rate-limit
// window, and a 429 as throttled.
TEST_F(UpstreamReaderTest, RecordsEachRequestRetryAndRateWindow) {
  metrics::Registry registry;
  metrics::PerchMetrics perch_metrics(registry, clock_, {});
  reader_ = MakeAuthenticatedReader(
      transport_, tokens_.cache(), tokens_.cache(), scheduler_, executor_,
      clock_, RetryPolicy{}, [] { return 0.5; }, &perch_metrics.upstream());
  auto r = Read();
  GiveToken("T");
  transport_.CompleteNext(Error(503, 130));
  scheduler_.RunAll();
  transport_.CompleteNext(absl::UnavailableError("connection refused"));
  scheduler_.RunAll();
  transport_.CompleteNext(
      FakeHttpTransport::Response(200, "[1,2]",
                                  {{"x-rate-limit-limit", "900"},
                                   {"x-rate-limit-remaining", "897"},
                                   {"x-rate-limit-reset", "1764757000"}}));
  EXPECT_THAT(r->value, Optional(IsOk()));
  auto limited = Read();
  transport_.CompleteNext(Error(429, 88));
  ASSERT_TRUE(limited->value.has_value());

  const std::string text = metrics::FormatText(registry.Collect());
  const std::string e = "endpoint=\"1.1/x.json\"";
  for (const std::string& line : {
           absl::StrCat("perch_upstream_requests_total{", e,
                        ",status_class=\"2xx\"} 1\n"),
           absl::StrCat("perch_upstream_requests_total{", e,
                        ",status_class=\"4xx\"} 1\n"),
           absl::StrCat("perch_upstream_requests_total{", e,
                        ",status_class=\"5xx\"} 1\n"),
           absl::StrCat("perch_upstream_requests_total{", e,
                        ",status_class=\"transport_error\"} 1\n"),
           absl::StrCat("perch_upstream_connection_failures_total{", e,
                        "} 1\n"),
           absl::StrCat("perch_upstream_retries_total{", e, "} 2\n"),
           absl::StrCat("perch_upstream_request_duration_seconds_count{", e,
                        "} 4\n"),
           absl::StrCat("perch_upstream_rate_limit{", e, "} 900\n"),
           absl::StrCat("perch_upstream_rate_remaining{", e, "} 897\n"),
           absl::StrCat("perch_upstream_rate_reset_timestamp_seconds{", e,
                        "} 1764757000\n"),
           absl::StrCat("perch_upstream_throttled_total{", e,
                        ",reason=\"rate_limit\"} 1\n"),
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
  }
}

TEST_F(UpstreamReaderTest, RateLimitIsNeverRetried) {
  auto r = Read();
  GiveToken("T");
  transport_.CompleteNext(Error(429, 88));
  ASSERT_THAT(r->value,
              Optional(StatusIs(absl::StatusCode::kResourceExhausted)));
  EXPECT_EQ(scheduler_.RunAll(), 0);
  EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(UpstreamReaderTest, NoRetryWhenTheBackoffWouldPassTheDeadline) {
  auto r = Read(absl::Milliseconds(10));
  GiveToken("T");
  transport_.CompleteNext(Error(503, 130));
  ASSERT_THAT(r->value, Optional(StatusIs(absl::StatusCode::kUnavailable)));
  EXPECT_EQ(scheduler_.RunAll(), 0);
}

TEST_F(UpstreamReaderTest, CancelFinishesAtOnceAndAbortsTheRequest) {
  auto r = Read();
  GiveToken("T");
  ASSERT_EQ(transport_.pending(), 1u);
  handles_.back()->Cancel();
  ASSERT_THAT(r->value, Optional(StatusIs(absl::StatusCode::kCancelled)));
  EXPECT_EQ(transport_.cancelled(), 1);
}

TEST_F(UpstreamReaderTest, TokenEndpointUnavailabilityIsRetriedLikeARead) {
  auto r = Read();
  ASSERT_TRUE(tokens_fake_.AnswerFetch(absl::UnavailableError("503")));
  EXPECT_FALSE(r->value.has_value());
  EXPECT_EQ(scheduler_.RunAll(), 1);
  GiveToken("T");
  transport_.CompleteNext(FakeHttpTransport::Response(200, "[]"));
  EXPECT_THAT(r->value, Optional(IsOk()));
}

TEST_F(UpstreamReaderTest, TokenRejectionIsNotRetried) {
  auto r = Read();
  ASSERT_TRUE(tokens_fake_.AnswerFetch(
      MakeError(absl::StatusCode::kUnauthenticated, "no",
                "APP_CREDENTIALS_REJECTED", kUpstreamDomain)));
  ASSERT_THAT(r->value, Optional(StatusIs(absl::StatusCode::kUnauthenticated)));
  EXPECT_EQ(scheduler_.RunAll(), 0);
}

// Every request a read makes for an RPC, retries included (started from
// the scheduler, outside the handler's thread), carries the RPC's
// traceparent and counts towards it; the read's answer runs with the RPC
// current again, so a dialect's next step is made for it too.
TEST_F(UpstreamReaderTest, EveryRequestCarriesTheCallsTraceparentAndCounts) {
  TraceContext trace;
  trace.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  trace.span_id = "00f067aa0ba902b7";
  trace.flags = 1;
  auto call = std::make_shared<CallContext>(trace);
  auto result = std::make_shared<Result>();
  std::shared_ptr<CallContext> current_in_answer;
  {
    const CallContext::Scope scope(call);
    handles_.push_back(
        reader_->Get("https://up.test/1.1/x.json", "/1.1/x.json",
                     clock_.Now() + absl::Seconds(10),
                     [&, result](absl::StatusOr<http::HttpResponse> r) {
                       current_in_answer = CallContext::Current();
                       result->value = r;
                     }));
  }
  GiveToken("T");
  const std::string expected =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  EXPECT_EQ(LastHeader("traceparent"), expected);
  transport_.CompleteNext(Error(502, 0));
  scheduler_.RunAll();
  EXPECT_EQ(LastHeader("traceparent"), expected);
  transport_.CompleteNext(FakeHttpTransport::Response(200, "{}"));
  ASSERT_TRUE(result->value.has_value());
  EXPECT_EQ(call->upstream_requests(), 2);
  EXPECT_EQ(current_in_answer, call);
  EXPECT_EQ(CallContext::Current(), nullptr);
}

TEST_F(UpstreamReaderTest, AReadForNoCallSendsNoTraceparent) {
  auto r = Read();
  GiveToken("T");
  EXPECT_EQ(LastHeader("traceparent"), "");
  transport_.CompleteNext(FakeHttpTransport::Response(200, "{}"));
  ASSERT_TRUE(r->value.has_value());
}

}  // namespace
}  // namespace perch::upstream
