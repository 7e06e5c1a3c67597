#include "server/mapping/upstream_status.h"

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "server/http/testing/http_response.h"
#include "server/mapping/testing/v2_recorded.h"
#include "server/mapping/v2_json.h"
#include "tests/testing/status_matchers.h"

namespace perch::mapping {
namespace {

using ::perch::http::testing::Response;
using ::perch::testing::StatusIs;
using ::testing::Not;

std::string ErrorBody(int code, absl::string_view message) {
  return absl::StrCat(R"({"errors":[{"code":)", code, R"(,"message":")",
                      message, R"("}]})");
}

std::optional<google::rpc::QuotaFailure> GetQuotaFailure(
    const absl::Status& s) {
  auto payload = s.GetPayload(kQuotaFailureTypeUrl);
  if (!payload.has_value()) return std::nullopt;
  google::rpc::QuotaFailure failure;
  if (!failure.ParseFromString(std::string(*payload))) return std::nullopt;
  return failure;
}

// Real v2 bodies (UPSTREAM-V2.md section 3, sources named there).
// 3.3, plhery/node-twitter-api-v2#425 (2-space pretty-printed upstream).
constexpr char k401[] =
    R"({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"})";
// 3.3, redouane59/twittered#314: another key order.
constexpr char k401OtherOrder[] =
    R"({"title":"Unauthorized","detail":"Unauthorized","type":"about:blank","status":401})";
// 3.5, xdevplatform/twitter-api-java-sdk#67.
constexpr char kClientForbidden[] =
    R"({"client_id":"27988566","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.","registration_url":"https://developer.twitter.com/en/docs/projects/overview","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"})";
// 3.6, myConsciousness/twitter-api-v2#44 (the double space is original).
constexpr char kUnsupportedAuthentication[] =
    R"({"title":"Unsupported Authentication","detail":"Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].","type":"https://api.twitter.com/2/problems/unsupported-authentication","status":403})";
// 3.6, InfraWay/tweet-action#2.
constexpr char k453[] =
    R"({"errors":[{"message":"You currently have access to a subset of Twitter API v2 endpoints and limited v1.1 endpoints (e.g. media post, oauth) only. If you need access to this endpoint, you may need a different access level. You can learn more here: https://developer.twitter.com/en/portal/product","code":453}]})";
// 3.6, the shape with problem members around it.
constexpr char k453WithProblem[] =
    R"({"errors":[{"message":"You currently have access to a subset of X API V2 endpoints and limited v1.1 endpoints (e.g. media post, oauth) only.","code":453}],"title":"Forbidden","detail":"Forbidden","type":"about:blank","status":403})";
// 3.7, with a 19-digit id.
constexpr char kCredits[] =
    R"({"title":"CreditsDepleted","detail":"Your enrolled account [1234567890123456789] does not have any credits to fulfill this request.","type":"https://api.twitter.com/2/problems/credits"})";
// 3.8, geduldig/TwitterAPI#180.
constexpr char kTooManyRequests[] =
    R"({"title":"Too Many Requests","type":"about:blank","status":429,"detail":"Too Many Requests"})";
// 3.8, xdevplatform/xdk#25.
constexpr char kUsageCapped[] =
    R"({"account_id": "<redacted>", "product_name": "standard-basic", "title": "UsageCapExceeded", "period": "Monthly", "scope": "Product", "detail": "Usage cap exceeded: Monthly product cap", "type": "https://api.twitter.com/2/problems/usage-capped"})";
// 3.4, plhery/node-twitter-api-v2#597.
constexpr char kInvalidRequest[] =
    R"({"errors":[{"parameters":{"previous_token":["b26v89c19zqg8o3fscb69s6izbv7khbgdp5xlgxb544u5"]},"message":"The query parameter [previous_token] is not one of [query,start_time,end_time,since_id,until_id,max_results,next_token,pagination_token,sort_order,expansions,tweet.fields,media.fields,poll.fields,place.fields,user.fields]"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"})";
// 3.9: the key set was not captured verbatim; this is its documented sense.
constexpr char k503[] =
    R"({"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503})";

struct Row {
  std::string name;
  Endpoint endpoint;
  int http_status;
  std::string body;
  absl::StatusCode code;
  std::string reason;
  // Metadata entries that must be present with these values.
  std::map<std::string, std::string> metadata = {};
  // Text the message must contain.
  std::string message_has = "";
};

class UpstreamStatusTable : public ::testing::TestWithParam<Row> {};

TEST_P(UpstreamStatusTable, MapsToCodeReasonAndMetadata) {
  const Row& row = GetParam();
  absl::Status s =
      StatusFromResponse(row.endpoint, "/2/users/:id/tweets",
                         Response(row.http_status, row.body), absl::Now());
  EXPECT_THAT(s, StatusIs(row.code));
  auto info = GetErrorInfo(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), row.reason);
  // Whatever host the problem type names.
  EXPECT_EQ(info->domain(), "api.twitter.com");
  EXPECT_EQ(info->metadata().at("http_status"), absl::StrCat(row.http_status));
  EXPECT_EQ(info->metadata().at("endpoint"), "/2/users/:id/tweets");
  for (const auto& [key, value] : row.metadata) {
    ASSERT_TRUE(info->metadata().contains(key)) << key;
    EXPECT_EQ(info->metadata().at(key), value) << key;
  }
  EXPECT_TRUE(absl::StrContains(s.message(), row.message_has)) << s.message();
}

std::string RowName(const ::testing::TestParamInfo<Row>& info) {
  return info.param.name;
}

using C = absl::StatusCode;
INSTANTIATE_TEST_SUITE_P(
    V11, UpstreamStatusTable,
    ::testing::Values(
        Row{"Token403Code99", Endpoint::kObtainToken, 403,
            ErrorBody(99, "Unable to verify your credentials"),
            C::kUnauthenticated, "APP_CREDENTIALS_REJECTED"},
        Row{"Token403Code170", Endpoint::kObtainToken, 403,
            ErrorBody(170, "Missing required parameter: grant_type"),
            C::kUnauthenticated, "APP_CREDENTIALS_REJECTED"},
        Row{"Invalidate403Code99", Endpoint::kInvalidateToken, 403,
            ErrorBody(99, "Unable to verify your credentials"),
            C::kFailedPrecondition, "TOKEN_NOT_INVALIDATED"},
        Row{"Read401Code89", Endpoint::kRead, 401,
            ErrorBody(89, "Invalid or expired token."), C::kUnauthenticated,
            "BEARER_TOKEN_REJECTED"},
        Row{"Read403Code89", Endpoint::kRead, 403,
            ErrorBody(89, "Invalid or expired token."), C::kUnauthenticated,
            "BEARER_TOKEN_REJECTED"},
        Row{"Read401Code32",
            Endpoint::kRead,
            401,
            ErrorBody(32, "Could not authenticate you."),
            C::kUnauthenticated,
            "BEARER_TOKEN_REJECTED",
            {{"upstream_code", "32"},
             {"upstream_message", "Could not authenticate you."}}},
        Row{"Read403Code220", Endpoint::kRead, 403,
            ErrorBody(220,
                      "Your credentials do not allow access to this resource"),
            C::kPermissionDenied, "APP_ONLY_NOT_ALLOWED"},
        Row{"Read403Code87", Endpoint::kRead, 403,
            ErrorBody(87, "Client is not permitted to perform this action."),
            C::kPermissionDenied, "APP_ONLY_NOT_ALLOWED"},
        Row{"Read403Code453",
            Endpoint::kRead,
            403,
            k453,
            C::kPermissionDenied,
            "ACCESS_LEVEL_INSUFFICIENT",
            {{"upstream_code", "453"}},
            "--upstream_api=v2"},
        Row{"Read403Code453WithProblemMembers",
            Endpoint::kRead,
            403,
            k453WithProblem,
            C::kPermissionDenied,
            "ACCESS_LEVEL_INSUFFICIENT",
            {{"upstream_code", "453"}, {"upstream_type", "about:blank"}},
            "--upstream_api=v2"},
        Row{"Read401NotAuthorized", Endpoint::kRead, 401,
            R"({"request":"/1.1/statuses/user_timeline.json","error":"Not authorized."})",
            C::kPermissionDenied, "PROTECTED_RESOURCE"},
        Row{"Read403Code179", Endpoint::kRead, 403,
            ErrorBody(179, "Sorry, you are not authorized to see this status."),
            C::kPermissionDenied, "PROTECTED_RESOURCE"},
        Row{"Read404Code34", Endpoint::kRead, 404,
            ErrorBody(34, "Sorry, that page does not exist."), C::kNotFound,
            "NOT_FOUND"},
        Row{"Read404Code50", Endpoint::kRead, 404,
            ErrorBody(50, "User not found."), C::kNotFound, "NOT_FOUND"},
        Row{"Read404Code144", Endpoint::kRead, 404,
            ErrorBody(144, "No status found with that ID."), C::kNotFound,
            "NOT_FOUND"},
        Row{"Read404Code109", Endpoint::kRead, 404,
            ErrorBody(109, "The specified list was not found."), C::kNotFound,
            "NOT_FOUND"},
        Row{"Read404OtherCodeIsPerchsBug", Endpoint::kRead, 404,
            ErrorBody(25, "Query parameters are missing."), C::kInternal,
            "UPSTREAM_REJECTED_REQUEST"},
        Row{"Read403Code63", Endpoint::kRead, 403,
            ErrorBody(63, "User has been suspended."), C::kFailedPrecondition,
            "USER_SUSPENDED"},
        Row{"Read410",
            Endpoint::kRead,
            410,
            ErrorBody(68,
                      "The Twitter REST API v1 is no longer active. Please "
                      "migrate to API v1.1."),
            C::kFailedPrecondition,
            "ENDPOINT_RETIRED",
            {{"upstream_code", "68"}},
            "--upstream_api=v2"},
        Row{"Read410WithoutBody",
            Endpoint::kRead,
            410,
            "",
            C::kFailedPrecondition,
            "ENDPOINT_RETIRED",
            {},
            "--upstream_api=v2"},
        Row{"Read420", Endpoint::kRead, 420,
            ErrorBody(420, "Enhance Your Calm"), C::kResourceExhausted,
            "RATE_LIMITED"},
        Row{"Read429Code88", Endpoint::kRead, 429,
            ErrorBody(88, "Rate limit exceeded"), C::kResourceExhausted,
            "RATE_LIMITED"},
        Row{"Read400Code215", Endpoint::kRead, 400,
            ErrorBody(215, "Bad Authentication data."), C::kInternal,
            "UPSTREAM_REJECTED_REQUEST"},
        Row{"Read500Code131", Endpoint::kRead, 500,
            ErrorBody(131, "Internal error"), C::kUnavailable,
            "UPSTREAM_UNAVAILABLE"},
        Row{"Read503Code130", Endpoint::kRead, 503,
            ErrorBody(130, "Over capacity"), C::kUnavailable,
            "UPSTREAM_UNAVAILABLE"},
        Row{"Read502Html", Endpoint::kRead, 502, "<html>bad gateway</html>",
            C::kUnavailable, "UPSTREAM_UNAVAILABLE"},
        Row{"Token504Empty", Endpoint::kObtainToken, 504, "", C::kUnavailable,
            "UPSTREAM_UNAVAILABLE"}),
    RowName);

INSTANTIATE_TEST_SUITE_P(
    V2, UpstreamStatusTable,
    ::testing::Values(
        Row{"Unauthorized",
            Endpoint::kRead,
            401,
            k401,
            C::kUnauthenticated,
            "BEARER_TOKEN_REJECTED",
            {{"upstream_type", "about:blank"},
             {"upstream_title", "Unauthorized"},
             {"upstream_detail", "Unauthorized"}}},
        Row{"UnauthorizedOtherKeyOrder", Endpoint::kRead, 401, k401OtherOrder,
            C::kUnauthenticated, "BEARER_TOKEN_REJECTED"},
        Row{"ClientForbidden",
            Endpoint::kRead,
            403,
            kClientForbidden,
            C::kPermissionDenied,
            "APP_NOT_ENROLLED",
            {{"upstream_type", "client-forbidden"},
             {"upstream_title", "Client Forbidden"},
             {"required_enrollment", "Appropriate Level of API Access"},
             {"registration_url",
              "https://developer.twitter.com/en/docs/projects/overview"}},
            "Client Forbidden"},
        Row{"ClientForbiddenOnTheXHost",
            Endpoint::kRead,
            403,
            R"({"title":"Client Forbidden","reason":"client-not-enrolled","type":"https://api.x.com/2/problems/client-forbidden","required_enrollment":"Appropriate Level of API Access","registration_url":"https://developer.x.com/en/docs/projects/overview"})",
            C::kPermissionDenied,
            "APP_NOT_ENROLLED",
            {{"upstream_type", "client-forbidden"},
             {"registration_url",
              "https://developer.x.com/en/docs/projects/overview"}}},
        Row{"UnsupportedAuthentication",
            Endpoint::kRead,
            403,
            kUnsupportedAuthentication,
            C::kPermissionDenied,
            "APP_ONLY_NOT_ALLOWED",
            {{"upstream_type", "unsupported-authentication"}}},
        Row{"CreditsDepleted",
            Endpoint::kRead,
            402,
            kCredits,
            C::kFailedPrecondition,
            "CREDITS_DEPLETED",
            {{"upstream_type", "credits"},
             {"upstream_title", "CreditsDepleted"}},
            "does not have any credits"},
        Row{"UsageCapped",
            Endpoint::kRead,
            429,
            kUsageCapped,
            C::kResourceExhausted,
            "USAGE_CAPPED",
            {{"upstream_type", "usage-capped"},
             {"upstream_detail", "Usage cap exceeded: Monthly product cap"}}},
        Row{"UsageCappedOnTheXHost", Endpoint::kRead, 429,
            R"({"title":"UsageCapExceeded","detail":"Usage cap exceeded: Daily account cap","type":"https://api.x.com/2/problems/usage-capped","period":"Daily","scope":"Account"})",
            C::kResourceExhausted, "USAGE_CAPPED"},
        Row{"TooManyRequests",
            Endpoint::kRead,
            429,
            kTooManyRequests,
            C::kResourceExhausted,
            "RATE_LIMITED",
            {{"upstream_type", "about:blank"}}},
        Row{"InvalidRequestIsPerchsBug",
            Endpoint::kRead,
            400,
            kInvalidRequest,
            C::kInternal,
            "UPSTREAM_REJECTED_REQUEST",
            {{"upstream_type", "invalid-request"},
             {"upstream_title", "Invalid Request"},
             {"upstream_parameters", "previous_token"}},
            "The query parameter [previous_token] is not one of"},
        Row{"ServiceUnavailable", Endpoint::kRead, 503, k503, C::kUnavailable,
            "UPSTREAM_UNAVAILABLE"},
        Row{"UnknownForbiddenIsPerchsBug",
            Endpoint::kRead,
            403,
            R"({"title":"Forbidden","type":"https://api.twitter.com/2/problems/disallowed-resource","detail":"nope"})",
            C::kInternal,
            "UPSTREAM_REJECTED_REQUEST",
            {{"upstream_type", "disallowed-resource"}}}),
    RowName);

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
  EXPECT_FALSE(info->metadata().contains("upstream_type"));
  EXPECT_NE(s.message().find("User not found."), std::string::npos);
}

TEST(UpstreamStatus, ProblemTypeIsNamedByItsLastSegmentWhateverTheHost) {
  for (absl::string_view host : {"api.twitter.com", "api.x.com"}) {
    absl::Status s = StatusFromResponse(
        Endpoint::kRead, "/2/tweets/search/recent",
        Response(403,
                 absl::StrCat(R"({"title":"Unsupported Authentication",)",
                              R"("type":"https://)", host,
                              R"(/2/problems/unsupported-authentication"})")),
        absl::Now());
    EXPECT_EQ(ErrorReason(s), "APP_ONLY_NOT_ALLOWED") << host;
    EXPECT_EQ(GetErrorInfo(s)->metadata().at("upstream_type"),
              "unsupported-authentication");
  }
}

// The one QuotaFailure violation a limited answer carries: the endpoint it
// is about, and a description naming the limit.
void ExpectOneQuotaViolation(const absl::Status& s, absl::string_view subject,
                             absl::string_view describes) {
  auto failure = GetQuotaFailure(s);
  ASSERT_TRUE(failure.has_value());
  ASSERT_EQ(failure->violations_size(), 1);
  EXPECT_EQ(failure->violations(0).subject(), subject);
  EXPECT_TRUE(
      absl::StrContains(failure->violations(0).description(), describes));
}

TEST(UpstreamStatus, RateLimitCarriesRetryInfoUntilResetAndQuotaFailure) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  for (const std::string& body :
       {ErrorBody(88, "Rate limit exceeded"), std::string(kTooManyRequests)}) {
    absl::Status s =
        StatusFromResponse(Endpoint::kRead, "/2/tweets/search/recent",
                           Response(429, body,
                                    {{"x-rate-limit-limit", "450"},
                                     {"x-rate-limit-remaining", "0"},
                                     {"x-rate-limit-reset", "1700000042"}}),
                           now);
    auto retry = GetRetryInfo(s);
    ASSERT_TRUE(retry.has_value()) << body;
    EXPECT_EQ(retry->retry_delay().seconds(), 42);
    ExpectOneQuotaViolation(s, "/2/tweets/search/recent", "450");
  }
}

// What a row expects of the QuotaFailure detail.
enum class Quota {
  kUnchecked,
  kNone,  // no QuotaFailure at all
  kOne,   // one violation, about the endpoint, naming `quota_describes`
};

// A limited answer: when it says to retry, and what quota it names.
struct LimitRow {
  std::string name;
  std::string endpoint;
  int http_status;
  std::string body;
  http::HttpHeaders headers;
  std::string reason;
  std::optional<int64_t> retry_seconds;  // nullopt: no RetryInfo
  Quota quota = Quota::kUnchecked;
  std::string quota_describes = "";
};

// A failing row is named, not dumped as bytes.
void PrintTo(const LimitRow& row, std::ostream* os) { *os << row.name; }

class UpstreamStatusLimits : public ::testing::TestWithParam<LimitRow> {};

TEST_P(UpstreamStatusLimits, RetryInfoAndQuotaFailure) {
  const LimitRow& row = GetParam();
  absl::Status s =
      StatusFromResponse(Endpoint::kRead, row.endpoint,
                         Response(row.http_status, row.body, row.headers),
                         absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(ErrorReason(s), row.reason);
  auto retry = GetRetryInfo(s);
  if (row.retry_seconds.has_value()) {
    ASSERT_TRUE(retry.has_value());
    EXPECT_EQ(retry->retry_delay().seconds(), *row.retry_seconds);
  } else {
    EXPECT_FALSE(retry.has_value());
  }
  switch (row.quota) {
    case Quota::kUnchecked:
      break;
    case Quota::kNone:
      EXPECT_FALSE(s.GetPayload(kQuotaFailureTypeUrl).has_value());
      break;
    case Quota::kOne:
      ExpectOneQuotaViolation(s, row.endpoint, row.quota_describes);
      break;
  }
}

std::string LimitRowName(const ::testing::TestParamInfo<LimitRow>& info) {
  return info.param.name;
}

// Now is 1700000000 in every row.
INSTANTIATE_TEST_SUITE_P(
    UpstreamStatus, UpstreamStatusLimits,
    ::testing::Values(
        LimitRow{"RateLimitWithoutResetHeaderWaitsAWholeWindow",
                 "/1.1/search/tweets.json",
                 429,
                 ErrorBody(88, "Rate limit exceeded"),
                 {},
                 "RATE_LIMITED",
                 15 * 60},
        LimitRow{"EnhanceYourCalmIsARateLimitWithRetryInfo",
                 "/1.1/search/tweets.json",
                 420,
                 "",
                 {{"x-rate-limit-reset", "1700000010"}},
                 "RATE_LIMITED",
                 10},
        // The real capped answer: the 15-minute window still has room.
        LimitRow{"UsageCapNeverRetriesAtTheRateLimitReset",
                 "/2/users/:id/tweets",
                 429,
                 kUsageCapped,
                 {{"x-rate-limit-limit", "40000"},
                  {"x-rate-limit-remaining", "39999"},
                  {"x-rate-limit-reset", "1700000042"}},
                 "USAGE_CAPPED",
                 std::nullopt,
                 Quota::kOne,
                 "Monthly product cap"},
        LimitRow{"UsageCapRetriesAtAKnownDailyReset",
                 "/2/users/:id/tweets",
                 429,
                 kUsageCapped,
                 {{"x-rate-limit-reset", "1700000042"},
                  {"x-app-limit-24hour-limit", "50"},
                  {"x-app-limit-24hour-remaining", "0"},
                  {"x-app-limit-24hour-reset", "1700003600"}},
                 "USAGE_CAPPED",
                 3600},
        LimitRow{"CreditsDepletedHasNoRetryInfo",
                 "/2/users/:id/tweets",
                 402,
                 kCredits,
                 {{"x-rate-limit-reset", "1700000042"}},
                 "CREDITS_DEPLETED",
                 std::nullopt,
                 Quota::kNone}),
    LimitRowName);

TEST(UpstreamStatus, NeverUnknownWhateverTheStatus) {
  for (int http_status = 100; http_status < 600; ++http_status) {
    if (http_status >= 200 && http_status < 300) continue;
    for (const char* body : {"", k401, kCredits, kInvalidRequest}) {
      absl::Status s = StatusFromResponse(
          Endpoint::kRead, "/2/x", Response(http_status, body), absl::Now());
      EXPECT_THAT(s, Not(StatusIs(C::kUnknown))) << http_status;
      EXPECT_THAT(s, Not(StatusIs(C::kOk))) << http_status;
      EXPECT_FALSE(ErrorReason(s).empty()) << http_status;
    }
  }
}

// Errors inside a 200 (UPSTREAM-V2.md section 3.2), members as sent.
v2::Problem Problem(absl::string_view name, absl::string_view title,
                    absl::string_view detail, absl::string_view section = "") {
  v2::Problem p;
  p.type = absl::StrCat("https://api.twitter.com/2/problems/", name);
  p.title = std::string(title);
  p.detail = std::string(detail);
  p.section = std::string(section);
  return p;
}

v2::Problem UnknownUsername() {
  return Problem("resource-not-found", "Not Found Error",
                 "Could not find user with username: [giggggfbgfb].");
}

v2::Problem ProtectedTimeline() {
  return Problem(
      "not-authorized-for-resource", "Authorization Error",
      "Sorry, you are not authorized to see the user with id: [123].", "data");
}

v2::Problem SuspendedUser() {
  return Problem("resource-not-found", "Forbidden",
                 "User has been suspended: [leeseunggi].");
}

v2::Problem MissingReferencedTweet() {
  return Problem(
      "resource-not-found", "Not Found Error",
      "Could not find tweet with referenced_tweets.id: [1574182774923296771].");
}

TEST(StatusFromV2Errors, UnknownUsernameIsNotFound) {
  absl::Status s = StatusFromV2Errors("/2/users/by/username/:username", false,
                                      {UnknownUsername()});
  EXPECT_THAT(s, StatusIs(C::kNotFound));
  EXPECT_EQ(ErrorReason(s), "RESOURCE_NOT_FOUND");
  auto info = GetErrorInfo(s);
  EXPECT_EQ(info->domain(), "api.twitter.com");
  EXPECT_EQ(info->metadata().at("http_status"), "200");
  EXPECT_EQ(info->metadata().at("endpoint"), "/2/users/by/username/:username");
  EXPECT_EQ(info->metadata().at("upstream_type"), "resource-not-found");
  EXPECT_EQ(info->metadata().at("upstream_title"), "Not Found Error");
  EXPECT_EQ(info->metadata().at("upstream_detail"),
            "Could not find user with username: [giggggfbgfb].");
  EXPECT_TRUE(absl::StrContains(s.message(), "Could not find user"));
}

TEST(StatusFromV2Errors, ProtectedTimelineIsPermissionDenied) {
  absl::Status s =
      StatusFromV2Errors("/2/users/:id/tweets", false, {ProtectedTimeline()});
  EXPECT_THAT(s, StatusIs(C::kPermissionDenied));
  EXPECT_EQ(ErrorReason(s), "PROTECTED_RESOURCE");
}

TEST(StatusFromV2Errors, SuspendedIsToldFromMissingByTitleOrDetail) {
  absl::Status by_title = StatusFromV2Errors("/2/users/by/username/:username",
                                             false, {SuspendedUser()});
  EXPECT_THAT(by_title, StatusIs(C::kFailedPrecondition));
  EXPECT_EQ(ErrorReason(by_title), "USER_SUSPENDED");

  v2::Problem detail_only = SuspendedUser();
  detail_only.title = "Not Found Error";
  detail_only.type = "https://api.x.com/2/problems/resource-not-found";
  absl::Status by_detail =
      StatusFromV2Errors("/2/users/:id/tweets", false, {detail_only});
  EXPECT_EQ(ErrorReason(by_detail), "USER_SUSPENDED");
}

TEST(StatusFromV2Errors, PartialErrorsWithDataAreOk) {
  EXPECT_TRUE(StatusFromV2Errors("/2/tweets/search/recent", true,
                                 {SuspendedUser(), MissingReferencedTweet()})
                  .ok());
  // Even an error about data, when data came (another id of several).
  EXPECT_TRUE(
      StatusFromV2Errors("/2/users/:id/tweets", true, {ProtectedTimeline()})
          .ok());
}

TEST(StatusFromV2Errors, IncludesErrorsAloneAndEmptyPagesAreOk) {
  v2::Problem includes = ProtectedTimeline();
  includes.section = "includes";
  EXPECT_TRUE(
      StatusFromV2Errors("/2/users/:id/tweets", false, {includes}).ok());
  // {"meta":{"result_count":0}}
  EXPECT_TRUE(StatusFromV2Errors("/2/users/:id/tweets", false, {}).ok());
}

TEST(StatusFromV2Errors, TheFirstErrorAboutDataDecides) {
  v2::Problem includes = SuspendedUser();
  includes.section = "includes";
  absl::Status s = StatusFromV2Errors("/2/users/:id/tweets", false,
                                      {includes, ProtectedTimeline()});
  EXPECT_EQ(ErrorReason(s), "PROTECTED_RESOURCE");
}

TEST(StatusFromV2Errors, UnknownProblemIsPerchsBugNeverUnknown) {
  v2::Problem p;
  p.type = "https://api.twitter.com/2/problems/field-hydration-failure";
  p.title = "Field Hydration Failure";
  absl::Status s = StatusFromV2Errors("/2/lists/:id", false, {p});
  EXPECT_THAT(s, StatusIs(C::kInternal));
  EXPECT_EQ(ErrorReason(s), "UPSTREAM_REJECTED_REQUEST");
  EXPECT_EQ(GetErrorInfo(s)->metadata().at("upstream_type"),
            "field-hydration-failure");
}

// What a parsed v2 body hands StatusFromV2Errors: whether `data` came, and
// the errors beside it.
struct V2Answer {
  bool has_data = false;
  std::vector<v2::Problem> errors;
};

template <typename Page>
absl::StatusOr<V2Answer> PageAnswer(absl::StatusOr<Page> page) {
  if (!page.ok()) return page.status();
  return V2Answer{page->has_data, std::move(page->errors)};
}

template <typename Lookup, typename Object>
absl::StatusOr<V2Answer> LookupAnswer(absl::StatusOr<Lookup> lookup,
                                      std::optional<Object> Lookup::*object) {
  if (!lookup.ok()) return lookup.status();
  return V2Answer{((*lookup).*object).has_value(), std::move(lookup->errors)};
}

// `body` through the parser its endpoint needs.
absl::StatusOr<V2Answer> ParseV2Answer(const testing::V2Body& body) {
  switch (body.kind) {
    case testing::V2Kind::kTweetPage:
      return PageAnswer(v2::ParseTweetPage(body.json));
    case testing::V2Kind::kUserPage:
      return PageAnswer(v2::ParseUserPage(body.json));
    case testing::V2Kind::kListsPage:
      return PageAnswer(v2::ParseListsPage(body.json));
    case testing::V2Kind::kUserLookup:
      return LookupAnswer(v2::ParseUserLookup(body.json),
                          &v2::UserLookup::user);
    case testing::V2Kind::kListLookup:
      return LookupAnswer(v2::ParseListLookup(body.json),
                          &v2::ListLookup::list);
  }
  return absl::InternalError("unknown V2Kind");
}

// Every real v2 body has data (some with partial errors: a suspended
// mention, a missing referenced tweet, an unknown id among several): all OK.
TEST(StatusFromV2Errors, EveryRecordedBodyWithDataIsOk) {
  absl::StatusOr<std::vector<testing::V2Body>> bodies = testing::LoadV2Bodies();
  ASSERT_TRUE(bodies.ok()) << bodies.status();
  ASSERT_FALSE(bodies->empty());
  int with_errors = 0;
  for (const testing::V2Body& body : *bodies) {
    absl::StatusOr<V2Answer> answer = ParseV2Answer(body);
    ASSERT_TRUE(answer.ok()) << body.name;
    const bool has_data = answer->has_data;
    const std::vector<v2::Problem>& errors = answer->errors;
    if (!errors.empty()) ++with_errors;
    EXPECT_TRUE(has_data) << body.name;
    EXPECT_TRUE(StatusFromV2Errors(body.endpoint, has_data, errors).ok())
        << body.name;
    // The same errors without the data would fail the read.
    bool about_data = false;
    for (const auto& e : errors) about_data |= e.section != "includes";
    if (about_data) {
      EXPECT_FALSE(StatusFromV2Errors(body.endpoint, false, errors).ok())
          << body.name;
    }
  }
  EXPECT_GE(with_errors, 3);
}

}  // namespace
}  // namespace perch::mapping
