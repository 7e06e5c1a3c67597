#include "server/mapping/error_json.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/mapping/testing/recorded_body.h"

namespace perch::mapping {
namespace {

using ::perch::mapping::testing::ReadRecordedBody;

TEST(ParseUpstreamError, ReadsTheRecorded400Code215Bodies) {
  // history/testfailure.json: six identical 400 responses.
  for (int i = 0; i < 6; ++i) {
    const std::string name = absl::StrCat("testfailure.", i, ".json");
    absl::StatusOr<std::string> body = ReadRecordedBody(name);
    ASSERT_TRUE(body.ok()) << body.status();
    absl::optional<UpstreamError> error = ParseUpstreamError(*body);
    ASSERT_TRUE(error.has_value()) << name;
    EXPECT_EQ(error->code, 215) << name;
    EXPECT_EQ(error->message, "Bad Authentication data.") << name;
  }
}

TEST(ParseUpstreamError, ReadsTokenErrorsWithLabel) {
  absl::optional<UpstreamError> error = ParseUpstreamError(
      R"({"errors":[{"code":99,"message":"Unable to verify your credentials","label":"authenticity_token_error"}]})");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 99);
  EXPECT_EQ(error->message, "Unable to verify your credentials");
}

TEST(ParseUpstreamError, TakesTheFirstOfSeveralErrors) {
  absl::optional<UpstreamError> error = ParseUpstreamError(
      R"({"errors":[{"message":"Rate limit exceeded","code":88},{"code":34,"message":"Sorry, that page does not exist."}]})");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 88);
  EXPECT_EQ(error->message, "Rate limit exceeded");
}

TEST(ParseUpstreamError, ReadsTheProtectedTimeline401Shape) {
  absl::optional<UpstreamError> error = ParseUpstreamError(
      R"({"request":"/1.1/statuses/user_timeline.json","error":"Not authorized."})");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 0);
  EXPECT_EQ(error->message, "Not authorized.");
}

TEST(ParseUpstreamError, NoErrorInHtmlEmptyOrOtherBodies) {
  const std::string kNotErrors[] = {
      "",
      "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
      "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
      "   ",
      "null",
      "[]",
      R"("Not authorized.")",
      R"({"token_type":"bearer","access_token":"x"})",
      R"({"errors":[]})",
      R"({"errors":"Rate limit exceeded"})",
      R"({"errors":[{"code":"88","message":"Rate limit exceeded"}]})",
      R"({"errors":[{"code":88,"message":"Rate limit exceeded"}])",
      R"({"errors":[{"code":88,"message":"Rate limit exceeded"}]} trailing)",
      R"({"error":{"message":"nested"}})",
  };
  for (const std::string& body : kNotErrors) {
    EXPECT_FALSE(ParseUpstreamError(body).has_value()) << body;
  }
}

TEST(ParseUpstreamError, CodeOnlyOrMessageOnlyEntriesStillCount) {
  absl::optional<UpstreamError> code_only =
      ParseUpstreamError(R"({"errors":[{"code":131}]})");
  ASSERT_TRUE(code_only.has_value());
  EXPECT_EQ(code_only->code, 131);
  EXPECT_EQ(code_only->message, "");
  absl::optional<UpstreamError> message_only =
      ParseUpstreamError(R"({"errors":[{"message":"Over capacity"}]})");
  ASSERT_TRUE(message_only.has_value());
  EXPECT_EQ(message_only->code, 0);
  EXPECT_EQ(message_only->message, "Over capacity");
}

// v2 problems (UPSTREAM-V2.md section 3; real bodies, sources named there).

TEST(ParseUpstreamError, ReadsTheV2UnauthorizedProblem) {
  // plhery/node-twitter-api-v2#425, as pretty-printed upstream.
  absl::optional<UpstreamError> error = ParseUpstreamError(
      "{\n  \"title\": \"Unauthorized\",\n  \"type\": \"about:blank\",\n"
      "  \"status\": 401,\n  \"detail\": \"Unauthorized\"\n}");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 0);
  EXPECT_EQ(error->type, "about:blank");
  EXPECT_EQ(error->title, "Unauthorized");
  EXPECT_EQ(error->detail, "Unauthorized");
  EXPECT_EQ(error->status, 401);
}

TEST(ParseUpstreamError, ReadsClientForbiddenWithItsEnrollmentMembers) {
  // xdevplatform/twitter-api-java-sdk#67.
  absl::optional<UpstreamError> error = ParseUpstreamError(
      R"({"client_id":"27988566","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.","registration_url":"https://developer.twitter.com/en/docs/projects/overview","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"})");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->type, "https://api.twitter.com/2/problems/client-forbidden");
  EXPECT_EQ(error->title, "Client Forbidden");
  EXPECT_EQ(error->reason, "client-not-enrolled");
  EXPECT_EQ(error->registration_url,
            "https://developer.twitter.com/en/docs/projects/overview");
  EXPECT_EQ(error->required_enrollment, "Appropriate Level of API Access");
  EXPECT_EQ(error->status, 0);
}

TEST(ParseUpstreamError, ReadsInvalidRequestMessageAndParameterNames) {
  // plhery/node-twitter-api-v2#597.
  absl::optional<UpstreamError> error = ParseUpstreamError(
      R"({"errors":[{"parameters":{"previous_token":["b26v89c19zqg8o3fscb69s6izbv7khbgdp5xlgxb544u5"]},"message":"The query parameter [previous_token] is not one of [query,start_time,end_time,since_id,until_id,max_results,next_token,pagination_token,sort_order,expansions,tweet.fields,media.fields,poll.fields,place.fields,user.fields]"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"})");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->type, "https://api.twitter.com/2/problems/invalid-request");
  EXPECT_EQ(error->title, "Invalid Request");
  EXPECT_EQ(error->detail,
            "One or more parameters to your request was invalid.");
  EXPECT_EQ(error->code, 0);
  EXPECT_EQ(error->message.rfind("The query parameter [previous_token]", 0),
            0u);
  EXPECT_EQ(error->parameters, std::vector<std::string>{"previous_token"});
}

TEST(ParseUpstreamError, CollectsParameterNamesOfEveryEntryOnce) {
  absl::optional<UpstreamError> error = ParseUpstreamError(
      R"({"errors":[{"parameters":{"query":["(a"]},"message":"first"},)"
      R"({"parameters":{"max_results":["3"],"query":["(a"]},"message":"second"}],)"
      R"("title":"Invalid Request","type":"https://api.x.com/2/problems/invalid-request"})");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, "first");
  EXPECT_EQ(error->parameters,
            (std::vector<std::string>{"query", "max_results"}));
}

TEST(ParseUpstreamError, ReadsV11CodeBesideProblemMembers) {
  absl::optional<UpstreamError> error = ParseUpstreamError(
      R"({"errors":[{"message":"You currently have access to a subset of X API V2 endpoints and limited v1.1 endpoints (e.g. media post, oauth) only.","code":453}],"title":"Forbidden","detail":"Forbidden","type":"about:blank","status":403})");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 453);
  EXPECT_EQ(error->type, "about:blank");
  EXPECT_EQ(error->status, 403);
}

TEST(ParseUpstreamError, ReadsUsageCappedAndCreditsProblems) {
  // xdevplatform/xdk#25; the 402 body of section 3.7.
  absl::optional<UpstreamError> capped = ParseUpstreamError(
      R"({"account_id": "<redacted>", "product_name": "standard-basic", "title": "UsageCapExceeded", "period": "Monthly", "scope": "Product", "detail": "Usage cap exceeded: Monthly product cap", "type": "https://api.twitter.com/2/problems/usage-capped"})");
  ASSERT_TRUE(capped.has_value());
  EXPECT_EQ(capped->type, "https://api.twitter.com/2/problems/usage-capped");
  EXPECT_EQ(capped->title, "UsageCapExceeded");
  EXPECT_EQ(capped->detail, "Usage cap exceeded: Monthly product cap");
  absl::optional<UpstreamError> credits = ParseUpstreamError(
      R"({"title":"CreditsDepleted","detail":"Your enrolled account [1234567890123456789] does not have any credits to fulfill this request.","type":"https://api.twitter.com/2/problems/credits"})");
  ASSERT_TRUE(credits.has_value());
  EXPECT_EQ(credits->type, "https://api.twitter.com/2/problems/credits");
  EXPECT_EQ(credits->title, "CreditsDepleted");
}

TEST(ParseUpstreamError, NullProblemMembersReadAsAbsent) {
  absl::optional<UpstreamError> error = ParseUpstreamError(
      R"({"title":"Service Unavailable","detail":null,"type":"about:blank","status":null})");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->title, "Service Unavailable");
  EXPECT_EQ(error->detail, "");
  EXPECT_EQ(error->status, 0);
}

TEST(ParseUpstreamError, NoProblemWithoutTypeTitleOrDetail) {
  const std::string kNotProblems[] = {
      R"({"status":401})",
      R"({"reason":"client-not-enrolled"})",
      R"({"title":7,"type":"about:blank"})",
      R"({"errors":[{"parameters":["query"]}],"title":"Invalid Request"})",
  };
  for (const std::string& body : kNotProblems) {
    EXPECT_FALSE(ParseUpstreamError(body).has_value()) << body;
  }
}

}  // namespace
}  // namespace perch::mapping
