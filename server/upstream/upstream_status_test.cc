#include "server/upstream/upstream_status.h"

#include <string>

#include "gtest/gtest.h"
#include "server/common/errors.h"

namespace perch::upstream {
namespace {

http::HttpResponse Response(int status, std::string body,
                            http::HttpHeaders headers = {}) {
  http::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::string ErrorBody(int code, absl::string_view message) {
  return absl::StrCat(R"({"errors":[{"code":)", code, R"(,"message":")",
                      message, R"("}]})");
}

struct Row {
  Endpoint endpoint;
  int http_status;
  std::string body;
  absl::StatusCode code;
  std::string reason;
};

class UpstreamStatusTable : public ::testing::TestWithParam<Row> {};

TEST_P(UpstreamStatusTable, MapsToCodeAndReason) {
  const Row& row = GetParam();
  absl::Status s =
      StatusFromResponse(row.endpoint, "/1.1/x.json",
                         Response(row.http_status, row.body), absl::Now());
  EXPECT_EQ(s.code(), row.code) << s;
  auto info = GetErrorInfo(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), row.reason);
  EXPECT_EQ(info->domain(), "api.twitter.com");
  EXPECT_EQ(info->metadata().at("http_status"), absl::StrCat(row.http_status));
}

using C = absl::StatusCode;
INSTANTIATE_TEST_SUITE_P(
    Section5, UpstreamStatusTable,
    ::testing::Values(
        Row{Endpoint::kObtainToken, 403,
            ErrorBody(99, "Unable to verify your credentials"),
            C::kUnauthenticated, "APP_CREDENTIALS_REJECTED"},
        Row{Endpoint::kObtainToken, 403,
            ErrorBody(170, "Missing required parameter: grant_type"),
            C::kUnauthenticated, "APP_CREDENTIALS_REJECTED"},
        Row{Endpoint::kInvalidateToken, 403,
            ErrorBody(99, "Unable to verify your credentials"),
            C::kFailedPrecondition, "TOKEN_NOT_INVALIDATED"},
        Row{Endpoint::kRead, 401, ErrorBody(89, "Invalid or expired token."),
            C::kUnauthenticated, "BEARER_TOKEN_REJECTED"},
        Row{Endpoint::kRead, 403, ErrorBody(89, "Invalid or expired token."),
            C::kUnauthenticated, "BEARER_TOKEN_REJECTED"},
        Row{Endpoint::kRead, 403,
            ErrorBody(220,
                      "Your credentials do not allow access to this resource"),
            C::kPermissionDenied, "APP_ONLY_NOT_ALLOWED"},
        Row{Endpoint::kRead, 401,
            R"({"request":"/1.1/statuses/user_timeline.json","error":"Not authorized."})",
            C::kPermissionDenied, "PROTECTED_RESOURCE"},
        Row{Endpoint::kRead, 403,
            ErrorBody(179, "Sorry, you are not authorized to see this status."),
            C::kPermissionDenied, "PROTECTED_RESOURCE"},
        Row{Endpoint::kRead, 404,
            ErrorBody(34, "Sorry, that page does not exist."), C::kNotFound,
            "NOT_FOUND"},
        Row{Endpoint::kRead, 404, ErrorBody(50, "User not found."),
            C::kNotFound, "NOT_FOUND"},
        Row{Endpoint::kRead, 403, ErrorBody(63, "User has been suspended."),
            C::kFailedPrecondition, "USER_SUSPENDED"},
        Row{Endpoint::kRead, 429, ErrorBody(88, "Rate limit exceeded"),
            C::kResourceExhausted, "RATE_LIMITED"},
        Row{Endpoint::kRead, 400, ErrorBody(215, "Bad Authentication data."),
            C::kInternal, "UPSTREAM_REJECTED_REQUEST"},
        Row{Endpoint::kRead, 500, ErrorBody(131, "Internal error"),
            C::kUnavailable, "UPSTREAM_UNAVAILABLE"},
        Row{Endpoint::kRead, 503, ErrorBody(130, "Over capacity"),
            C::kUnavailable, "UPSTREAM_UNAVAILABLE"},
        Row{Endpoint::kRead, 502, "<html>bad gateway</html>", C::kUnavailable,
            "UPSTREAM_UNAVAILABLE"},
        Row{Endpoint::kObtainToken, 504, "", C::kUnavailable,
            "UPSTREAM_UNAVAILABLE"}));

TEST(UpstreamStatus, SuccessIsOk) {
  EXPECT_TRUE(StatusFromResponse(Endpoint::kRead, "/x", Response(200, "[]"),
                                 absl::Now())
                  .ok());
}

TEST(UpstreamStatus, MetadataCarriesUpstreamCodeAndMessage) {
  absl::Status s = StatusFromResponse(
      Endpoint::kRead, "/1.1/users/show.json",
      Response(404, ErrorBody(50, "User not found.")), absl::Now());
  auto info = GetErrorInfo(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("upstream_code"), "50");
  EXPECT_EQ(info->metadata().at("upstream_message"), "User not found.");
  EXPECT_NE(s.message().find("User not found."), std::string::npos);
}

TEST(UpstreamStatus, RateLimitCarriesRetryInfoUntilResetAndQuotaFailure) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  absl::Status s =
      StatusFromResponse(Endpoint::kRead, "/1.1/search/tweets.json",
                         Response(429, ErrorBody(88, "Rate limit exceeded"),
                                  {{"x-rate-limit-limit", "450"},
                                   {"x-rate-limit-remaining", "0"},
                                   {"x-rate-limit-reset", "1700000042"}}),
                         now);
  auto retry = GetRetryInfo(s);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 42);
  auto payload = s.GetPayload(kQuotaFailureTypeUrl);
  ASSERT_TRUE(payload.has_value());
  google::rpc::QuotaFailure failure;
  ASSERT_TRUE(failure.ParseFromString(std::string(*payload)));
  ASSERT_EQ(failure.violations_size(), 1);
  EXPECT_EQ(failure.violations(0).subject(), "/1.1/search/tweets.json");
}

TEST(UpstreamStatus, RateLimitWithoutResetHeaderWaitsAWholeWindow) {
  absl::Status s = StatusFromResponse(
      Endpoint::kRead, "/1.1/search/tweets.json",
      Response(429, ErrorBody(88, "Rate limit exceeded")), absl::Now());
  auto retry = GetRetryInfo(s);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 15 * 60);
}

}  // namespace
}  // namespace perch::upstream
