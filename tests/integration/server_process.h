// The perch-server binary as a child process, for tests that need the real
// process: its flags and environment, its output, signals and exit code.
// Owns nothing else; tests start the emulator and channels themselves.
#ifndef PERCH_TESTS_INTEGRATION_SERVER_PROCESS_H_
#define PERCH_TESTS_INTEGRATION_SERVER_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace perch::testing {

// Starts `binary` with `args` (argv[0] is added) and exactly the environment
// `env`, its stdout and stderr both going to `output_fd`. Returns the pid,
// or -1 when the spawn failed.
pid_t SpawnWithOutput(const std::string& binary, std::vector<std::string> args,
                      std::vector<std::string> env, int output_fd);

// Not thread-safe: one test thread drives it. The destructor SIGKILLs a
// process still running and removes its output file.
class ServerProcess {
 public:
  // Starts PERCH_SERVER_BINARY (the perch-server this build made) with
  // `args` and exactly the environment `env`; stdout and stderr both go to
  // a temporary file. A failed spawn fails the current test.
  ServerProcess(std::vector<std::string> args, std::vector<std::string> env);
  // The same for another server binary (perch-emulator, say).
  ServerProcess(const std::string& binary, std::vector<std::string> args,
                std::vector<std::string> env);
  ~ServerProcess();

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

  // The rest of the first output line that starts with `prefix` ("" when
  // the process exits or `timeout` passes first), e.g. perch-emulator's URL
  // after "perch-emulator listening on ".
  std::string WaitForLine(const std::string& prefix, absl::Duration timeout);

  // True once the process has exited, waiting up to `timeout` for it.
  bool Exited(absl::Duration timeout);

  void Signal(int sig);
  // The exit status once Exited() returned true; -1 if killed by a signal.
  int exit_code() const { return exit_code_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
  std::string log_path_;
};

}  // namespace perch::testing

#endif  // PERCH_TESTS_INTEGRATION_SERVER_PROCESS_H_
