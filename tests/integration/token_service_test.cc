// TokenService end to end: perch server + emulator on loopback, generated
// stubs, every token outcome of UPSTREAM.md mapped to its code and ErrorInfo.
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "tests/integration/perch_harness.h"
#include "tests/testing/status_matchers.h"

namespace perch::testing {
namespace {

using emulator::FaultRule;

grpc::Status Obtain(PerchHarness& h, v1::ObtainResponse* out,
                    absl::Duration timeout = absl::Seconds(10)) {
  auto context = ContextWithTimeout(timeout);
  return h.tokens().Obtain(context.get(), v1::ObtainRequest(), out);
}

grpc::Status Invalidate(PerchHarness& h, v1::InvalidateResponse* out) {
  auto context = ContextWithTimeout();
  return h.tokens().Invalidate(context.get(), v1::InvalidateRequest(), out);
}

// Adds a fault on the token endpoint, whose outcome `set` fills in.
void FaultTokenEndpoint(PerchHarness& h,
                        const std::function<void(FaultRule&)>& set) {
  FaultRule rule;
  rule.path_prefix = "/oauth2/token";
  set(rule);
  h.emulator().AddFault(rule);
}

void ExpectUpstreamError(const grpc::Status& status, grpc::StatusCode code,
                         absl::string_view reason, absl::string_view http,
                         absl::string_view upstream_code) {
  EXPECT_THAT(status, StatusIs(code));
  google::rpc::ErrorInfo info = OnlyErrorInfo(status);
  EXPECT_EQ(info.reason(), reason);
  EXPECT_EQ(info.domain(), "api.twitter.com");
  EXPECT_EQ(info.metadata().at("http_status"), http);
  if (!upstream_code.empty()) {
    EXPECT_EQ(info.metadata().at("upstream_code"), upstream_code);
    EXPECT_FALSE(info.metadata().at("upstream_message").empty());
  }
}

TEST(TokenServiceIntegration, ColdObtainMakesOneUpstreamRequestFor200Callers) {
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  // Hold the token endpoint so every caller arrives while the fetch is in
  // flight.
  FaultTokenEndpoint(*h,
                     [](FaultRule& r) { r.latency = absl::Milliseconds(300); });

  constexpr int kCallers = 200;
  std::vector<grpc::Status> statuses(kCallers);
  std::vector<v1::ObtainResponse> responses(kCallers);
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  const v1::ObtainRequest request;
  absl::Mutex mu;
  int done = 0;
  for (int i = 0; i < kCallers; ++i) {
    contexts.push_back(ContextWithTimeout());
    h->tokens().async()->Obtain(contexts.back().get(), &request, &responses[i],
                                [&, i](grpc::Status s) {
                                  absl::MutexLock lock(&mu);
                                  statuses[i] = s;
                                  ++done;
                                });
  }
  {
    absl::MutexLock lock(&mu);
    ASSERT_TRUE(
        mu.AwaitWithTimeout(absl::Condition(
                                +[](int* d) { return *d == kCallers; }, &done),
                            absl::Seconds(30)));
  }
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(responses[i].token_fingerprint(),
              responses[0].token_fingerprint());
    EXPECT_EQ(responses[i].token_type(), "bearer");
  }
  EXPECT_EQ(h->emulator().RequestCount("/oauth2/token"), 1);
  EXPECT_EQ(h->server().upstream_token_fetches(), 1);
}

TEST(TokenServiceIntegration, SecondObtainIsServedFromCache) {
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  v1::ObtainResponse first, second;
  ASSERT_TRUE(Obtain(*h, &first).ok());
  ASSERT_TRUE(Obtain(*h, &second).ok());
  EXPECT_FALSE(first.from_cache());
  EXPECT_TRUE(second.from_cache());
  EXPECT_EQ(first.token_fingerprint(), second.token_fingerprint());
  EXPECT_EQ(first.token_fingerprint().size(), 12u);
  EXPECT_EQ(first.obtained_at().seconds(), second.obtained_at().seconds());
  EXPECT_GT(first.obtained_at().seconds(), 1600000000);
  EXPECT_EQ(h->emulator().RequestCount("/oauth2/token"), 1);
}

TEST(TokenServiceIntegration, InvalidateThenObtainYieldsADifferentToken) {
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  v1::ObtainResponse before, after;
  v1::InvalidateResponse invalidated;
  ASSERT_TRUE(Obtain(*h, &before).ok());
  grpc::Status s = Invalidate(*h, &invalidated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(invalidated.token_fingerprint(), before.token_fingerprint());
  EXPECT_EQ(h->emulator().RequestCount("/oauth2/invalidate_token"), 1);
  ASSERT_TRUE(Obtain(*h, &after).ok());
  EXPECT_FALSE(after.from_cache());
  EXPECT_NE(after.token_fingerprint(), before.token_fingerprint());
  EXPECT_EQ(h->emulator().TokensIssued(), 2);
}

TEST(TokenServiceIntegration, InvalidateOnAColdReplicaSaysNothingWasHeld) {
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  v1::InvalidateResponse invalidated;
  ASSERT_TRUE(Invalidate(*h, &invalidated).ok());
  EXPECT_TRUE(invalidated.nothing_held());
  EXPECT_EQ(invalidated.token_fingerprint(), "");
  EXPECT_EQ(h->emulator().RequestCount("/oauth2/token"), 0);
  EXPECT_EQ(h->emulator().RequestCount("/oauth2/invalidate_token"), 0);
  // Obtain, then Invalidate: the app's current token, on purpose.
  v1::ObtainResponse held, next;
  ASSERT_TRUE(Obtain(*h, &held).ok());
  ASSERT_TRUE(Invalidate(*h, &invalidated).ok());
  EXPECT_FALSE(invalidated.nothing_held());
  EXPECT_EQ(invalidated.token_fingerprint(), held.token_fingerprint());
  ASSERT_TRUE(Obtain(*h, &next).ok());
  EXPECT_NE(next.token_fingerprint(), invalidated.token_fingerprint());
}

TEST(TokenServiceIntegration, TokenWithPercentEscapesIsUsedVerbatim) {
  // Emulator tokens contain %2F and %3D. The emulator accepts a read or an
  // invalidation only with the token byte for byte as issued: a decoded
  // token (with '/' and '=') would be refused.
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  v1::ObtainResponse obtained;
  ASSERT_TRUE(Obtain(*h, &obtained).ok());
  v1::GetTimelineRequest read;
  read.set_screen_name("perch_dev");
  v1::GetTimelineResponse timeline;
  auto context = ContextWithTimeout();
  grpc::Status read_status =
      h->reads().GetTimeline(context.get(), read, &timeline);
  EXPECT_TRUE(read_status.ok()) << read_status.error_message();
  v1::InvalidateResponse invalidated;
  grpc::Status s = Invalidate(*h, &invalidated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(invalidated.token_fingerprint(), obtained.token_fingerprint());
}

TEST(TokenServiceIntegration, WrongCredentialsAreAppCredentialsRejected) {
  HarnessOptions options;
  options.credentials = auth::AppCredentials{"wrong-key", "wrong-secret"};
  auto h = PerchHarness::Start(options);
  ASSERT_NE(h, nullptr);
  v1::ObtainResponse out;
  grpc::Status s = Obtain(*h, &out);
  ExpectUpstreamError(s, grpc::StatusCode::UNAUTHENTICATED,
                      "APP_CREDENTIALS_REJECTED", "403", "99");
  EXPECT_EQ(s.error_message().find("wrong-secret"), std::string::npos);
}

TEST(TokenServiceIntegration, ForcedTokenEndpointErrorsMapToTheirCodes) {
  struct Case {
    int status, code;
    const char* message;
    grpc::StatusCode expected;
    const char* reason;
  };
  for (const Case& c : {
           Case{403, 170, "Missing required parameter: grant_type",
                grpc::StatusCode::UNAUTHENTICATED, "APP_CREDENTIALS_REJECTED"},
           Case{403, 99, "Unable to verify your credentials",
                grpc::StatusCode::UNAUTHENTICATED, "APP_CREDENTIALS_REJECTED"},
           Case{503, 130, "Over capacity", grpc::StatusCode::UNAVAILABLE,
                "UPSTREAM_UNAVAILABLE"},
           Case{500, 131, "Internal error", grpc::StatusCode::UNAVAILABLE,
                "UPSTREAM_UNAVAILABLE"},
       }) {
    SCOPED_TRACE(c.code);
    // A perch of its own per case: after a second failure in a row perch
    // backs off and answers with the last failure until the wait is over.
    auto h = PerchHarness::Start();
    ASSERT_NE(h, nullptr);
    FaultTokenEndpoint(*h, [&](FaultRule& r) {
      r.status = c.status;
      r.error_code = c.code;
      r.error_message = c.message;
      r.times = 1;
    });
    v1::ObtainResponse out;
    ExpectUpstreamError(Obtain(*h, &out), c.expected, c.reason,
                        absl::StrCat(c.status), absl::StrCat(c.code));
    // Nothing was cached by the failure: the next Obtain succeeds upstream.
    ASSERT_TRUE(Obtain(*h, &out).ok());
    EXPECT_FALSE(out.from_cache());
  }
}

TEST(TokenServiceIntegration, TooFrequentTokenRequestsAreRejected) {
  HarnessOptions options;
  options.emulator.max_token_requests_per_minute = 2;
  auto h = PerchHarness::Start(options);
  ASSERT_NE(h, nullptr);
  v1::ObtainResponse out;
  v1::InvalidateResponse invalidated;
  ASSERT_TRUE(Obtain(*h, &out).ok());  // token request 1
  ASSERT_TRUE(Invalidate(*h, &invalidated).ok());
  ASSERT_TRUE(Obtain(*h, &out).ok());  // token request 2
  ASSERT_TRUE(Invalidate(*h, &invalidated).ok());
  ExpectUpstreamError(Obtain(*h, &out), grpc::StatusCode::UNAUTHENTICATED,
                      "APP_CREDENTIALS_REJECTED", "403", "99");
}

TEST(TokenServiceIntegration, InvalidatingARevokedTokenIsTokenNotInvalidated) {
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  v1::ObtainResponse before;
  ASSERT_TRUE(Obtain(*h, &before).ok());
  h->emulator().RevokeCurrentToken();  // another replica did it
  v1::InvalidateResponse out;
  grpc::Status s = Invalidate(*h, &out);
  ExpectUpstreamError(s, grpc::StatusCode::FAILED_PRECONDITION,
                      "TOKEN_NOT_INVALIDATED", "403", "99");
  // The useless token was dropped: the next Obtain fetches a new one.
  v1::ObtainResponse after;
  ASSERT_TRUE(Obtain(*h, &after).ok());
  EXPECT_FALSE(after.from_cache());
  EXPECT_NE(after.token_fingerprint(), before.token_fingerprint());
}

TEST(TokenServiceIntegration, TokenTypeOtherThanBearerIsRejected) {
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  FaultTokenEndpoint(*h, [](FaultRule& r) {
    r.token_type = "mac";
    r.times = 1;
  });
  v1::ObtainResponse out;
  grpc::Status s = Obtain(*h, &out);
  ExpectUpstreamError(s, grpc::StatusCode::UNAUTHENTICATED,
                      "UNEXPECTED_TOKEN_TYPE", "200", "");
  EXPECT_EQ(OnlyErrorInfo(s).metadata().at("endpoint"), "/oauth2/token");
}

TEST(TokenServiceIntegration, MalformedAndDroppedAnswersAreMapped) {
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  FaultTokenEndpoint(*h, [](FaultRule& r) {
    r.malformed_body = true;
    r.times = 1;
  });
  v1::ObtainResponse out;
  grpc::Status s = Obtain(*h, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INTERNAL));
  EXPECT_EQ(OnlyErrorInfo(s).reason(), "UPSTREAM_MALFORMED_RESPONSE");

  // Every attempt is dropped: libcurl itself retries once on a fresh
  // connection when a reused one dies before answering. (A perch of its
  // own: a second failure in a row would start a backoff.)
  h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  FaultTokenEndpoint(*h, [](FaultRule& r) { r.drop_connection = true; });
  s = Obtain(*h, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::UNAVAILABLE));
  EXPECT_EQ(OnlyErrorInfo(s).reason(), "UPSTREAM_UNAVAILABLE");
  h->emulator().ClearFaults();
  EXPECT_TRUE(Obtain(*h, &out).ok());
}

TEST(TokenServiceIntegration, UpstreamDownIsUnavailable) {
  HarnessOptions options;
  // Port 1 on loopback: nothing listens there.
  options.upstream_url = "http://127.0.0.1:1";
  auto h = PerchHarness::Start(options);
  ASSERT_NE(h, nullptr);
  v1::ObtainResponse out;
  grpc::Status s = Obtain(*h, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::UNAVAILABLE));
  google::rpc::ErrorInfo info = OnlyErrorInfo(s);
  EXPECT_EQ(info.reason(), "UPSTREAM_UNAVAILABLE");
  EXPECT_EQ(info.domain(), "perch.v1");
}

// For calls that must end at their 400 ms deadline rather than wait for a
// slow upstream: the two are far apart, so a loaded machine's delays cannot
// blur them.
constexpr absl::Duration kSlowUpstream = absl::Seconds(60);
constexpr absl::Duration kLongBeforeTheUpstream = absl::Seconds(20);

TEST(TokenServiceIntegration, UpstreamSlowerThanTheDeadlineIsDeadlineExceeded) {
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  FaultTokenEndpoint(*h, [](FaultRule& r) { r.latency = kSlowUpstream; });
  v1::ObtainResponse out;
  const absl::Time start = absl::Now();
  grpc::Status s = Obtain(*h, &out, absl::Milliseconds(400));
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::DEADLINE_EXCEEDED));
  EXPECT_LT(absl::Now() - start, kLongBeforeTheUpstream);
}

TEST(TokenServiceIntegration, ServerSideCallTimeBoundsACallWithoutDeadline) {
  HarnessOptions options;
  options.server.max_call_time = absl::Milliseconds(400);
  auto h = PerchHarness::Start(options);
  ASSERT_NE(h, nullptr);
  FaultTokenEndpoint(*h, [](FaultRule& r) { r.latency = kSlowUpstream; });
  grpc::ClientContext no_deadline;
  v1::ObtainResponse out;
  const absl::Time start = absl::Now();
  grpc::Status s = h->tokens().Obtain(&no_deadline, {}, &out);
  EXPECT_LT(absl::Now() - start, kLongBeforeTheUpstream);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::DEADLINE_EXCEEDED));
  google::rpc::ErrorInfo info = OnlyErrorInfo(s);
  EXPECT_EQ(info.reason(), "DEADLINE_EXCEEDED");
  EXPECT_EQ(info.domain(), "perch.v1");
}

TEST(ServerStart, FailsCleanlyOnAnUnreadableCaFile) {
  ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.api_base_url = "https://127.0.0.1:1";
  config.ca_file = "/nonexistent/ca.pem";
  config.insecure_no_auth = true;
  auto server = PerchServer::Start(config, {"k", "s"});
  EXPECT_FALSE(server.ok());
}

TEST(ServerStart, FailsCleanlyWhenThePortIsTaken) {
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  ServerConfig config;
  config.listen = h->target();
  config.api_base_url = h->emulator().base_url();
  config.insecure_no_auth = true;
  auto second = PerchServer::Start(config, {"k", "s"});
  EXPECT_FALSE(second.ok());
}

TEST(TokenServiceIntegration, HttpsUpstreamTrustedThroughCaFile) {
  HarnessOptions options;
  options.tls = true;
  auto h = PerchHarness::Start(options);
  ASSERT_NE(h, nullptr);
  ASSERT_EQ(h->emulator().base_url().rfind("https://", 0), 0u);
  v1::ObtainResponse out;
  grpc::Status s = Obtain(*h, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST(TokenServiceIntegration,
     HttpsUpstreamWithAnUntrustedCertificateIsUnavailable) {
  HarnessOptions options;
  options.tls = true;
  options.server.ca_file = PERCH_TEST_CERT_DIR "/other_ca.pem";
  auto h = PerchHarness::Start(options);
  ASSERT_NE(h, nullptr);
  v1::ObtainResponse out;
  grpc::Status s = Obtain(*h, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::UNAVAILABLE));
  EXPECT_EQ(h->emulator().RequestCount("/oauth2/token"), 0);
}

}  // namespace
}  // namespace perch::testing
