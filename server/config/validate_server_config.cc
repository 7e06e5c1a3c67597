#include "server/config/validate_server_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"

namespace perch {
namespace {

struct ValueCheck {
  const char* flag;
  bool ok;
  // Appended to "bad value for --flag" where the accepted values are few
  // and not secret.
  const char* expected = nullptr;
};

}  // namespace

absl::Status CheckServerConfigValues(const ServerConfig& c) {
  const absl::Duration zero = absl::ZeroDuration();
  const ValueCheck checks[] = {
      {"listen", !c.listen.empty()},
      {"api_base_url", absl::StartsWith(c.api_base_url, "https://") ||
                           absl::StartsWith(c.api_base_url, "http://")},
      {"upstream_api", c.upstream_api == "v2" || c.upstream_api == "v1.1",
       "expected v2 or v1.1"},
      {"name_cache_ttl", c.name_cache_ttl >= zero},
      // A timer of zero would spin.
      {"credentials_reload_interval", c.credentials_reload_interval > zero},
      {"shutdown_grace", c.shutdown_grace >= zero},
      {"max_call_time", c.max_call_time > zero},
      {"upstream_max_connections", c.upstream_max_connections >= 0},
      {"cache_ttl", c.cache_ttl >= zero},
      {"tls_reload_interval", c.tls_reload_interval >= absl::Seconds(1)},
      {"api_keys_reload_interval", c.api_keys_reload_interval >= zero},
      // Written so that NaN fails too.
      {"caller_rate", c.caller_rate >= 0 && c.caller_rate <= 1e9},
      {"caller_burst", c.caller_burst >= 1 && c.caller_burst <= 1e9},
      {"max_request_bytes", c.max_request_bytes >= 1024},
      {"upstream_max_response_bytes", c.upstream_max_response_bytes >= 1024},
  };
  for (const ValueCheck& check : checks) {
    if (check.ok) continue;
    return absl::InvalidArgumentError(absl::StrCat(
        "bad value for --", check.flag, check.expected != nullptr ? ": " : "",
        check.expected != nullptr ? check.expected : ""));
  }
  return absl::OkStatus();
}

bool IsLoopbackUrl(absl::string_view url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "http://") &&
      !absl::ConsumePrefix(&rest, "https://")) {
    return false;
  }
  // The authority ends at the first '/', '?' or '#'.
  rest = rest.substr(0, rest.find_first_of("/?#"));
  // Userinfo ("user@host") could make a URL read as loopback to a person
  // and not to libcurl; such a URL is never treated as loopback.
  if (absl::StrContains(rest, '@')) return false;
  std::string host;
  if (absl::StartsWith(rest, "[")) {
    const size_t close = rest.find(']');
    if (close == absl::string_view::npos) return false;
    host = std::string(rest.substr(1, close - 1));
    const absl::string_view after = rest.substr(close + 1);
    if (!after.empty() && !absl::StartsWith(after, ":")) return false;
    in6_addr v6;
    return inet_pton(AF_INET6, host.c_str(), &v6) == 1 &&
           IN6_IS_ADDR_LOOPBACK(&v6);
  }
  host = absl::AsciiStrToLower(rest.substr(0, rest.find(':')));
  if (host == "localhost") return true;
  in_addr v4;
  // inet_pton accepts only dotted-quad decimal, so "127.1" or "0x7f.1"
  // (which some resolvers map to loopback) are not loopback here.
  return inet_pton(AF_INET, host.c_str(), &v4) == 1 &&
         (ntohl(v4.s_addr) >> 24) == 127;
}

absl::Status ValidateServerConfig(const ServerConfig& config) {
  if (absl::Status values = CheckServerConfigValues(config); !values.ok()) {
    return values;
  }
  // Prometheus must never scrape the gRPC port (nor callers reach /metrics
  // through it): the two listeners are apart by construction.
  if (const size_t m = config.metrics_listen.rfind(':'),
      g = config.listen.rfind(':');
      !config.metrics_listen.empty() && m != std::string::npos &&
      g != std::string::npos &&
      config.metrics_listen.substr(m + 1) == config.listen.substr(g + 1) &&
      config.listen.substr(g + 1) != "0") {
    return absl::InvalidArgumentError(
        "--metrics_listen must not use --listen's port: metrics are served "
        "apart from gRPC");
  }
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together");
  }
  if (!config.client_ca_file.empty() && config.tls_cert_file.empty()) {
    return absl::InvalidArgumentError(
        "--client_ca_file (mutual TLS) needs --tls_cert_file and "
        "--tls_key_file");
  }
  if (!config.client_ca_file.empty() && config.api_keys_file.empty()) {
    return absl::InvalidArgumentError(
        "--client_ca_file needs --api_keys_file: its mtls: lines map "
        "certificate identities to roles");
  }
  if (config.insecure_no_auth && !config.api_keys_file.empty()) {
    return absl::InvalidArgumentError(
        "--insecure_no_auth contradicts --api_keys_file; drop one");
  }
  if (!config.insecure_no_auth && config.api_keys_file.empty()) {
    return absl::InvalidArgumentError(
        "no caller authentication configured: set --api_keys_file (and "
        "optionally --client_ca_file), or pass --insecure_no_auth to let "
        "anyone who reaches the port call every method");
  }
  if (absl::StartsWithIgnoreCase(config.api_base_url, "http://") &&
      !IsLoopbackUrl(config.api_base_url)) {
    return absl::InvalidArgumentError(
        "--api_base_url must be https:// unless its host is loopback "
        "(127.0.0.0/8, ::1, localhost): perch sends the consumer secret and "
        "the bearer token to it");
  }
  return absl::OkStatus();
}

}  // namespace perch
