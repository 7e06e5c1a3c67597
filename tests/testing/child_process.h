// ChildProcess: the one way tests and the benchmark run another program
// (perch-server, perch-emulator, the perch CLI, nghttpd, nginx, wrk,
// prometheus, gnuplot). It owns spawning, the child's output file, waiting
// for a line or an exit with a deadline, and stopping by pid (SIGTERM, then
// SIGKILL). Nothing is ever killed by name. It knows no program's flags or
// log lines: perch_process_lines.h reads perch's. Never linked by perch-server.
#ifndef PERCH_TESTS_TESTING_CHILD_PROCESS_H_
#define PERCH_TESTS_TESTING_CHILD_PROCESS_H_

#include <sys/resource.h>
#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace perch::testing {

// Not thread-safe: one thread drives an instance (pid() may be read from
// any). Spawn itself is safe in a threaded process: between fork and exec
// the child makes only async-signal-safe calls on memory prepared before
// the fork.
class ChildProcess {
 public:
  // The descriptor number Options::pass_fd gets in the child.
  static constexpr int kPassedFd = 3;

  struct Options {
    // argv[0] is the executable's path (no PATH search).
    std::vector<std::string> argv = {};
    // "NAME=value" entries added to (or replacing those of) this process's
    // environment; with inherit_env false, the child's whole environment.
    std::vector<std::string> env = {};
    bool inherit_env = true;
    // stdout and stderr both append to this file. Empty: a fresh temporary
    // file, removed on destruction.
    std::string output_path = "";
    // stdin reads this file; empty: /dev/null.
    std::string input_path = "";
    // Unless -1, inherited as the child's descriptor kPassedFd (a listening
    // socket, say). No other descriptor of this process reaches the child.
    int pass_fd = -1;
    // The child gets SIGKILL when the thread that spawned it ends (Linux's
    // PR_SET_PDEATHSIG), so a crashed test leaves nothing behind. Only for
    // children spawned from a thread that outlives them.
    bool die_with_parent = false;
    // How long the destructor waits after SIGTERM before SIGKILL.
    absl::Duration stop_grace = absl::Seconds(2);
  };

  // Errors: INVALID_ARGUMENT (empty argv), INTERNAL (the output or input
  // file cannot be opened, fork fails), NOT_FOUND / PERMISSION_DENIED /
  // INTERNAL (exec failed: the child is already reaped).
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(Options options);

  // Stop(stop_grace) if still running; removes a temporary output file.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& output_path() const { return output_path_; }

  // What the child printed since it started (stdout and stderr interleaved).
  std::string Output() const;

  // The first whole output line (newline-terminated) containing `needle`,
  // without its newline. DEADLINE_EXCEEDED after `timeout`, UNAVAILABLE if
  // the process exits first; both name the output file.
  absl::StatusOr<std::string> WaitForLine(absl::string_view needle,
                                          absl::Duration timeout);

  // The decimal number right after `marker` in the first line holding it
  // (a port, say: "(port " in "listening on [::]:0 (port 50123)"). Errors
  // of WaitForLine; INTERNAL when no number follows the marker.
  absl::StatusOr<int> WaitForNumberAfter(absl::string_view marker,
                                         absl::Duration timeout);

  // Waits up to `timeout` for the exit and reaps the child: its exit code,
  // or 128 + the signal that killed it (as a shell reports it).
  // DEADLINE_EXCEEDED while still running. `usage`, if set, receives the
  // child's resource usage when this call is the one that reaps it.
  absl::StatusOr<int> Wait(absl::Duration timeout, rusage* usage = nullptr);

  // The exit code once Wait() (or Stop()) has seen the exit.
  std::optional<int> exit_code() const { return exit_code_; }

  // Sends `sig` unless the child is already reaped (never a stale pid).
  void Signal(int sig);

  // SIGTERM, up to `grace` for the exit, then SIGKILL. Idempotent. The exit
  // code (128 + 9 when it had to be killed).
  int Stop(absl::Duration grace = absl::Seconds(5));

 private:
  ChildProcess(pid_t pid, std::string output_path, bool owns_output,
               long output_offset, absl::Duration stop_grace)
      : pid_(pid),
        output_path_(std::move(output_path)),
        owns_output_(owns_output),
        output_offset_(output_offset),
        stop_grace_(stop_grace) {}

  const pid_t pid_;
  const std::string output_path_;
  const bool owns_output_;
  // Where the child's output starts in an appended-to file.
  const long output_offset_;
  const absl::Duration stop_grace_;
  std::optional<int> exit_code_;
};

// The whole content of a file ("" if unreadable).
std::string ReadFileOrEmpty(const std::string& path);

}  // namespace perch::testing

#endif  // PERCH_TESTS_TESTING_CHILD_PROCESS_H_
