#include "tests/testing/child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

extern char** environ;

namespace perch::testing {
namespace {

// The parent's descriptors the child dup2()s from are moved at least this
// high first, so that no dup2 onto 0..kPassedFd overwrites one still needed.
constexpr int kFirstHighFd = 10;

// `fd` itself if already >= kFirstHighFd, else a close-on-exec copy there
// (closing the original). -1 stays -1.
int MoveHigh(int fd) {
  if (fd < 0 || fd >= kFirstHighFd) return fd;
  const int high = fcntl(fd, F_DUPFD_CLOEXEC, kFirstHighFd);
  close(fd);
  return high;
}

// This process's environment with `extra` added, an entry of `extra`
// replacing the inherited one of the same name.
std::vector<std::string> MergedEnvironment(
    const std::vector<std::string>& extra) {
  std::vector<std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    const absl::string_view entry(*e);
    bool replaced = false;
    for (const std::string& add : extra) {
      const size_t eq = add.find('=');
      if (eq != std::string::npos &&
          absl::StartsWith(entry, absl::string_view(add).substr(0, eq + 1))) {
        replaced = true;
      }
    }
    if (!replaced) merged.emplace_back(entry);
  }
  merged.insert(merged.end(), extra.begin(), extra.end());
  return merged;
}

std::vector<char*> NullTerminated(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Everything the child does between fork and exec. Async-signal-safe calls
// only, on memory prepared before the fork: other threads of the parent may
// have held malloc's or any library's lock at the fork, and no lock taken
// here could ever be released. On failure the errno goes down `error_fd`.
[[noreturn]] void ExecInChild(char* const* argv, char* const* envp,
                              int input_fd, int output_fd, int pass_fd,
                              int error_fd, bool die_with_parent,
                              pid_t parent) {
  if (die_with_parent) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have gone between fork and prctl.
    if (getppid() != parent) _exit(127);
  }
  // The child starts with an empty signal mask and default dispositions: a
  // signal this process ignores (SIGPIPE, say) would otherwise stay ignored
  // across exec.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &default_action, nullptr);

  int failed = 0;
  if (dup2(input_fd, STDIN_FILENO) < 0 || dup2(output_fd, STDOUT_FILENO) < 0 ||
      dup2(output_fd, STDERR_FILENO) < 0 ||
      (pass_fd >= 0 && dup2(pass_fd, ChildProcess::kPassedFd) < 0)) {
    failed = errno;
  }
  // dup2 clears close-on-exec on the copy, except when both numbers are the
  // same.
  if (pass_fd == ChildProcess::kPassedFd) fcntl(pass_fd, F_SETFD, 0);
  // Every other descriptor (whoever opened it, with or without
  // O_CLOEXEC) closes at exec; error_fd stays open until then.
  const unsigned first_closed =
      pass_fd >= 0 ? ChildProcess::kPassedFd + 1 : ChildProcess::kPassedFd;
  if (failed == 0 && close_range(first_closed, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    failed = errno;
  }
  if (failed == 0) {
    execve(argv[0], argv, envp);
    failed = errno;
  }
  // A pipe write this small is atomic; nothing more can be done if it fails.
  (void)!write(error_fd, &failed, sizeof(failed));
  _exit(127);
}

absl::Status ExecError(const std::string& path, int error) {
  const std::string message =
      absl::StrCat("cannot run ", path, ": ", strerror(error));
  switch (error) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    default:
      return absl::InternalError(message);
  }
}

int ExitCodeOf(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(
    Options options) {
  if (options.argv.empty()) {
    return absl::InvalidArgumentError("ChildProcess: empty argv");
  }
  if (options.pass_fd >= 0 && options.pass_fd <= STDERR_FILENO) {
    return absl::InvalidArgumentError("ChildProcess: pass_fd is stdio");
  }
  const bool owns_output = options.output_path.empty();
  int output_fd = -1;
  if (owns_output) {
    std::string path = "/tmp/perch_child_XXXXXX";
    output_fd = mkostemp(path.data(), O_APPEND | O_CLOEXEC);
    options.output_path = path;
  } else {
    output_fd = open(options.output_path.c_str(),
                     O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  }
  if (output_fd < 0) {
    return absl::InternalError(absl::StrCat(
        "cannot open ", options.output_path, ": ", strerror(errno)));
  }
  struct stat output_stat {};
  fstat(output_fd, &output_stat);
  const long output_offset = static_cast<long>(output_stat.st_size);

  const std::string input_path =
      options.input_path.empty() ? "/dev/null" : options.input_path;
  int input_fd = open(input_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (input_fd < 0) {
    const int error = errno;
    close(output_fd);
    if (owns_output) unlink(options.output_path.c_str());
    return absl::InternalError(
        absl::StrCat("cannot open ", input_path, ": ", strerror(error)));
  }
  int error_pipe[2];
  if (pipe2(error_pipe, O_CLOEXEC) != 0) {
    close(output_fd);
    close(input_fd);
    if (owns_output) unlink(options.output_path.c_str());
    return absl::InternalError("pipe2 failed");
  }
  output_fd = MoveHigh(output_fd);
  input_fd = MoveHigh(input_fd);
  const int error_write = MoveHigh(error_pipe[1]);

  std::vector<std::string> environment =
      options.inherit_env ? MergedEnvironment(options.env) : options.env;
  std::vector<char*> envp = NullTerminated(environment);
  std::vector<char*> argv = NullTerminated(options.argv);
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid == 0) {
    ExecInChild(argv.data(), envp.data(), input_fd, output_fd, options.pass_fd,
                error_write, options.die_with_parent, parent);
  }
  const int fork_error = errno;
  close(error_write);
  close(input_fd);
  close(output_fd);
  absl::Status failure;
  if (pid < 0) {
    failure = absl::InternalError(
        absl::StrCat("fork failed: ", strerror(fork_error)));
  } else {
    // EOF (exec closed the pipe) is success; an errno is the child's failure.
    int child_error = 0;
    ssize_t got;
    do {
      got = read(error_pipe[0], &child_error, sizeof(child_error));
    } while (got < 0 && errno == EINTR);
    if (got > 0) {
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      failure = ExecError(options.argv[0], child_error);
    }
  }
  close(error_pipe[0]);
  if (!failure.ok()) {
    if (owns_output) unlink(options.output_path.c_str());
    return failure;
  }
  return std::unique_ptr<ChildProcess>(
      new ChildProcess(pid, std::move(options.output_path), owns_output,
                       output_offset, options.stop_grace));
}

ChildProcess::~ChildProcess() {
  if (!exit_code_.has_value()) Stop(stop_grace_);
  if (owns_output_) unlink(output_path_.c_str());
}

std::string ChildProcess::Output() const {
  std::string all = ReadFileOrEmpty(output_path_);
  if (static_cast<long>(all.size()) <= output_offset_) return "";
  return all.substr(output_offset_);
}

absl::StatusOr<std::string> ChildProcess::WaitForLine(absl::string_view needle,
                                                      absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  while (true) {
    // Whether it exited is asked before the output is read: a line printed
    // just before the exit is then still found.
    const bool exited = Wait(absl::ZeroDuration()).ok();
    const std::string output = Output();
    absl::string_view whole(output);
    // Only whole lines: the last one may still be being written.
    whole = whole.substr(0, whole.rfind('\n') + 1);
    for (absl::string_view line : absl::StrSplit(whole, '\n')) {
      if (absl::StrContains(line, needle)) return std::string(line);
    }
    if (exited) {
      return absl::UnavailableError(
          absl::StrCat("process exited (", *exit_code_, ") before printing \"",
                       needle, "\"; see ", output_path_));
    }
    if (absl::Now() >= give_up) {
      return absl::DeadlineExceededError(
          absl::StrCat("no \"", needle, "\" within ",
                       absl::FormatDuration(timeout), " in ", output_path_));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

absl::StatusOr<int> ChildProcess::WaitForNumberAfter(absl::string_view marker,
                                                     absl::Duration timeout) {
  absl::StatusOr<std::string> line = WaitForLine(marker, timeout);
  if (!line.ok()) return line.status();
  absl::string_view rest(*line);
  rest.remove_prefix(rest.find(marker) + marker.size());
  size_t digits = 0;
  while (digits < rest.size() && absl::ascii_isdigit(rest[digits])) ++digits;
  int number = 0;
  if (!absl::SimpleAtoi(rest.substr(0, digits), &number)) {
    return absl::InternalError(
        absl::StrCat("no number after \"", marker, "\" in: ", *line));
  }
  return number;
}

absl::StatusOr<int> ChildProcess::Wait(absl::Duration timeout, rusage* usage) {
  const absl::Time give_up = absl::Now() + timeout;
  while (!exit_code_.has_value()) {
    int status = 0;
    rusage child_usage{};
    const pid_t waited = wait4(pid_, &status, WNOHANG, &child_usage);
    if (waited == pid_) {
      exit_code_ = ExitCodeOf(status);
      if (usage != nullptr) *usage = child_usage;
      break;
    }
    if (waited < 0 && errno != EINTR) {
      // Reaped elsewhere (SIGCHLD ignored, or a stray waitpid(-1)): the pid
      // is no longer ours to signal.
      exit_code_ = -1;
      break;
    }
    if (absl::Now() >= give_up) {
      return absl::DeadlineExceededError(
          absl::StrCat(pid_, " still running after ",
                       absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return *exit_code_;
}

void ChildProcess::Signal(int sig) {
  // Unreaped, the pid is still this child's (a zombie at worst), never a
  // stranger's.
  if (!exit_code_.has_value()) kill(pid_, sig);
}

int ChildProcess::Stop(absl::Duration grace) {
  if (exit_code_.has_value()) return *exit_code_;
  Signal(SIGTERM);
  if (absl::StatusOr<int> code = Wait(grace); code.ok()) return *code;
  Signal(SIGKILL);
  // SIGKILL cannot be caught: the exit follows.
  return *Wait(absl::InfiniteDuration());
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace perch::testing
