#include "server/common/errors.h"

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace perch {
namespace {

using ::perch::testing::StatusIs;

TEST(Errors, MakeErrorCarriesExactlyOneErrorInfo) {
  absl::Status s = MakeError(absl::StatusCode::kNotFound, "no such user",
                             "NOT_FOUND", kUpstreamDomain,
                             {{"http_status", "404"}, {"upstream_code", "50"}});
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kNotFound));
  auto info = GetErrorInfo(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "NOT_FOUND");
  EXPECT_EQ(info->domain(), "api.twitter.com");
  EXPECT_EQ(info->metadata().at("http_status"), "404");
  EXPECT_EQ(info->metadata().at("upstream_code"), "50");
}

TEST(Errors, InvalidArgumentNamesEachField) {
  absl::Status s = MakeInvalidArgument(
      {{"page_size", "must be 1-200"}, {"screen_name", "too long"}});
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorReason(s), "INVALID_REQUEST");
  auto bad = GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 2);
  EXPECT_EQ(bad->field_violations(0).field(), "page_size");
  EXPECT_EQ(bad->field_violations(1).field(), "screen_name");
  EXPECT_NE(s.message().find("page_size"), std::string::npos);
}

TEST(Errors, RetryInfoRoundTripsAndClampsNegative) {
  absl::Status s = MakeError(absl::StatusCode::kResourceExhausted, "slow down",
                             "RATE_LIMITED", kUpstreamDomain);
  AttachRetryInfo(s, absl::Milliseconds(2500));
  auto retry = GetRetryInfo(s);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 2);
  EXPECT_EQ(retry->retry_delay().nanos(), 500000000);
  AttachRetryInfo(s, absl::Seconds(-3));
  EXPECT_EQ(GetRetryInfo(s)->retry_delay().seconds(), 0);
}

TEST(Errors, AttachingToOkStatusDoesNothing) {
  absl::Status s;
  AttachRetryInfo(s, absl::Seconds(1));
  EXPECT_TRUE(s.ok());
  EXPECT_FALSE(GetRetryInfo(s).has_value());
}

}  // namespace
}  // namespace perch
