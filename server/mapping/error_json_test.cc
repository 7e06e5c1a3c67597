#include "server/mapping/error_json.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/mapping/recorded_body_test_util.h"

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

}  // namespace
}  // namespace perch::mapping
