#include "server/auth/app_credentials.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "server/common/percent_encoding.h"

namespace perch::auth {
namespace {

// The worked example of Twitter's application-only authentication guide.
TEST(AppCredentials, ReproducesTheSpecWorkedExample) {
  AppCredentials credentials{"xvz1evFS4wEEPTGEFPHBog",
                             "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg"};
  EXPECT_EQ(BasicAuthorization(credentials),
            "Basic "
            "eHZ6MWV2RlM0d0VFUFRHRUZQSEJvZzpMOHFxOVBaeVJnNmllS0dFS2hab2xHQzB2"
            "SldMdzhpRUo4OERSZHlPZw==");
}

TEST(AppCredentials, ReservedCharactersArePercentEncodedBeforeBase64) {
  AppCredentials credentials{"key:with/reserved+chars", "s3cr=t&%"};
  std::string header = BasicAuthorization(credentials);
  ASSERT_EQ(header.rfind("Basic ", 0), 0u);
  std::string decoded;
  ASSERT_TRUE(absl::Base64Unescape(header.substr(6), &decoded));
  // Exactly one unencoded ':' separates key and secret.
  EXPECT_EQ(decoded, "key%3Awith%2Freserved%2Bchars:s3cr%3Dt%26%25");
}

TEST(AppCredentials, PercentEncodeKeepsUnreservedAndEncodesBytes) {
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode(" "), "%20");
  EXPECT_EQ(PercentEncode("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(PercentEncode(""), "");
}

}  // namespace
}  // namespace perch::auth
