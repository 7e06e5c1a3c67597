#include "tests/integration/server_process.h"

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace perch::testing {

ServerProcess::ServerProcess(std::vector<std::string> args,
                             std::vector<std::string> env) {
  char path[] = "/tmp/perch_server_log_XXXXXX";
  const int fd = mkstemp(path);
  log_path_ = path;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fd, STDERR_FILENO);
  args.insert(args.begin(), PERCH_SERVER_BINARY);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  EXPECT_EQ(posix_spawn(&pid_, PERCH_SERVER_BINARY, &actions, nullptr,
                        argv.data(), envp.data()),
            0);
  posix_spawn_file_actions_destroy(&actions);
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

bool ServerProcess::Exited(absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  do {
    if (exited_) return true;
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

void ServerProcess::Signal(int sig) { kill(pid_, sig); }

}  // namespace perch::testing
