#include "tests/integration/server_process.h"

#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/perch_process_lines.h"

namespace perch::testing {
namespace {

// perch-server's /metrics listener defaults to 0.0.0.0:9464, which suites
// running in parallel would fight over: unless the test chose, a free
// loopback port.
std::vector<std::string> WithMetricsPort(std::vector<std::string> args,
                                         const std::vector<std::string>& env) {
  for (const std::string& a : args) {
    if (a.rfind("--metrics_listen", 0) == 0) return args;
  }
  for (const std::string& e : env) {
    if (e.rfind("PERCH_METRICS_LISTEN=", 0) == 0) return args;
  }
  args.push_back("--metrics_listen=127.0.0.1:0");
  return args;
}

}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> args,
                             std::vector<std::string> env) {
  std::vector<std::string> argv = WithMetricsPort(std::move(args), env);
  argv.insert(argv.begin(), PERCH_SERVER_BINARY);
  absl::StatusOr<std::unique_ptr<ChildProcess>> spawned =
      ChildProcess::Spawn({.argv = std::move(argv),
                           .env = std::move(env),
                           .inherit_env = false,
                           // What is left at destruction is killed at once.
                           .stop_grace = absl::ZeroDuration()});
  EXPECT_TRUE(spawned.ok()) << spawned.status();
  if (spawned.ok()) process_ = *std::move(spawned);
}

std::string ServerProcess::Output() const {
  return process_ != nullptr ? process_->Output() : "";
}

int ServerProcess::WaitForPort(absl::Duration timeout) {
  if (process_ == nullptr) return 0;
  return WaitForServerPort(*process_, timeout).value_or(0);
}

int ServerProcess::WaitForMetricsPort(absl::Duration timeout) {
  if (process_ == nullptr) return 0;
  return perch::testing::WaitForMetricsPort(*process_, timeout).value_or(0);
}

bool ServerProcess::Exited(absl::Duration timeout) {
  return process_ == nullptr || process_->Wait(timeout).ok();
}

void ServerProcess::Signal(int sig) {
  if (process_ != nullptr) process_->Signal(sig);
}

int ServerProcess::exit_code() const {
  return process_ != nullptr ? process_->exit_code().value_or(-1) : -1;
}

std::vector<std::string> ServerEnv(absl::string_view consumer_key,
                                   absl::string_view consumer_secret,
                                   absl::string_view api_base_url) {
  return {absl::StrCat("PERCH_CONSUMER_KEY=", consumer_key),
          absl::StrCat("PERCH_CONSUMER_SECRET=", consumer_secret),
          absl::StrCat("PERCH_API_BASE_URL=", api_base_url)};
}

}  // namespace perch::testing
