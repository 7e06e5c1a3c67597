#include "server/upstream/upstream_reader.h"

#include <memory>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "server/auth/fake_token_source.h"
#include "server/common/call_context.h"
#include "server/common/errors.h"
#include "tests/testing/fake_http_transport.h"

namespace perch::upstream {
namespace {

using ::perch::testing::FakeHttpTransport;

http::HttpResponse Error(int status, int code) {
  return FakeHttpTransport::Response(
      status,
      absl::StrCat(R"({"errors":[{"code":)", code, R"(,"message":"m"}]})"));
}

class UpstreamReaderTest : public ::testing::Test {
 protected:
  UpstreamReaderTest() {
    auto fake = std::make_unique<auth::FakeTokenSource>();
    tokens_fake_ = fake.get();
    tokens_ = std::make_unique<auth::CachingTokenSource>(std::move(fake),
                                                         clock_, token_timers_);
    reader_ =
        MakeAuthenticatedReader(transport_, *tokens_, scheduler_, executor_,
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
    ASSERT_TRUE(tokens_fake_->AnswerFetch(
        auth::BearerToken{std::move(value), clock_.Now(), false}));
  }

  std::string LastAuthorization() { return LastHeader("Authorization"); }

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
  auth::FakeTokenSource* tokens_fake_;
  std::unique_ptr<auth::CachingTokenSource> tokens_;
  std::unique_ptr<UpstreamReader> reader_;
  std::vector<std::shared_ptr<ReadHandle>> handles_;
};

TEST_F(UpstreamReaderTest, SendsTheTokenVerbatimAsBearer) {
  auto r = Read();
  GiveToken("AAAA%2FB%3D");
  EXPECT_EQ(LastAuthorization(), "Bearer AAAA%2FB%3D");
  transport_.CompleteNext(FakeHttpTransport::Response(200, "[]"));
  ASSERT_TRUE(r->value.has_value());
  ASSERT_TRUE(r->value->ok());
  EXPECT_EQ((*r->value)->body, "[]");
}

TEST_F(UpstreamReaderTest, RejectedTokenIsReobtainedOnceAndTheReadRetried) {
  auto r = Read();
  GiveToken("OLD");
  transport_.CompleteNext(Error(401, 89));
  EXPECT_EQ(tokens_fake_->fetches(), 2);
  GiveToken("NEW");
  EXPECT_EQ(LastAuthorization(), "Bearer NEW");
  transport_.CompleteNext(FakeHttpTransport::Response(200, "[]"));
  ASSERT_TRUE(r->value.has_value());
  EXPECT_TRUE(r->value->ok());
}

TEST_F(UpstreamReaderTest, SecondRejectionIsUnauthenticated) {
  auto r = Read();
  GiveToken("OLD");
  transport_.CompleteNext(Error(401, 89));
  GiveToken("NEW");
  transport_.CompleteNext(Error(401, 89));
  ASSERT_TRUE(r->value.has_value());
  EXPECT_EQ(r->value->status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ErrorReason(r->value->status()), "BEARER_TOKEN_REJECTED");
  EXPECT_EQ(tokens_fake_->fetches(), 2);
}

TEST_F(UpstreamReaderTest, V2UnauthorizedProblemIsReobtainedOnceThenFinal) {
  // v2 answers a revoked bearer with 401 about:blank, not 401/89.
  const http::HttpResponse unauthorized = FakeHttpTransport::Response(
      401,
      R"({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"})");
  auto r = Read();
  GiveToken("OLD");
  transport_.CompleteNext(unauthorized);
  EXPECT_EQ(tokens_fake_->fetches(), 2);
  GiveToken("NEW");
  EXPECT_EQ(LastAuthorization(), "Bearer NEW");
  transport_.CompleteNext(unauthorized);
  ASSERT_TRUE(r->value.has_value());
  EXPECT_EQ(r->value->status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ErrorReason(r->value->status()), "BEARER_TOKEN_REJECTED");
  EXPECT_EQ(tokens_fake_->fetches(), 2);
}

TEST_F(UpstreamReaderTest, ConcurrentRejectionsShareOneReobtain) {
  std::vector<std::shared_ptr<Result>> results;
  for (int i = 0; i < 100; ++i) results.push_back(Read());
  GiveToken("OLD");
  ASSERT_EQ(transport_.pending(), 100u);
  for (int i = 0; i < 100; ++i) transport_.CompleteNext(Error(401, 89));
  EXPECT_EQ(tokens_fake_->fetches(), 2);
  GiveToken("NEW");
  ASSERT_EQ(transport_.pending(), 100u);
  for (int i = 0; i < 100; ++i) {
    transport_.CompleteNext(FakeHttpTransport::Response(200, "[]"));
  }
  for (const auto& r : results) {
    ASSERT_TRUE(r->value.has_value());
    EXPECT_TRUE(r->value->ok());
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
  ASSERT_TRUE(r->value.has_value());
  EXPECT_EQ(r->value->status().code(), absl::StatusCode::kUnavailable);
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
  ASSERT_TRUE(r->value.has_value());
  EXPECT_TRUE(r->value->ok());
}

TEST_F(UpstreamReaderTest, RateLimitIsNeverRetried) {
  auto r = Read();
  GiveToken("T");
  transport_.CompleteNext(Error(429, 88));
  ASSERT_TRUE(r->value.has_value());
  EXPECT_EQ(r->value->status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(scheduler_.RunAll(), 0);
  EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(UpstreamReaderTest, NoRetryWhenTheBackoffWouldPassTheDeadline) {
  auto r = Read(absl::Milliseconds(10));
  GiveToken("T");
  transport_.CompleteNext(Error(503, 130));
  ASSERT_TRUE(r->value.has_value());
  EXPECT_EQ(r->value->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(scheduler_.RunAll(), 0);
}

TEST_F(UpstreamReaderTest, CancelFinishesAtOnceAndAbortsTheRequest) {
  auto r = Read();
  GiveToken("T");
  ASSERT_EQ(transport_.pending(), 1u);
  handles_.back()->Cancel();
  ASSERT_TRUE(r->value.has_value());
  EXPECT_EQ(r->value->status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(transport_.cancelled(), 1);
}

TEST_F(UpstreamReaderTest, TokenEndpointUnavailabilityIsRetriedLikeARead) {
  auto r = Read();
  ASSERT_TRUE(tokens_fake_->AnswerFetch(absl::UnavailableError("503")));
  EXPECT_FALSE(r->value.has_value());
  EXPECT_EQ(scheduler_.RunAll(), 1);
  GiveToken("T");
  transport_.CompleteNext(FakeHttpTransport::Response(200, "[]"));
  ASSERT_TRUE(r->value.has_value());
  EXPECT_TRUE(r->value->ok());
}

TEST_F(UpstreamReaderTest, TokenRejectionIsNotRetried) {
  auto r = Read();
  ASSERT_TRUE(tokens_fake_->AnswerFetch(
      MakeError(absl::StatusCode::kUnauthenticated, "no",
                "APP_CREDENTIALS_REJECTED", kUpstreamDomain)));
  ASSERT_TRUE(r->value.has_value());
  EXPECT_EQ(r->value->status().code(), absl::StatusCode::kUnauthenticated);
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
