// The Emulator object itself: starting, addresses, failures to start, and
// test-thread calls racing the loop thread.
#include "emulator/emulator.h"

#include <atomic>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "emulator/emulator_test_support.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace perch::emulator::testing {
namespace {

using ::perch::testing::StatusIs;

TEST(Emulator, StartsOnAnEphemeralPort) {
  absl::StatusOr<std::unique_ptr<Emulator>> a = Emulator::Start({});
  absl::StatusOr<std::unique_ptr<Emulator>> b = Emulator::Start({});
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_GT((*a)->port(), 0);
  EXPECT_NE((*a)->port(), (*b)->port());
  EXPECT_EQ((*a)->base_url(), absl::StrCat("http://127.0.0.1:", (*a)->port()));
}

TEST(Emulator, PortInUseIsUnavailable) {
  absl::StatusOr<std::unique_ptr<Emulator>> first = Emulator::Start({});
  ASSERT_TRUE(first.ok());
  EmulatorOptions options;
  options.port = (*first)->port();
  EXPECT_THAT(Emulator::Start(std::move(options)),
              StatusIs(absl::StatusCode::kUnavailable));
}

// Options that cannot start an emulator, plain or TLS: each is refused with
// INVALID_ARGUMENT before anything listens.
struct BadOptions {
  const char* name;
  void (*apply)(EmulatorOptions&);
};

class EmulatorRefusesTest : public ::testing::TestWithParam<BadOptions> {};

TEST_P(EmulatorRefusesTest, ToStart) {
  EmulatorOptions options;
  GetParam().apply(options);
  EXPECT_THAT(Emulator::Start(std::move(options)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

INSTANTIATE_TEST_SUITE_P(
    Start, EmulatorRefusesTest,
    ::testing::Values(BadOptions{"BadAddressIsInvalidArgument",
                                 [](EmulatorOptions& o) {
                                   o.listen_host = "not an address";
                                 }},
                      BadOptions{"BadCertificateFileIsInvalidArgument",
                                 [](EmulatorOptions& o) {
                                   o.tls_cert_file = PERCH_TEST_CERT_DIR
                                       "/does-not-exist.pem";
                                   o.tls_key_file =
                                       PERCH_TEST_CERT_DIR "/server.key";
                                 }},
                      BadOptions{"CertificateWithoutKeyIsInvalidArgument",
                                 [](EmulatorOptions& o) {
                                   o.tls_cert_file =
                                       PERCH_TEST_CERT_DIR "/server.pem";
                                 }}),
    [](const ::testing::TestParamInfo<BadOptions>& info) {
      return std::string(info.param.name);
    });

TEST(Emulator, StopsRightAfterStarting) {
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<std::unique_ptr<Emulator>> emulator = Emulator::Start({});
    ASSERT_TRUE(emulator.ok());
  }
}

class EmulatorThreadsTest : public EmulatorTest {};

TEST_F(EmulatorThreadsTest, TestThreadCallsRaceServedRequestsSafely) {
  StartEmulator();
  std::atomic<bool> stop{false};
  std::thread fiddler([this, &stop] {
    FaultRule rule;
    rule.path_prefix = "/nowhere/";
    rule.status = 500;
    while (!stop.load()) {
      emulator_->AddFault(rule);
      emulator_->RequestCount("/oauth2/token");
      emulator_->SetRateLimit(kUserTimeline, 1000);
      emulator_->ClearFaults();
    }
  });
  for (int i = 0; i < 50; ++i) {
    std::string token = ObtainToken();
    EXPECT_EQ(GetWithBearer(kDevTimeline, token).status, 200);
  }
  stop.store(true);
  fiddler.join();
  EXPECT_EQ(emulator_->RequestCount("/oauth2/token"), 50);
  EXPECT_EQ(emulator_->RequestCount(kUserTimeline), 50);
}

}  // namespace
}  // namespace perch::emulator::testing
