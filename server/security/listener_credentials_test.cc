#include "server/security/listener_credentials.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace perch::security {
namespace {

using ::perch::testing::StatusIs;

constexpr char kCerts[] = PERCH_TEST_CERT_DIR;

std::string Cert(absl::string_view name) {
  return std::string(kCerts) + "/" + std::string(name);
}

ListenerOptions Options(std::string cert, std::string key,
                        std::string client_ca = "") {
  ListenerOptions o;
  o.tls_cert_file = std::move(cert);
  o.tls_key_file = std::move(key);
  o.client_ca_file = std::move(client_ca);
  return o;
}

TEST(ListenerCredentials, PlaintextWithoutFiles) {
  auto creds = MakeListenerCredentials({});
  ASSERT_TRUE(creds.ok()) << creds.status();
  EXPECT_FALSE(creds->tls);
  EXPECT_NE(creds->credentials, nullptr);
}

TEST(ListenerCredentials, TlsFromAMatchingPairWithOrWithoutClientCa) {
  auto tls =
      MakeListenerCredentials(Options(Cert("server.pem"), Cert("server.key")));
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_TRUE(tls->tls);
  EXPECT_NE(tls->provider, nullptr);
  auto mtls = MakeListenerCredentials(
      Options(Cert("server.pem"), Cert("server.key"), Cert("ca.pem")));
  ASSERT_TRUE(mtls.ok()) << mtls.status();
}

TEST(ListenerCredentials, BadFilesAreRefusedNamingTheFlag) {
  struct Case {
    ListenerOptions options;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {Options(Cert("server.pem"), ""), "go together"},
      {Options("", "", Cert("ca.pem")), "--client_ca_file needs"},
      {Options(Cert("missing.pem"), Cert("server.key")), "--tls_cert_file"},
      {Options(Cert("server.key"), Cert("server.key")), "no PEM certificate"},
      {Options(Cert("server.pem"), Cert("server.pem")),
       "no unencrypted PEM private key"},
      {Options(Cert("ca.pem"), Cert("server.key")), "does not belong"},
      {Options(Cert("server.pem"), Cert("server.key"), Cert("server.key")),
       "--client_ca_file"},
  };
  for (const Case& c : cases) {
    auto creds = MakeListenerCredentials(c.options);
    ASSERT_FALSE(creds.ok()) << c.expected;
    EXPECT_THAT(creds.status(), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_TRUE(absl::StrContains(creds.status().message(), c.expected))
        << creds.status().message();
    // A key file's content never shows.
    EXPECT_FALSE(absl::StrContains(creds.status().message(), "PRIVATE KEY-"));
  }
}

}  // namespace
}  // namespace perch::security
