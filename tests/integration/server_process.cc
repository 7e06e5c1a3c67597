#include "tests/integration/server_process.h"

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace perch::testing {

pid_t SpawnWithOutput(const std::string& binary, std::vector<std::string> args,
                      std::vector<std::string> env, int output_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, output_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output_fd, STDERR_FILENO);
  args.insert(args.begin(), binary);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr,
                                  argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  return spawned == 0 ? pid : -1;
}

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
                             std::vector<std::string> env)
    : ServerProcess(PERCH_SERVER_BINARY, WithMetricsPort(std::move(args), env),
                    std::move(env)) {}

ServerProcess::ServerProcess(const std::string& binary,
                             std::vector<std::string> args,
                             std::vector<std::string> env) {
  char path[] = "/tmp/perch_server_log_XXXXXX";
  const int fd = mkstemp(path);
  log_path_ = path;
  pid_ = SpawnWithOutput(binary, std::move(args), std::move(env), fd);
  EXPECT_GE(pid_, 0);
  close(fd);
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  unlink(log_path_.c_str());
}

std::string ServerProcess::Output() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int ServerProcess::WaitForPort(absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    const std::string out = Output();
    const size_t at = out.find("(port ");
    if (at != std::string::npos) {
      int port = 0;
      const size_t close = out.find(')', at);
      if (absl::SimpleAtoi(out.substr(at + 6, close - at - 6), &port)) {
        return port;
      }
    }
    if (Exited(absl::ZeroDuration())) return 0;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return 0;
}

int ServerProcess::WaitForMetricsPort(absl::Duration timeout) {
  const std::string kMarker = "GET /metrics at port ";
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    const std::string out = Output();
    const size_t at = out.find(kMarker);
    if (at != std::string::npos) {
      const size_t start = at + kMarker.size();
      size_t stop = start;
      while (stop < out.size() && out[stop] >= '0' && out[stop] <= '9') ++stop;
      int port = 0;
      if (absl::SimpleAtoi(out.substr(start, stop - start), &port)) return port;
    }
    if (Exited(absl::ZeroDuration())) return 0;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return 0;
}

std::string ServerProcess::WaitForLine(const std::string& prefix,
                                       absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    std::istringstream lines(Output());
    // Only whole lines: the last one may still be being written.
    for (std::string line; std::getline(lines, line) && !lines.eof();) {
      if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
    }
    if (Exited(absl::ZeroDuration())) return "";
    absl::SleepFor(absl::Milliseconds(20));
  }
  return "";
}

bool ServerProcess::Exited(absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  do {
    // A process that never started (pid_ -1) must not become waitpid(-1).
    if (exited_ || pid_ <= 0) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return true;
    }
    absl::SleepFor(absl::Milliseconds(20));
  } while (absl::Now() < end);
  return false;
}

void ServerProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);  // kill(-1) would signal every process
}

}  // namespace perch::testing
