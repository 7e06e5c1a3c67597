// perch-server: flags and environment -> config -> credentials -> serve,
// until SIGTERM/SIGINT, then drain within --shutdown_grace and exit 0.
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/auth/load_app_credentials.h"
#include "server/common/log.h"
#include "server/config/validate_server_config.h"
#include "server/perch_server.h"
#include "server/server_flags.h"

namespace {

// Blocks SIGTERM/SIGINT in every thread (call before any thread starts), so
// main can collect them with sigwait.
sigset_t BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  const sigset_t shutdown_signals = BlockShutdownSignals();
  // Before anything parses a message: protobuf's own complaints (a request
  // string that is not UTF-8) come out as perch log lines, rate-limited.
  perch::RouteProtobufLogsThroughPerchLog();
  // Debian's Abseil is built with mutex deadlock detection on, which makes
  // every absl::Mutex (one per RPC reactor among them) register in a global
  // lock graph: 1-2% of the server's CPU under load. The tests keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // libcurl runs with CURLOPT_NOSIGNAL; a peer closing a socket must not
  // kill the process.
  signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv, argv + argc);
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      std::fputs(perch::ServerUsage().c_str(), stdout);
      return 0;
    }
  }
  auto config = perch::ParseServerConfig(args, perch::GetEnv);
  if (!config.ok()) {
    std::fprintf(stderr, "perch-server: %s\n",
                 std::string(config.status().message()).c_str());
    return 2;
  }
  // Before the first line is logged and before any thread starts.
  perch::SetLogFormat(config->log_format);

  // Refused before anything starts, in one line.
  if (absl::Status valid = perch::ValidateServerConfig(*config); !valid.ok()) {
    std::fprintf(stderr, "perch-server: %s\n",
                 std::string(valid.message()).c_str());
    return 2;
  }

  auto credentials = perch::auth::LoadAppCredentials(*config, perch::GetEnv);
  if (!credentials.ok()) {
    std::fprintf(stderr, "perch-server: %s\n",
                 std::string(credentials.status().message()).c_str());
    return 2;
  }

  auto server = perch::PerchServer::Start(*config, *std::move(credentials));
  if (!server.ok()) {
    std::fprintf(stderr, "perch-server: %s\n",
                 std::string(server.status().message()).c_str());
    return 1;
  }
  perch::LogInfo("perch-server listening on ", config->listen, " (port ",
                 (*server)->port(), "), upstream ", config->upstream_api,
                 " at ", config->api_base_url);
  // After the line above: tests and scripts read the gRPC port from the
  // first "(port N)" of the log.
  if ((*server)->metrics_port() != 0) {
    perch::LogInfo("perch-server metrics on ", config->metrics_listen,
                   ", GET /metrics at port ", (*server)->metrics_port());
  }

  int signal_number = 0;
  sigwait(&shutdown_signals, &signal_number);
  perch::LogInfo("received ", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->Shutdown(config->shutdown_grace);
  server->reset();
  return 0;
}
