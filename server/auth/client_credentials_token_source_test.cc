#include "server/auth/client_credentials_token_source.h"

#include <map>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "server/common/call_context.h"
#include "server/common/errors.h"
#include "server/common/testing/fake_clock.h"
#include "tests/testing/fake_http_transport.h"
#include "tests/testing/status_matchers.h"

namespace perch::auth {
namespace {

using ::perch::testing::FakeClock;
using ::perch::testing::FakeHttpTransport;
using ::perch::testing::StatusIs;

constexpr char kSpecBasic[] =
    "Basic eHZ6MWV2RlM0d0VFUFRHRUZQSEJvZzpMOHFxOVBaeVJnNmllS0dFS2hab2xHQzB2SldM"
    "dzhpRUo4OERSZHlPZw==";

AppCredentials SpecCredentials() {
  return {"xvz1evFS4wEEPTGEFPHBog",
          "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg"};
}

std::optional<std::string> HeaderOf(const http::HttpRequest& r,
                                    absl::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return std::nullopt;
}

// The app's side of UNAUTHENTICATED: `reason` in the upstream's domain,
// never the caller gate's perch.v1 (docs/api.md), with each of `metadata`.
void ExpectAppUnauthenticated(
    const absl::Status& status, absl::string_view reason,
    const std::map<std::string, std::string>& metadata) {
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated));
  auto info = GetErrorInfo(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), reason);
  EXPECT_EQ(info->domain(), "api.twitter.com");
  for (const auto& [key, value] : metadata) {
    ASSERT_EQ(info->metadata().count(key), 1u) << key;
    EXPECT_EQ(info->metadata().at(key), value) << key;
  }
}

class ClientCredentialsTokenSourceTest : public ::testing::Test {
 protected:
  absl::StatusOr<BearerToken> FetchWith(FakeHttpTransport::Handler handler) {
    transport_ = std::make_unique<FakeHttpTransport>(std::move(handler));
    ClientCredentialsTokenSource source(SpecCredentials(), "https://up.test",
                                        *transport_, clock_);
    absl::StatusOr<BearerToken> out = absl::UnknownError("no answer");
    source.Fetch(clock_.Now() + absl::Seconds(5),
                 [&](absl::StatusOr<BearerToken> r) { out = std::move(r); });
    return out;
  }
  absl::Status RevokeWith(std::string token,
                          FakeHttpTransport::Handler handler) {
    transport_ = std::make_unique<FakeHttpTransport>(std::move(handler));
    ClientCredentialsTokenSource source(SpecCredentials(), "https://up.test",
                                        *transport_, clock_);
    absl::Status out = absl::UnknownError("no answer");
    source.Revoke(std::move(token), clock_.Now() + absl::Seconds(5),
                  [&](absl::Status s) { out = std::move(s); });
    return out;
  }

  FakeClock clock_;
  std::unique_ptr<FakeHttpTransport> transport_;
};

TEST_F(ClientCredentialsTokenSourceTest, SendsExactlyTheSpecifiedTokenRequest) {
  auto token = FetchWith([](const http::HttpRequest&) {
    return FakeHttpTransport::Response(
        200, R"({"token_type":"bearer","access_token":"AAAA%2FBBB%3DCCC"})");
  });
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->value, "AAAA%2FBBB%3DCCC");  // byte for byte, not decoded
  EXPECT_EQ(token->obtained_at, clock_.Now());
  EXPECT_FALSE(token->from_cache);

  auto requests = transport_->requests();
  ASSERT_EQ(requests.size(), 1u);
  const http::HttpRequest& r = requests[0];
  EXPECT_EQ(r.method, http::HttpMethod::kPost);
  EXPECT_EQ(r.url, "https://up.test/oauth2/token");
  EXPECT_EQ(HeaderOf(r, "Authorization"), kSpecBasic);
  EXPECT_EQ(HeaderOf(r, "Content-Type"),
            "application/x-www-form-urlencoded;charset=UTF-8");
  EXPECT_EQ(r.body, "grant_type=client_credentials");
  EXPECT_EQ(r.deadline, clock_.Now() + absl::Seconds(5));
  // Never re-sent unseen by libcurl: the backoff's bound counts requests.
  EXPECT_TRUE(r.own_connection);
}

// A token request made while an RPC is current (a read that found no token,
// an Obtain) carries that RPC's traceparent and counts as its request; one
// made for no RPC carries none.
TEST_F(ClientCredentialsTokenSourceTest, CarriesTheCurrentCallsTraceparent) {
  auto grant = [](const http::HttpRequest&) {
    return FakeHttpTransport::Response(
        200, R"({"token_type":"bearer","access_token":"AAAA"})");
  };
  TraceContext trace;
  trace.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  trace.span_id = "00f067aa0ba902b7";
  auto call = std::make_shared<CallContext>(trace);
  {
    const CallContext::Scope scope(call);
    ASSERT_TRUE(FetchWith(grant).ok());
  }
  EXPECT_EQ(HeaderOf(transport_->requests()[0], "traceparent"),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  EXPECT_EQ(call->upstream_requests(), 1);
  ASSERT_TRUE(FetchWith(grant).ok());
  EXPECT_EQ(HeaderOf(transport_->requests()[0], "traceparent"), std::nullopt);
}

TEST_F(ClientCredentialsTokenSourceTest, RejectsTokenTypeOtherThanBearer) {
  auto token = FetchWith([](const http::HttpRequest&) {
    return FakeHttpTransport::Response(
        200, R"({"token_type":"mac","access_token":"SECRETVALUE"})");
  });
  ExpectAppUnauthenticated(token.status(), "UNEXPECTED_TOKEN_TYPE",
                           {{"endpoint", "/oauth2/token"},
                            {"http_status", "200"},
                            {"token_type", "mac"}});
  EXPECT_EQ(token.status().message().find("SECRETVALUE"), std::string::npos);
}

TEST_F(ClientCredentialsTokenSourceTest, Maps403Code99ToCredentialsRejected) {
  auto token = FetchWith([](const http::HttpRequest&) {
    return FakeHttpTransport::Response(
        403,
        R"({"errors":[{"code":99,"label":"authenticity_token_error","message":"Unable to verify your credentials"}]})");
  });
  ExpectAppUnauthenticated(
      token.status(), "APP_CREDENTIALS_REJECTED",
      {{"http_status", "403"},
       {"upstream_code", "99"},
       {"upstream_message", "Unable to verify your credentials"}});
}

TEST_F(ClientCredentialsTokenSourceTest, MalformedTokenBodyIsInternal) {
  auto token = FetchWith([](const http::HttpRequest&) {
    return FakeHttpTransport::Response(200, R"({"token_type":"bearer","acc)");
  });
  EXPECT_THAT(token.status(), StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(ErrorReason(token.status()), "UPSTREAM_MALFORMED_RESPONSE");
}

TEST_F(ClientCredentialsTokenSourceTest, TransportFailurePassesThrough) {
  auto token = FetchWith([](const http::HttpRequest&) {
    return absl::UnavailableError("connection refused");
  });
  EXPECT_THAT(token.status(), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(ClientCredentialsTokenSourceTest, RevokeFormEncodesTheTokenItsPercents) {
  absl::Status s = RevokeWith("AAAA%2FBB%3D", [](const http::HttpRequest&) {
    return FakeHttpTransport::Response(200,
                                       R"({"access_token":"AAAA%2FBB%3D"})");
  });
  EXPECT_TRUE(s.ok()) << s;
  auto requests = transport_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].url, "https://up.test/oauth2/invalidate_token");
  EXPECT_EQ(requests[0].body, "access_token=AAAA%252FBB%253D");
  EXPECT_EQ(HeaderOf(requests[0], "Authorization"), kSpecBasic);
  EXPECT_EQ(HeaderOf(requests[0], "Content-Type"),
            "application/x-www-form-urlencoded;charset=UTF-8");
  EXPECT_TRUE(requests[0].own_connection);
}

TEST_F(ClientCredentialsTokenSourceTest, RevokeOfWrongTokenIsNotInvalidated) {
  absl::Status s = RevokeWith("T", [](const http::HttpRequest&) {
    return FakeHttpTransport::Response(
        403,
        R"({"errors":[{"code":99,"label":"authenticity_token_error","message":"Unable to verify your credentials"}]})");
  });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ErrorReason(s), "TOKEN_NOT_INVALIDATED");
}

TEST_F(ClientCredentialsTokenSourceTest, RevokeConfirmingAnotherTokenFails) {
  absl::Status s = RevokeWith("T1", [](const http::HttpRequest&) {
    return FakeHttpTransport::Response(200, R"({"access_token":"T2"})");
  });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(s.message().find("T2"), std::string::npos);
}

}  // namespace
}  // namespace perch::auth
