#include "server/server_flags.h"

#include <cstdint>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/common/command_line.h"
#include "server/config/validate_server_config.h"

// Defaults come from ServerConfig, so a test's struct and the binary agree.
// None is a secret: --help prints them.
namespace {
const perch::ServerConfig kDefaults;
}  // namespace

ABSL_FLAG(std::string, listen, kDefaults.listen, "host:port to serve gRPC on");
ABSL_FLAG(std::string, metrics_listen, kDefaults.metrics_listen,
          "host:port to serve Prometheus metrics on, GET /metrics (empty: "
          "off)");
ABSL_FLAG(std::string, api_base_url, kDefaults.api_base_url,
          "upstream base URL (a trailing slash is dropped)");
ABSL_FLAG(std::string, upstream_api, kDefaults.upstream_api,
          "the upstream read API: v2 or v1.1; token endpoints are the same");
ABSL_FLAG(absl::Duration, name_cache_ttl, kDefaults.name_cache_ttl,
          "how long the v2 dialect remembers a screen name's user id and a "
          "list slug's id (0s: not at all)");
ABSL_FLAG(std::string, consumer_key_file, "",
          "file holding the app's consumer key");
ABSL_FLAG(std::string, consumer_secret_file, "",
          "file holding the app's consumer secret");
ABSL_FLAG(absl::Duration, credentials_reload_interval,
          kDefaults.credentials_reload_interval,
          "how often the consumer key and secret files are checked for a new "
          "pair, switched to without a restart");
ABSL_FLAG(std::string, ca_file, "",
          "PEM CA bundle to trust for the upstream instead of the system's");
ABSL_FLAG(absl::Duration, shutdown_grace, kDefaults.shutdown_grace,
          "time in-flight RPCs get on SIGTERM");
ABSL_FLAG(absl::Duration, max_call_time, kDefaults.max_call_time,
          "longest upstream work for a call without deadline");
ABSL_FLAG(int, upstream_max_connections, kDefaults.upstream_max_connections,
          "connections to the upstream host; 0 = 8 for https (HTTP/2), 512 "
          "for http; requests beyond them queue");
ABSL_FLAG(absl::Duration, cache_ttl, kDefaults.cache_ttl,
          "serve identical reads from a response cache for this long (0s: "
          "off)");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain to serve gRPC over TLS with (re-read on "
          "change)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file");
ABSL_FLAG(absl::Duration, tls_reload_interval, kDefaults.tls_reload_interval,
          "how often the TLS files are checked for changes (at least 1s)");
ABSL_FLAG(std::string, client_ca_file, "",
          "PEM CAs of client certificates that identify callers (mutual TLS; "
          "needs --tls_cert_file and --api_keys_file)");
ABSL_FLAG(std::string, api_keys_file, "",
          "callers file: API key SHA-256s and mtls: identities with roles "
          "(re-read on change)");
ABSL_FLAG(absl::Duration, api_keys_reload_interval,
          kDefaults.api_keys_reload_interval,
          "how often the callers file is checked for changes");
ABSL_FLAG(bool, insecure_no_auth, kDefaults.insecure_no_auth,
          "serve without authenticating callers: anyone who reaches the port "
          "may call everything (local work only)");
ABSL_FLAG(double, caller_rate, kDefaults.caller_rate,
          "calls per second per caller, refilling its bucket (0: unlimited)");
ABSL_FLAG(double, caller_burst, kDefaults.caller_burst,
          "bucket size of each caller's quota");
ABSL_FLAG(int, max_request_bytes, kDefaults.max_request_bytes,
          "largest request message accepted");
ABSL_FLAG(int64_t, upstream_max_response_bytes,
          kDefaults.upstream_max_response_bytes,
          "largest upstream response body read");
ABSL_FLAG(std::string, log_format, "text",
          "text or json: json writes every log line as one JSON object and "
          "adds an access-log line per call");

namespace perch {

absl::StatusOr<ServerConfig> ParseServerConfig(
    const std::vector<std::string>& args, const EnvLookup& env) {
  flags::ParseOptions options;
  options.env_prefix = "PERCH_";
  options.env = env;
  auto parsed = flags::ParseCommandLine(
      std::vector<std::string>(args.begin() + (args.empty() ? 0 : 1),
                               args.end()),
      options);
  if (!parsed.ok()) return parsed.status();

  ServerConfig c;
  c.listen = absl::GetFlag(FLAGS_listen);
  c.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  c.api_base_url = absl::GetFlag(FLAGS_api_base_url);
  while (absl::EndsWith(c.api_base_url, "/")) c.api_base_url.pop_back();
  c.upstream_api = absl::GetFlag(FLAGS_upstream_api);
  c.name_cache_ttl = absl::GetFlag(FLAGS_name_cache_ttl);
  c.consumer_key_file = absl::GetFlag(FLAGS_consumer_key_file);
  c.consumer_secret_file = absl::GetFlag(FLAGS_consumer_secret_file);
  c.credentials_reload_interval =
      absl::GetFlag(FLAGS_credentials_reload_interval);
  c.ca_file = absl::GetFlag(FLAGS_ca_file);
  c.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  c.max_call_time = absl::GetFlag(FLAGS_max_call_time);
  c.upstream_max_connections = absl::GetFlag(FLAGS_upstream_max_connections);
  c.cache_ttl = absl::GetFlag(FLAGS_cache_ttl);
  c.tls_cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  c.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  c.tls_reload_interval = absl::GetFlag(FLAGS_tls_reload_interval);
  c.client_ca_file = absl::GetFlag(FLAGS_client_ca_file);
  c.api_keys_file = absl::GetFlag(FLAGS_api_keys_file);
  c.api_keys_reload_interval = absl::GetFlag(FLAGS_api_keys_reload_interval);
  c.insecure_no_auth = absl::GetFlag(FLAGS_insecure_no_auth);
  c.caller_rate = absl::GetFlag(FLAGS_caller_rate);
  c.caller_burst = absl::GetFlag(FLAGS_caller_burst);
  c.max_request_bytes = absl::GetFlag(FLAGS_max_request_bytes);
  c.upstream_max_response_bytes =
      absl::GetFlag(FLAGS_upstream_max_response_bytes);
  if (!ParseLogFormat(absl::GetFlag(FLAGS_log_format), &c.log_format)) {
    return absl::InvalidArgumentError(
        "bad value for --log_format: expected text or json");
  }
  if (absl::Status values = CheckServerConfigValues(c); !values.ok()) {
    return values;
  }
  return c;
}

std::string ServerUsage() {
  return absl::StrCat(
      "usage: perch-server [flags]  (each flag also reads PERCH_<FLAG> from "
      "the environment)\n",
      flags::FlagsHelp("PERCH_"),
      "  credentials: --consumer_key_file/--consumer_secret_file, or "
      "PERCH_CONSUMER_KEY/PERCH_CONSUMER_SECRET\n");
}

}  // namespace perch
