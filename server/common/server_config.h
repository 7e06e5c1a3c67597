// perch-server's configuration: every flag, its default, and its PERCH_*
// environment fallback, parsed into one struct. Parsing is a pure function
// of argv and an environment lookup so it is testable.
#ifndef PERCH_SERVER_COMMON_SERVER_CONFIG_H_
#define PERCH_SERVER_COMMON_SERVER_CONFIG_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace perch {

struct ServerConfig {
  std::string listen = "0.0.0.0:50051";
  std::string api_base_url = "https://api.twitter.com";
  std::string consumer_key_file;
  std::string consumer_secret_file;
  // PEM bundle trusted for the upstream, in addition to nothing: when set it
  // replaces the system store (to trust a private CA such as the emulator's).
  std::string ca_file;
  // Start an in-process emulator on loopback and use it as the upstream.
  bool emulate = false;
  absl::Duration shutdown_grace = absl::Seconds(20);
  // Upper bound on one RPC's upstream work when the caller set no deadline.
  absl::Duration max_call_time = absl::Seconds(30);
  // Connections to the upstream host; 0 picks by scheme: 8 for https (the
  // upstream speaks HTTP/2, and uncapped libcurl opens a connection per
  // burst request instead of multiplexing), unlimited for plain http
  // (HTTP/1.1: one request in flight per connection).
  int upstream_max_connections = 0;
  // Serve identical reads from memory for this long (0: off). Concurrent
  // identical reads share one upstream call regardless.
  absl::Duration cache_ttl = absl::ZeroDuration();
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
std::optional<std::string> GetEnv(const std::string& name);

// Parses `--name=value` / `--name value` / `--flag` arguments (args[0] is the
// program). A flag not given falls back to PERCH_<NAME> from `env`, then to
// the default. Unknown flags and bad values are errors naming the flag.
absl::StatusOr<ServerConfig> ParseServerConfig(
    const std::vector<std::string>& args, const EnvLookup& env);

// One line per flag, for --help.
std::string ServerUsage();

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_SERVER_CONFIG_H_
