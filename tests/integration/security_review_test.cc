// The findings of the outside security review (issue 13, item 6), checked on
// the perch-server process as operators run it, with an in-process emulator
// as its upstream: protobuf's complaints about non-UTF-8 strings come out in
// perch's log format and bounded; an emptied callers file keeps the callers
// it had, and !no-callers refuses everyone on purpose; Invalidate with no
// token held says so and asks nothing upstream. (The audit credential
// value is checked against docs/security.md in security_audit_log_test.)
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "emulator/emulator.h"
#include "gtest/gtest.h"
#include "tests/integration/security_test_util.h"
#include "tests/integration/server_process.h"
#include "tests/testing/status_matchers.h"

namespace perch::testing {
namespace {

constexpr char kReaderKey[] = "review-reader-key-0c1d";

std::unique_ptr<emulator::Emulator> StartEmulator() {
  auto e = emulator::Emulator::Start(emulator::EmulatorOptions{});
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? *std::move(e) : nullptr;
}

std::vector<std::string> Env(const emulator::Emulator& upstream) {
  const emulator::EmulatorOptions defaults;
  return ServerEnv(defaults.app_key, defaults.app_secret, upstream.base_url());
}

// A channel to `server` once it listens; null (the test failed) if it
// never does.
std::shared_ptr<grpc::Channel> ChannelTo(ServerProcess& server) {
  const int port = server.WaitForPort(absl::Seconds(20));
  EXPECT_GT(port, 0) << server.Output();
  if (port <= 0) return nullptr;
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                             grpc::InsecureChannelCredentials());
}

int CountLinesContaining(const std::string& output, absl::string_view text) {
  int n = 0;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    n += absl::StrContains(line, text);
  }
  return n;
}

class SecurityReview : public ::testing::Test {
 protected:
  // An emulator, and perch-server on it with `args`; channel_ stays null
  // (and the test has failed) if either does not start.
  void Start(std::vector<std::string> args) {
    upstream_ = StartEmulator();
    if (upstream_ == nullptr) return;
    args.insert(args.begin(), "--listen=127.0.0.1:0");
    server_ = std::make_unique<ServerProcess>(std::move(args), Env(*upstream_));
    channel_ = ChannelTo(*server_);
  }

  std::unique_ptr<emulator::Emulator> upstream_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(SecurityReview, NonUtf8RequestsLogInPerchsFormatAtMostTenAMinute) {
  Start({"--insecure_no_auth"});
  ASSERT_NE(channel_, nullptr);
  // GetTimelineRequest.screen_name holding bytes that are not UTF-8.
  const std::string invalid_utf8("\x0a\x04\xff\xfe\xc0\x80", 6);
  constexpr int kRequests = 100;
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_THAT(SendRawBytes(*channel_, "/perch.v1.ReadService/GetTimeline",
                             invalid_utf8),
                StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  }
  server_->Signal(SIGTERM);
  ASSERT_TRUE(server_->Exited(absl::Seconds(20)));
  const std::string output = server_->Output();
  EXPECT_FALSE(absl::StrContains(output, "[libprotobuf")) << output;
  EXPECT_FALSE(absl::StrContains(output, "\xff"));
  EXPECT_EQ(CountLinesContaining(output, " ERROR protobuf: String field"), 10)
      << output;
  EXPECT_EQ(CountLinesContaining(output, "suppressing the rest"), 1) << output;
}

TEST_F(SecurityReview,
       AnEmptiedCallersFileKeepsItsCallersUnlessItSaysNoCallers) {
  TempDir dir;
  dir.Write("callers", CallerLine("reports", kReaderKey, "reader"));
  Start({absl::StrCat("--api_keys_file=", dir.File("callers")),
         "--api_keys_reload_interval=0s",
         // The emulator's v2 side is not finished; any read will do here.
         "--upstream_api=v1.1"});
  ASSERT_NE(channel_, nullptr);
  GuardedMethod timeline = AllGuardedMethods()[2];
  ASSERT_EQ(timeline.name, "GetTimeline");
  auto call = [&] {
    auto context = KeyedContext(kReaderKey);
    return timeline.call(*channel_, context.get(), nullptr);
  };
  ASSERT_TRUE(call().ok());

  dir.Write("callers", "");  // the Secret lost its content
  grpc::Status after_empty = call();
  EXPECT_TRUE(after_empty.ok()) << after_empty.error_message();
  dir.Write("callers", "# rotated away\n");
  EXPECT_TRUE(call().ok());
  EXPECT_EQ(CountLinesContaining(server_->Output(), "names no caller"), 2)
      << server_->Output();

  dir.Write("callers", "# incident: nobody\n!no-callers\n");
  EXPECT_THAT(call(), StatusIs(grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_EQ(CountLinesContaining(server_->Output(), "every caller is refused"),
            1);
}

TEST_F(SecurityReview, InvalidateHoldingNoTokenSaysSoWithoutAnUpstreamCall) {
  Start({"--insecure_no_auth"});
  ASSERT_NE(channel_, nullptr);
  auto tokens = v1::TokenService::NewStub(channel_);
  v1::InvalidateResponse response;
  grpc::Status s = tokens->Invalidate(KeyedContext("").get(),
                                      v1::InvalidateRequest(), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(response.nothing_held());
  EXPECT_EQ(response.token_fingerprint(), "");
  EXPECT_EQ(upstream_->RequestCount("/oauth2/token"), 0);
  EXPECT_EQ(upstream_->RequestCount("/oauth2/invalidate_token"), 0);
  // The audit line says what happened: OK, no fingerprint.
  EXPECT_TRUE(absl::StrContains(
      server_->Output(),
      R"("method":"perch.v1.TokenService/Invalidate","outcome":"OK","reason":"","token_fingerprint":""})"))
      << server_->Output();
}

}  // namespace
}  // namespace perch::testing
