// perch-server's configuration as one plain struct that every layer may read.
// Filled from flags and PERCH_* variables by server/server_flags.cc (beside
// main.cc, where the flags are defined) or by a test, and judged in
// server/config/validate_server_config.h, never here.
#ifndef PERCH_SERVER_COMMON_SERVER_CONFIG_H_
#define PERCH_SERVER_COMMON_SERVER_CONFIG_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "server/common/log.h"

namespace perch {

struct ServerConfig {
  std::string listen = "0.0.0.0:50051";
  // host:port of the Prometheus /metrics listener, never the gRPC port;
  // empty: no metrics listener (docs/observability.md).
  std::string metrics_listen = "0.0.0.0:9464";
  std::string api_base_url = "https://api.x.com";
  // The upstream read dialect: "v2" or "v1.1" (server/upstream/
  // read_dialect.h). Token endpoints are the same for both.
  std::string upstream_api = "v2";
  // How long the v2 dialect remembers a screen name's user id and an
  // owner+slug's list id (0: not at all).
  absl::Duration name_cache_ttl = absl::Hours(1);
  std::string consumer_key_file;
  std::string consumer_secret_file;
  // The two files above are looked at this often and a new pair in them is
  // switched to without a restart (server/auth/credentials_rotation.h).
  absl::Duration credentials_reload_interval = absl::Seconds(10);
  // PEM bundle trusted for the upstream, in addition to nothing: when set it
  // replaces the system store (to trust a private CA such as the emulator's).
  std::string ca_file;
  absl::Duration shutdown_grace = absl::Seconds(20);
  // Upper bound on one RPC's upstream work when the caller set no deadline.
  absl::Duration max_call_time = absl::Seconds(30);
  // Connections to the upstream host; 0 picks by scheme: 8 for https (the
  // upstream speaks HTTP/2, and uncapped libcurl opens a connection per
  // burst request instead of multiplexing), 512 for plain http (HTTP/1.1:
  // one request in flight per connection). Upstream requests beyond what
  // the connections carry at once (100 streams each over HTTP/2) wait in
  // perch's queue, in arrival order, within their deadlines.
  int upstream_max_connections = 0;
  // Serve identical reads from memory for this long (0: off). Concurrent
  // identical reads share one upstream call regardless.
  absl::Duration cache_ttl = absl::ZeroDuration();

  // --- Who may call perch (docs/security.md) ---
  // TLS on the gRPC port: PEM certificate chain and key, re-read when they
  // change (checked every tls_reload_interval). Both or neither.
  std::string tls_cert_file;
  std::string tls_key_file;
  absl::Duration tls_reload_interval = absl::Seconds(60);
  // Mutual TLS: client certificates signed by these CAs identify callers
  // (mtls: lines of api_keys_file). Needs TLS and api_keys_file.
  std::string client_ca_file;
  // The callers file (server/security/api_keys.h): API key hashes and
  // certificate identities with their roles and quotas; re-read when it
  // changes, looked at most once per api_keys_reload_interval.
  std::string api_keys_file;
  absl::Duration api_keys_reload_interval = absl::Seconds(10);
  // Serve without authenticating callers. Must be asked for explicitly:
  // without api_keys_file perch refuses to start otherwise.
  bool insecure_no_auth = false;
  // Per-caller quota: a token bucket of caller_burst calls refilled at
  // caller_rate per second (0: unlimited); the callers file can override
  // both per caller. Applies to authenticated callers only.
  double caller_rate = 10;
  double caller_burst = 20;
  // Largest request message accepted (gRPC answers RESOURCE_EXHAUSTED).
  int max_request_bytes = 64 * 1024;
  // Largest upstream response body read; a bigger one fails the call with
  // INTERNAL / UPSTREAM_RESPONSE_TOO_LARGE instead of filling memory.
  int64_t upstream_max_response_bytes = 16 * 1024 * 1024;
  // Every log line as text or as one JSON object; JSON logs also get one
  // access-log line per call (docs/observability.md).
  LogFormat log_format = LogFormat::kText;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
std::optional<std::string> GetEnv(const std::string& name);

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_SERVER_CONFIG_H_
