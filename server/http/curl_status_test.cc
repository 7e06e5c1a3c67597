#include "server/http/curl_status.h"

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

TEST(CurlCodeToStatus, NetworkAndTlsFailuresAreUnavailable) {
  for (CURLcode code :
       {CURLE_COULDNT_RESOLVE_HOST, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
        CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_WEIRD_SERVER_REPLY,
        CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_HTTP2,
        CURLE_HTTP2_STREAM, CURLE_BAD_CONTENT_ENCODING}) {
    absl::Status s = CurlCodeToStatus(code, "");
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable)) << code;
    EXPECT_EQ(ErrorReason(s), "UPSTREAM_UNAVAILABLE") << code;
  }
}

TEST(CurlCodeToStatus, TimeoutIsDeadlineExceeded) {
  absl::Status s = CurlCodeToStatus(CURLE_OPERATION_TIMEDOUT, "");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(ErrorReason(s), "DEADLINE_EXCEEDED");
  EXPECT_EQ(GetErrorInfo(s)->metadata().at("curl_code"), "28");
}

TEST(CurlCodeToStatus, OurOwnMistakesAreInternal) {
  for (CURLcode code : {CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT,
                        CURLE_SSL_CACERT_BADFILE, CURLE_WRITE_ERROR}) {
    absl::Status s = CurlCodeToStatus(code, "");
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInternal)) << code;
    EXPECT_EQ(ErrorReason(s), "HTTP_TRANSPORT_FAILED") << code;
  }
}

TEST(CurlCodeToStatus, UnlistedCodesAreUnavailableWithLibcurlText) {
  absl::Status s = CurlCodeToStatus(CURLE_FTP_WEIRD_PASV_REPLY, "");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_NE(s.message().find(curl_easy_strerror(CURLE_FTP_WEIRD_PASV_REPLY)),
            absl::string_view::npos);
}

}  // namespace
}  // namespace perch::http
