#include "server/http/curl_status.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "tests/testing/status_matchers.h"

namespace perch::http {
namespace {

using ::perch::testing::StatusIs;

TEST(CurlCodeToStatus, OkIsOk) {
  EXPECT_TRUE(CurlCodeToStatus(CURLE_OK, "").ok());
}

TEST(CurlCodeToStatus, ConnectionFailuresAreUnavailableWithCurlCode) {
  absl::Status s = CurlCodeToStatus(CURLE_COULDNT_CONNECT,
                                    "Failed to connect to 127.0.0.1 port 1");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_NE(s.message().find("connection refused"), absl::string_view::npos);
  EXPECT_NE(s.message().find("127.0.0.1 port 1"), absl::string_view::npos);
  auto info = GetErrorInfo(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "UPSTREAM_UNAVAILABLE");
  EXPECT_EQ(info->domain(), kPerchDomain);
  EXPECT_EQ(info->metadata().at("curl_code"), "7");
}

// A group of CURLcodes that all map to one code and reason.
struct CodeGroup {
  std::string name;
  std::vector<CURLcode> codes;
  absl::StatusCode code;
  std::string reason;
};

class CurlCodeGroupTest : public ::testing::TestWithParam<CodeGroup> {};

TEST_P(CurlCodeGroupTest, EachCodeMapsToTheGroupsStatus) {
  const CodeGroup& group = GetParam();
  for (CURLcode code : group.codes) {
    absl::Status s = CurlCodeToStatus(code, "");
    EXPECT_THAT(s, StatusIs(group.code)) << code;
    EXPECT_EQ(ErrorReason(s), group.reason) << code;
  }
}

INSTANTIATE_TEST_SUITE_P(
    CurlCodeToStatus, CurlCodeGroupTest,
    ::testing::Values(
        CodeGroup{
            "NetworkAndTlsFailuresAreUnavailable",
            {CURLE_COULDNT_RESOLVE_HOST, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
             CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_WEIRD_SERVER_REPLY,
             CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION,
             CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_BAD_CONTENT_ENCODING},
            absl::StatusCode::kUnavailable,
            "UPSTREAM_UNAVAILABLE"},
        CodeGroup{"OurOwnMistakesAreInternal",
                  {CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT,
                   CURLE_SSL_CACERT_BADFILE, CURLE_WRITE_ERROR},
                  absl::StatusCode::kInternal,
                  "HTTP_TRANSPORT_FAILED"}),
    [](const ::testing::TestParamInfo<CodeGroup>& info) {
      return info.param.name;
    });

TEST(CurlCodeToStatus, TimeoutIsDeadlineExceeded) {
  absl::Status s = CurlCodeToStatus(CURLE_OPERATION_TIMEDOUT, "");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(ErrorReason(s), "DEADLINE_EXCEEDED");
  EXPECT_EQ(GetErrorInfo(s)->metadata().at("curl_code"), "28");
}

TEST(CurlCodeToStatus, UnlistedCodesAreUnavailableWithLibcurlText) {
  absl::Status s = CurlCodeToStatus(CURLE_FTP_WEIRD_PASV_REPLY, "");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_NE(s.message().find(curl_easy_strerror(CURLE_FTP_WEIRD_PASV_REPLY)),
            absl::string_view::npos);
}

}  // namespace
}  // namespace perch::http
