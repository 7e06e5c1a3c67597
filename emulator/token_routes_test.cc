// UPSTREAM.md §1-3 over real HTTP: issuing, reusing, invalidating tokens and
// every way a token request fails with 403/99.
#include "emulator/token_routes.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "emulator/emulator_test_support.h"
#include "gtest/gtest.h"

namespace perch::emulator::testing {
namespace {

class TokenRoutesTest : public StartedEmulatorTest {
 protected:

  void ExpectTokenError(const HttpResult& result) {
    EXPECT_EQ(result.curl_code, CURLE_OK);
    EXPECT_EQ(result.status, 403);
    EXPECT_EQ(result.body, kTokenErrorBody);
    EXPECT_EQ(result.Header("content-type"), "application/json;charset=utf-8");
  }
};

TEST_F(TokenRoutesTest, IssuesATokenForTheSpecsExampleRequest) {
  HttpResult result = PostToken();
  ASSERT_EQ(result.curl_code, CURLE_OK);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("content-type"), "application/json;charset=utf-8");
  std::string token = JsonStringMember(result.body, "access_token");
  EXPECT_EQ(JsonStringMember(result.body, "token_type"), "bearer");
  // The exact shape, nothing more (no expires_in).
  EXPECT_TRUE(result.body ==
              absl::StrCat(R"({"token_type":"bearer","access_token":")", token,
                           R"("})"))
      << "unexpected token answer of length " << result.body.size();
  EXPECT_EQ(emulator_->RequestCount("/oauth2/token"), 1);
}

TEST_F(TokenRoutesTest, TokenLooksLikeTheUpstreamsWithPercentEscapes) {
  std::string token = ObtainToken();
  EXPECT_TRUE(absl::StartsWith(token, "AAAAAAAAAAAAAAAAAAAAA"));
  EXPECT_TRUE(absl::StrContains(token, "%2F"));
  EXPECT_TRUE(absl::StrContains(token, "%3D"));
}

TEST_F(TokenRoutesTest, SameTokenUntilInvalidated) {
  std::string first = ObtainToken();
  std::string second = ObtainToken();
  EXPECT_TRUE(first == second) << "tokens of length " << first.size() << " and "
                               << second.size() << " differ";
  EXPECT_EQ(emulator_->TokensIssued(), 1);
}

TEST_F(TokenRoutesTest, InvalidateAnswersTheTokenAndTheNextOneDiffers) {
  std::string first = ObtainToken();
  HttpResult invalidated = Invalidate(first);
  EXPECT_EQ(invalidated.status, 200);
  EXPECT_TRUE(invalidated.body ==
              absl::StrCat(R"({"access_token":")", first, R"("})"))
      << "invalidate body of length " << invalidated.body.size();
  std::string second = ObtainToken();
  EXPECT_FALSE(second.empty());
  EXPECT_FALSE(first == second) << "the same token came back";
  EXPECT_EQ(emulator_->TokensIssued(), 2);
  // The old token stops working, the new one works.
  EXPECT_EQ(GetWithBearer(kDevTimeline, first).status, 401);
  EXPECT_EQ(GetWithBearer(kDevTimeline, second).status, 200);
}

TEST_F(TokenRoutesTest, TokensAreDeterministicFromTheSeed) {
  std::string a = ObtainToken();
  RestartEmulator();
  std::string b = ObtainToken();
  EXPECT_TRUE(a == b) << "same seed, different first token";
  EmulatorOptions other;
  other.seed = 2;
  RestartEmulator(std::move(other));
  std::string c = ObtainToken();
  EXPECT_FALSE(a == c) << "different seeds, same first token";
}

TEST_F(TokenRoutesTest, WrongCredentialsAre403Code99) {
  ExpectTokenError(PostToken(
      {absl::StrCat("Authorization: ",
                    BasicAuthorization("xvz1evFS4wEEPTGEFPHBog", "wrong")),
       kFormContentType}));
  ExpectTokenError(PostToken(
      {absl::StrCat("Authorization: ",
                    BasicAuthorization("wrong",
                                       "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88D"
                                       "RdyOg")),
       kFormContentType}));
  ExpectTokenError(PostToken({kFormContentType}));  // no Authorization
  ExpectTokenError(
      PostToken({"Authorization: Basic !!!notbase64!!!", kFormContentType}));
  ExpectTokenError(PostToken(
      {"Authorization: Bearer eHZ6MWV2RlM0d0VFUFRHRUZQSEJvZzpMOHFxOVBaeVJnNm"
       "llS0dFS2hab2xHQzB2SldMdzhpRUo4OERSZHlPZw==",
       kFormContentType}));
  // base64("keywithoutcolon")
  ExpectTokenError(PostToken(
      {"Authorization: Basic a2V5d2l0aG91dGNvbG9u", kFormContentType}));
}

TEST_F(TokenRoutesTest, CredentialsArePercentDecodedBeforeComparing) {
  EmulatorOptions options;
  options.app_key = "key with/odd+chars";
  options.app_secret = "50%off:=";
  RestartEmulator(std::move(options));
  // Encoded as the guide says: accepted.
  HttpResult encoded = PostToken(
      {absl::StrCat("Authorization: ",
                    BasicAuthorization("key with/odd+chars", "50%off:=")),
       kFormContentType});
  EXPECT_EQ(encoded.status, 200);
  // Not encoded: "50%of" is not a valid escape, so the upstream refuses.
  HttpResult raw = PostToken(
      {absl::StrCat("Authorization: Basic ",
                    absl::Base64Escape("key with/odd+chars:50%off:=")),
       kFormContentType});
  ExpectTokenError(raw);
}

TEST_F(TokenRoutesTest, ASecondAppHasTokensOfItsOwnThatReadsAccept) {
  EmulatorOptions options;
  options.second_app_key = "second-key";
  options.second_app_secret = "second-secret";
  RestartEmulator(std::move(options));
  const std::string first = ObtainToken();
  const std::string second_basic = absl::StrCat(
      "Authorization: ", BasicAuthorization("second-key", "second-secret"));
  HttpResult issued = PostToken({second_basic, kFormContentType});
  ASSERT_EQ(issued.status, 200);
  const std::string second = JsonStringMember(issued.body, "access_token");
  EXPECT_FALSE(second.empty() || second == first);
  EXPECT_EQ(GetWithBearer(absl::StrCat(kUserTimeline, "?screen_name=perch_dev"),
                          second)
                .status,
            200);
  // Each app's use is counted apart.
  EXPECT_TRUE(absl::StrContains(Call("GET", "/_emulator/stats").body,
                                R"("apps":[{"tokens_issued":1,"token_uses":0},)"
                                R"({"tokens_issued":1,"token_uses":1}])"));
  // One app cannot invalidate the other's token.
  ExpectTokenError(Invalidate(second));
  EXPECT_EQ(Invalidate(second, second_basic).status, 200);
  // A half-new pair (the second key, the first secret) is no app's.
  ExpectTokenError(
      PostToken({absl::StrCat("Authorization: ",
                              BasicAuthorization("second-key",
                                                 EmulatorOptions{}.app_secret)),
                 kFormContentType}));
}

TEST_F(TokenRoutesTest, MissingOrWrongGrantTypeIs403Code99) {
  ExpectTokenError(PostToken({kSpecBasicHeader, kFormContentType}, ""));
  ExpectTokenError(
      PostToken({kSpecBasicHeader, kFormContentType}, "grant_type=password"));
  ExpectTokenError(
      PostToken({kSpecBasicHeader, kFormContentType}, "scope=read"));
}

TEST_F(TokenRoutesTest, WrongContentTypeIs403Code99) {
  ExpectTokenError(
      PostToken({kSpecBasicHeader, "Content-Type: application/json"},
                kClientCredentials));
  ExpectTokenError(PostToken({kSpecBasicHeader, "Content-Type: text/plain"},
                             kClientCredentials));
  // "Content-Type:" with no value makes libcurl send none.
  ExpectTokenError(
      PostToken({kSpecBasicHeader, "Content-Type:"}, kClientCredentials));
  // Without the charset parameter it is still the form type.
  EXPECT_EQ(PostToken({kSpecBasicHeader,
                       "Content-Type: application/x-www-form-urlencoded"})
                .status,
            200);
}

TEST_F(TokenRoutesTest, GetIsNotATokenRequest) {
  ExpectTokenError(Call("GET", "/oauth2/token", {kSpecBasicHeader}));
}

TEST_F(TokenRoutesTest, TooFrequentTokenRequestsAre403Code99) {
  EmulatorOptions options;
  options.max_token_requests_per_minute = 3;
  RestartEmulator(std::move(options));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(PostToken().status, 200) << i;
  ExpectTokenError(PostToken());
  clock_.Advance(absl::Seconds(61));
  EXPECT_EQ(PostToken().status, 200);
}

TEST_F(TokenRoutesTest, InvalidatingAWrongTokenIs403Code99) {
  std::string token = ObtainToken();
  ExpectTokenError(Invalidate("AAAAAAAAAAAAAAAAAAAAAnot-the-token"));
  // Sent without form-encoding, "%2F" decodes to "/": a different token.
  ExpectTokenError(Call("POST", "/oauth2/invalidate_token",
                        {kSpecBasicHeader, kFormContentType},
                        absl::StrCat("access_token=", token)));
  ExpectTokenError(Call("POST", "/oauth2/invalidate_token",
                        {kSpecBasicHeader, kFormContentType}, ""));
  // The token is still live after all that.
  EXPECT_EQ(GetWithBearer(kDevTimeline, token).status, 200);
}

TEST_F(TokenRoutesTest, InvalidatingARevokedTokenIs403Code99) {
  std::string token = ObtainToken();
  EXPECT_EQ(Invalidate(token).status, 200);
  ExpectTokenError(Invalidate(token));
}

TEST_F(TokenRoutesTest, InvalidatingWithWrongCredentialsIs403Code99) {
  std::string token = ObtainToken();
  ExpectTokenError(Invalidate(
      token, absl::StrCat("Authorization: ",
                          BasicAuthorization("xvz1evFS4wEEPTGEFPHBog", "no"))));
  ExpectTokenError(Call("POST", "/oauth2/invalidate_token",
                        {kSpecBasicHeader, "Content-Type: application/json"},
                        absl::StrCat("access_token=", PercentEncode(token))));
  EXPECT_EQ(GetWithBearer(kDevTimeline, token).status, 200);
}

}  // namespace
}  // namespace perch::emulator::testing
