#include "server/mapping/token_json.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "tests/testing/status_matchers.h"

namespace perch::mapping {
namespace {

using ::perch::testing::StatusIs;

// Shaped like a real app-only token, with the percent-escapes UPSTREAM.md
// says must survive untouched.
constexpr char kToken[] =
    "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBk"
    "KG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F";

TEST(ParseTokenGrant, ReadsTypeAndTokenVerbatim) {
  absl::StatusOr<TokenGrant> grant = ParseTokenGrant(absl::StrCat(
      R"({"token_type":"bearer","access_token":")", kToken, R"("})"));
  ASSERT_TRUE(grant.ok()) << grant.status();
  EXPECT_EQ(grant->token_type, "bearer");
  EXPECT_EQ(grant->access_token, kToken);
}

TEST(ParseTokenGrant, UndoesJsonEscapesOnly) {
  // "\/" is a legal JSON spelling of "/"; "%2F" is part of the token.
  absl::StatusOr<TokenGrant> grant = ParseTokenGrant(
      R"({"access_token":"AB\/CD%2FEF","token_type":"bearer","extra":[1]})");
  ASSERT_TRUE(grant.ok()) << grant.status();
  EXPECT_EQ(grant->access_token, "AB/CD%2FEF");
  EXPECT_EQ(grant->token_type, "bearer");
}

TEST(ParseTokenGrant, LeavesTokenTypeJudgementToTheCaller) {
  // auth/ turns a missing or non-bearer type into UNEXPECTED_TOKEN_TYPE, so
  // both come back as data, not as malformed bodies.
  absl::StatusOr<TokenGrant> missing =
      ParseTokenGrant(R"({"access_token":"abc"})");
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ(missing->token_type, "");
  absl::StatusOr<TokenGrant> other =
      ParseTokenGrant(R"({"token_type":"mac","access_token":"abc"})");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->token_type, "mac");
}

void ExpectMalformed(const absl::Status& status) {
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(ErrorReason(status), "UPSTREAM_MALFORMED_RESPONSE") << status;
}

TEST(ParseTokenGrant, RejectsBodiesWithoutAUsableToken) {
  const std::vector<std::string> bad = {
      "",
      "<html>502 Bad Gateway</html>",
      R"({"token_type":"bearer"})",
      R"({"token_type":"bearer","access_token":""})",
      R"({"token_type":"bearer","access_token":null})",
      R"({"token_type":"bearer","access_token":42})",
      R"({"token_type":7,"access_token":"abc"})",
      R"(["bearer","abc"])",
      R"({"token_type":"bearer","access_token":"abc")",
  };
  for (const std::string& body : bad) {
    absl::StatusOr<TokenGrant> grant = ParseTokenGrant(body);
    ASSERT_FALSE(grant.ok()) << body;
    ExpectMalformed(grant.status());
  }
}

// Every way a body that holds the token can fail: the error must not carry
// any part of it (it is logged and returned to callers).
TEST(ParseTokenGrant, ErrorMessagesNeverContainTheToken) {
  const std::string token = kToken;
  const std::vector<std::string> bodies = {
      // Truncated mid-token.
      absl::StrCat(R"({"token_type":"bearer","access_token":")",
                   token.substr(0, 40)),
      // Truncated after the token.
      absl::StrCat(R"({"token_type":"bearer","access_token":")", token, "\""),
      // Wrong token_type type beside a good token.
      absl::StrCat(R"({"token_type":1,"access_token":")", token, R"("})"),
      // Trailing content after the object.
      absl::StrCat(R"({"token_type":"bearer","access_token":")", token,
                   R"("} {"x":1})"),
      // The token as an unknown member's value, access_token missing.
      absl::StrCat(R"({"token_type":"bearer","token":")", token, R"("})"),
      // Not UTF-8 inside the token.
      absl::StrCat(R"({"token_type":"bearer","access_token":")", token,
                   "\xff\xfe", R"("})"),
      // A top-level array holding the token.
      absl::StrCat(R"([")", token, R"("])"),
  };
  for (const std::string& body : bodies) {
    absl::StatusOr<TokenGrant> grant = ParseTokenGrant(body);
    ASSERT_FALSE(grant.ok())
        << "unexpectedly parsed body #" << (&body - bodies.data());
    ExpectMalformed(grant.status());
    const std::string message(grant.status().message());
    // No 8-byte window of the token may appear (a prefix, a suffix, any
    // slice), and neither may the body itself.
    for (size_t i = 0; i + 8 <= token.size(); ++i) {
      ASSERT_EQ(message.find(token.substr(i, 8)), std::string::npos)
          << "message leaks token bytes: " << message;
    }
    auto info = GetErrorInfo(grant.status());
    ASSERT_TRUE(info.has_value());
    for (const auto& [key, value] : info->metadata()) {
      EXPECT_EQ(value.find(token.substr(0, 8)), std::string::npos) << key;
    }
  }
}

TEST(ParseInvalidatedToken, ReturnsTheNamedToken) {
  absl::StatusOr<std::string> token = ParseInvalidatedToken(
      absl::StrCat(R"({"access_token":")", kToken, R"("})"));
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, kToken);
}

TEST(ParseInvalidatedToken, RejectsMissingTokenWithoutEchoingTheBody) {
  for (const std::string& body :
       {std::string(R"({"token":"SECRETSECRET"})"),
        std::string(R"({"access_token":"SECRETSECRET")"),
        std::string(R"({"access_token":""})"), std::string("SECRETSECRET")}) {
    absl::StatusOr<std::string> token = ParseInvalidatedToken(body);
    ASSERT_FALSE(token.ok()) << body;
    ExpectMalformed(token.status());
    EXPECT_EQ(token.status().message().find("SECRET"), std::string::npos)
        << token.status();
  }
}

}  // namespace
}  // namespace perch::mapping
