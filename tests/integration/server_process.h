// The perch-server binary this build made, as a child process (a
// ChildProcess underneath), for tests that need the real process: its flags
// and environment, its output, signals and exit code. Owns nothing else;
// tests start the emulator and channels themselves.
#ifndef PERCH_TESTS_INTEGRATION_SERVER_PROCESS_H_
#define PERCH_TESTS_INTEGRATION_SERVER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tests/testing/child_process.h"

namespace perch::testing {

// Not thread-safe: one test thread drives it. The destructor SIGKILLs a
// process still running and removes its output file.
class ServerProcess {
 public:
  // Starts PERCH_SERVER_BINARY with `args` and exactly the environment
  // `env`; stdout and stderr both go to a temporary file. A failed spawn
  // fails the current test (and the process then counts as exited).
  ServerProcess(std::vector<std::string> args, std::vector<std::string> env);

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Everything the process printed so far.
  std::string Output() const;

  // The port from the "listening ... (port N)" log line, or 0 when the
  // process exits or `timeout` passes first.
  int WaitForPort(absl::Duration timeout);

  // perch-server's /metrics port, from its "GET /metrics at port N" log
  // line, or 0 when the process exits or `timeout` passes first.
  int WaitForMetricsPort(absl::Duration timeout);

  // True once the process has exited, waiting up to `timeout` for it.
  bool Exited(absl::Duration timeout);

  void Signal(int sig);
  // The exit status once Exited() returned true (128 + the signal if one
  // killed it); -1 before.
  int exit_code() const;
  pid_t pid() const { return process_ != nullptr ? process_->pid() : -1; }

 private:
  std::unique_ptr<ChildProcess> process_;
};

// The environment that points perch-server at an upstream: the app's
// consumer key and secret, and the API base URL (PERCH_CONSUMER_KEY,
// PERCH_CONSUMER_SECRET, PERCH_API_BASE_URL).
std::vector<std::string> ServerEnv(absl::string_view consumer_key,
                                   absl::string_view consumer_secret,
                                   absl::string_view api_base_url);

}  // namespace perch::testing

#endif  // PERCH_TESTS_INTEGRATION_SERVER_PROCESS_H_
