// HTTPS with the build's test certificates: the same contract over TLS.
// (Certificate options that cannot start are in emulator_test.cc's table.)
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "emulator/emulator_test_support.h"
#include "gtest/gtest.h"

namespace perch::emulator::testing {
namespace {

class TlsTest : public EmulatorTest {
 protected:
  void SetUp() override {
    EmulatorOptions options;
    options.tls_cert_file = PERCH_TEST_CERT_DIR "/server.pem";
    options.tls_key_file = PERCH_TEST_CERT_DIR "/server.key";
    ca_file_ = PERCH_TEST_CERT_DIR "/ca.pem";
    StartEmulator(options);
  }
};

TEST_F(TlsTest, TokenAndReadOverHttps) {
  EXPECT_TRUE(absl::StartsWith(emulator_->base_url(), "https://127.0.0.1:"));
  std::string token = ObtainToken();
  HttpResult read = GetWithBearer(kDevTimeline, token);
  EXPECT_EQ(read.curl_code, CURLE_OK);
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.Header("x-rate-limit-limit"), "1500");
}

TEST_F(TlsTest, UntrustedCertificateIsRefusedByTheClient) {
  ca_file_ = PERCH_TEST_CERT_DIR "/other_ca.pem";
  HttpResult result = PostToken();
  EXPECT_NE(result.curl_code, CURLE_OK);
  EXPECT_EQ(emulator_->RequestCount("/oauth2/token"), 0);
}

TEST_F(TlsTest, PlainHttpGetsNoAnswer) {
  HttpCall call;
  call.url =
      absl::StrCat("http://127.0.0.1:", emulator_->port(), "/oauth2/token");
  call.timeout = absl::Seconds(5);
  HttpResult result = Fetch(call);
  EXPECT_NE(result.status, 200);
  EXPECT_EQ(emulator_->RequestCount("/oauth2/token"), 0);
}

TEST_F(TlsTest, DropAndLatencyOverTls) {
  FaultRule rule;
  rule.drop_connection = true;
  rule.latency = absl::Milliseconds(100);
  rule.times = 1;
  emulator_->AddFault(rule);
  HttpResult dropped = PostToken();
  EXPECT_NE(dropped.curl_code, CURLE_OK);
  EXPECT_EQ(dropped.status, 0);
  EXPECT_EQ(PostToken().status, 200);
}

}  // namespace
}  // namespace perch::emulator::testing
