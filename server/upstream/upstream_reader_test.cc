#include "server/upstream/upstream_reader.h"

#include <memory>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "server/auth/fake_token_source.h"
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
    tokens_ =
        std::make_unique<auth::CachingTokenSource>(std::move(fake), clock_);
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

  std::string LastAuthorization() {
    auto requests = transport_.requests();
    for (const auto& [name, value] : requests.back().headers) {
      if (name == "Authorization") return value;
    }
    return "";
  }

  FakeClock clock_;
  FakeHttpTransport transport_;  // holds every request until completed
  ManualScheduler scheduler_;
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

}  // namespace
}  // namespace perch::upstream
