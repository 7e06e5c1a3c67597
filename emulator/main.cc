// perch-emulator: serves the imitated upstream until SIGTERM or SIGINT.
// Prints one line, "perch-emulator listening on <url>", to stderr once it
// accepts connections (scripts and tests wait for it), and never prints the
// app secret or a token.
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "emulator/emulator.h"
#include "emulator/flags.h"
#include "server/common/log.h"

namespace {

// Thousands of concurrent connections need as many descriptors as allowed.
void RaiseFileLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur == limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    perch::LogWarning("perch-emulator: could not raise RLIMIT_NOFILE");
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<perch::emulator::EmulatorFlags> flags =
      perch::emulator::ParseEmulatorFlags(args);
  if (!flags.ok()) {
    std::fprintf(stderr, "perch-emulator: %s\n%s",
                 std::string(flags.status().message()).c_str(),
                 perch::emulator::EmulatorUsage().c_str());
    return 2;
  }
  if (flags->help) {
    std::fputs(perch::emulator::EmulatorUsage().c_str(), stdout);
    return 0;
  }
  RaiseFileLimit();

  // Blocked before the loop thread starts, so it inherits the mask and the
  // signals wait for sigwait below instead of killing the process mid-reply.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::StatusOr<std::unique_ptr<perch::emulator::Emulator>> emulator =
      perch::emulator::Emulator::Start(std::move(flags->options));
  if (!emulator.ok()) {
    std::fprintf(stderr, "perch-emulator: %s\n",
                 emulator.status().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "perch-emulator listening on %s\n",
               (*emulator)->base_url().c_str());
  std::fflush(stderr);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  emulator->reset();
  return 0;
}
