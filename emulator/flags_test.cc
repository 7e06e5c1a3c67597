#include "emulator/flags.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace perch::emulator {
namespace {

TEST(ParseEmulatorFlags, Defaults) {
  absl::StatusOr<EmulatorFlags> flags = ParseEmulatorFlags({});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->options.listen_host, "127.0.0.1");
  EXPECT_EQ(flags->options.port, 8080);
  EXPECT_EQ(flags->options.app_key, "xvz1evFS4wEEPTGEFPHBog");
  EXPECT_EQ(flags->options.max_token_requests_per_minute, 60);
  EXPECT_TRUE(flags->options.faults.empty());
  EXPECT_FALSE(flags->help);
}

TEST(ParseEmulatorFlags, ReadsEveryOption) {
  absl::StatusOr<EmulatorFlags> flags = ParseEmulatorFlags(
      {"--listen=[::1]:0", "--tls_cert_file=c.pem", "--tls_key_file=k.pem",
       "--app_key=k", "--app_secret=s", "--second_app_key=k2",
       "--second_app_secret=s2", "--max_token_requests_per_minute=5",
       "--seed=99"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  const EmulatorOptions& o = flags->options;
  EXPECT_EQ(o.listen_host, "::1");
  EXPECT_EQ(o.port, 0);
  EXPECT_EQ(o.tls_cert_file, "c.pem");
  EXPECT_EQ(o.tls_key_file, "k.pem");
  EXPECT_EQ(o.app_key, "k");
  EXPECT_EQ(o.app_secret, "s");
  EXPECT_EQ(o.second_app_key, "k2");
  EXPECT_EQ(o.second_app_secret, "s2");
  EXPECT_EQ(o.max_token_requests_per_minute, 5);
  EXPECT_EQ(o.seed, 99u);
}

TEST(ParseEmulatorFlags, AccessLevelAndAccountState) {
  absl::StatusOr<EmulatorFlags> defaults = ParseEmulatorFlags({});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->options.access_level, AccessLevel::kFull);
  EXPECT_EQ(defaults->options.account_state, AccountState::kOk);
  absl::StatusOr<EmulatorFlags> flags = ParseEmulatorFlags(
      {"--access_level=v2_only", "--account_state=credits_depleted"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->options.access_level, AccessLevel::kV2Only);
  EXPECT_EQ(flags->options.account_state, AccountState::kCreditsDepleted);
  flags = ParseEmulatorFlags(
      {"--access_level=not_enrolled", "--account_state=usage_capped"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->options.access_level, AccessLevel::kNotEnrolled);
  EXPECT_EQ(flags->options.account_state, AccountState::kUsageCapped);
  for (const char* bad : {"--access_level=gold", "--access_level",
                          "--account_state=broke", "--account_state"}) {
    absl::StatusOr<EmulatorFlags> result = ParseEmulatorFlags({bad});
    EXPECT_FALSE(result.ok()) << bad;
  }
}

TEST(ParseEmulatorFlags, LatencyAndOutcomeBecomeSeparateRules) {
  absl::StatusOr<EmulatorFlags> flags = ParseEmulatorFlags(
      {"--fault_path_prefix=/1.1/", "--fault_latency_ms=200",
       "--fault_error_rate=0.25", "--fault_status=500", "--fault_code=131"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  const auto& faults = flags->options.faults;
  ASSERT_EQ(faults.size(), 2u);
  EXPECT_EQ(faults[0].path_prefix, "/1.1/");
  EXPECT_EQ(faults[0].latency, absl::Milliseconds(200));
  EXPECT_DOUBLE_EQ(faults[0].probability, 1.0);
  EXPECT_FALSE(faults[0].has_outcome());
  EXPECT_EQ(faults[1].path_prefix, "/1.1/");
  EXPECT_DOUBLE_EQ(faults[1].probability, 0.25);
  EXPECT_EQ(faults[1].status, 500);
  EXPECT_EQ(faults[1].error_code, 131);
  EXPECT_EQ(faults[1].error_message, "Internal error");
}

TEST(ParseEmulatorFlags, ErrorRateAloneMeansOverCapacity) {
  absl::StatusOr<EmulatorFlags> flags =
      ParseEmulatorFlags({"--fault_error_rate=0.1"});
  ASSERT_TRUE(flags.ok());
  ASSERT_EQ(flags->options.faults.size(), 1u);
  EXPECT_EQ(flags->options.faults[0].status, 503);
  EXPECT_EQ(flags->options.faults[0].error_code, 130);
  EXPECT_EQ(flags->options.faults[0].error_message, "Over capacity");
}

TEST(ParseEmulatorFlags, BooleanFaultFlags) {
  absl::StatusOr<EmulatorFlags> flags = ParseEmulatorFlags(
      {"--fault_drop", "--fault_malformed=false", "--fault_token_type=mac"});
  ASSERT_TRUE(flags.ok());
  ASSERT_EQ(flags->options.faults.size(), 1u);
  EXPECT_TRUE(flags->options.faults[0].drop_connection);
  EXPECT_FALSE(flags->options.faults[0].malformed_body);
  EXPECT_EQ(flags->options.faults[0].token_type, "mac");
}

TEST(ParseEmulatorFlags, RejectsBadFlagsWithoutEchoingValues) {
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {"--listen=nope"},
           {"--listen=1.2.3.4:70000"},
           {"--fault_error_rate=2"},
           {"--fault_status=42"},
           {"--fault_code=131"},
           {"--tls_cert_file=c.pem"},
           {"--seed=-1"},
           {"positional"},
       }) {
    EXPECT_FALSE(ParseEmulatorFlags(bad).ok()) << bad[0];
  }
  absl::StatusOr<EmulatorFlags> flags =
      ParseEmulatorFlags({"--app_sekret=hunter2"});
  ASSERT_FALSE(flags.ok());
  EXPECT_TRUE(absl::StrContains(flags.status().message(), "app_sekret"));
  EXPECT_FALSE(absl::StrContains(flags.status().message(), "hunter2"));
}

TEST(ParseEmulatorFlags, Help) {
  absl::StatusOr<EmulatorFlags> flags = ParseEmulatorFlags({"--help"});
  ASSERT_TRUE(flags.ok());
  EXPECT_TRUE(flags->help);
  EXPECT_TRUE(absl::StrContains(EmulatorUsage(), "--fault_latency_ms"));
  // Generated from the definitions, defaults included: the example app's
  // secret is no flag default.
  EXPECT_FALSE(
      absl::StrContains(EmulatorUsage(), EmulatorOptions().app_secret));
  EXPECT_FALSE(absl::StrContains(EmulatorUsage(), EmulatorOptions().app_key));
}

}  // namespace
}  // namespace perch::emulator
