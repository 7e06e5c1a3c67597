// A child process the benchmark starts (perch-emulator, perch-server, nginx,
// wrk, gnuplot): spawned with posix_spawn, stdout and stderr appended to a
// log file, stopped by its own pid (SIGTERM, then SIGKILL after a grace) when
// asked or on destruction. Nothing is ever killed by name.
#ifndef PERCH_BENCH_CHILD_PROCESS_H_
#define PERCH_BENCH_CHILD_PROCESS_H_

#include <sys/resource.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace perch::bench {

class ChildProcess {
 public:
  // The descriptor number `pass_fd` gets in the child.
  static constexpr int kPassedFd = 3;

  // argv[0] is the executable's path. `env` entries ("NAME=value") are added
  // to (or replace those of) this process's environment. Output goes to
  // `log_path` (appended). `pass_fd`, unless -1, is inherited as the child's
  // descriptor kPassedFd (a listening socket, say).
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(
      std::vector<std::string> argv, const std::vector<std::string>& env,
      const std::string& log_path, int pass_fd = -1);

  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  // Waits until the log holds a line containing `needle` (searching from
  // where the log was when the process started); returns that line.
  // DEADLINE_EXCEEDED after `timeout`, UNAVAILABLE if the process exits.
  absl::StatusOr<std::string> WaitForLine(absl::string_view needle,
                                          absl::Duration timeout);

  // Waits for exit up to `timeout`; the exit code (128+signal if killed).
  // DEADLINE_EXCEEDED if still running. Resource usage in `usage` if set.
  absl::StatusOr<int> Wait(absl::Duration timeout, rusage* usage = nullptr);

  // SIGTERM, up to `grace` to exit, then SIGKILL. Idempotent.
  void Stop(absl::Duration grace = absl::Seconds(5));

 private:
  ChildProcess(pid_t pid, std::string log_path, long log_offset)
      : pid_(pid), log_path_(std::move(log_path)), log_offset_(log_offset) {}

  pid_t pid_;
  bool reaped_ = false;
  int exit_code_ = 0;
  const std::string log_path_;
  const long log_offset_;
};

// The whole content of a file ("" if unreadable).
std::string ReadFileOrEmpty(const std::string& path);

// A TCP socket listening on 127.0.0.1 at a port the kernel chose, for a
// child to serve on (Spawn's pass_fd). It stays open from the choice of the
// port until destruction, so no other process can take the port meanwhile,
// and connections made before the child is ready wait in its backlog.
class LoopbackListenSocket {
 public:
  static absl::StatusOr<std::unique_ptr<LoopbackListenSocket>> Open();
  ~LoopbackListenSocket();
  LoopbackListenSocket(const LoopbackListenSocket&) = delete;
  LoopbackListenSocket& operator=(const LoopbackListenSocket&) = delete;

  int fd() const { return fd_; }
  int port() const { return port_; }

 private:
  LoopbackListenSocket(int fd, int port) : fd_(fd), port_(port) {}
  const int fd_;
  const int port_;
};

}  // namespace perch::bench

#endif  // PERCH_BENCH_CHILD_PROCESS_H_
