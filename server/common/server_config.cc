#include "server/common/server_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdlib>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace perch {
namespace {

struct Flag {
  const char* name;
  const char* help;
  bool is_bool;
  std::function<bool(ServerConfig&, const std::string&)> set;
  // Appended to "bad value for --name" where the accepted values are few
  // and not secret.
  const char* expected = nullptr;
};

bool ParseBool(const std::string& v, bool& out) {
  const std::string s = absl::AsciiStrToLower(v);
  if (s == "" || s == "1" || s == "true" || s == "yes") {
    out = true;
    return true;
  }
  if (s == "0" || s == "false" || s == "no") {
    out = false;
    return true;
  }
  return false;
}

bool ParseDurationFlag(const std::string& v, absl::Duration& out) {
  absl::Duration d;
  if (!absl::ParseDuration(v, &d) || d < absl::ZeroDuration()) return false;
  out = d;
  return true;
}

const std::vector<Flag>& Flags() {
  static const auto* flags = new std::vector<Flag>{
      {"listen", "host:port to serve gRPC on (default 0.0.0.0:50051)", false,
       [](ServerConfig& c, const std::string& v) {
         c.listen = v;
         return !v.empty();
       }},
      {"metrics_listen",
       "host:port to serve Prometheus metrics on, GET /metrics (default "
       "0.0.0.0:9464; empty: off)",
       false,
       [](ServerConfig& c, const std::string& v) {
         c.metrics_listen = v;
         return true;
       }},
      {"api_base_url",
       "upstream base URL, no trailing slash (default https://api.x.com)",
       false,
       [](ServerConfig& c, const std::string& v) {
         c.api_base_url = v;
         while (absl::EndsWith(c.api_base_url, "/")) c.api_base_url.pop_back();
         return absl::StartsWith(v, "https://") ||
                absl::StartsWith(v, "http://");
       }},
      {"upstream_api",
       "the upstream read API: v2 or v1.1 (default v2); token endpoints "
       "are the same",
       false,
       [](ServerConfig& c, const std::string& v) {
         c.upstream_api = v;
         return v == "v2" || v == "v1.1";
       },
       "expected v2 or v1.1"},
      {"name_cache_ttl",
       "how long the v2 dialect remembers a screen name's user id and a "
       "list slug's id (default 1h; 0s: not at all)",
       false,
       [](ServerConfig& c, const std::string& v) {
         return ParseDurationFlag(v, c.name_cache_ttl);
       }},
      {"consumer_key_file", "file holding the app's consumer key", false,
       [](ServerConfig& c, const std::string& v) {
         c.consumer_key_file = v;
         return true;
       }},
      {"consumer_secret_file", "file holding the app's consumer secret", false,
       [](ServerConfig& c, const std::string& v) {
         c.consumer_secret_file = v;
         return true;
       }},
      {"credentials_reload_interval",
       "how often the consumer key and secret files are checked for a new "
       "pair, switched to without a restart (default 10s)",
       false,
       [](ServerConfig& c, const std::string& v) {
         return ParseDurationFlag(v, c.credentials_reload_interval) &&
                c.credentials_reload_interval > absl::ZeroDuration();
       }},
      {"ca_file",
       "PEM CA bundle to trust for the upstream instead of the system's", false,
       [](ServerConfig& c, const std::string& v) {
         c.ca_file = v;
         return true;
       }},
      {"shutdown_grace", "time in-flight RPCs get on SIGTERM (default 20s)",
       false,
       [](ServerConfig& c, const std::string& v) {
         return ParseDurationFlag(v, c.shutdown_grace);
       }},
      {"max_call_time",
       "longest upstream work for a call without deadline (default 30s)", false,
       [](ServerConfig& c, const std::string& v) {
         return ParseDurationFlag(v, c.max_call_time) &&
                c.max_call_time > absl::ZeroDuration();
       }},
      {"upstream_max_connections",
       "connections to the upstream host; 0 = 8 for https (HTTP/2), "
       "512 for http (default 0); requests beyond them queue",
       false,
       [](ServerConfig& c, const std::string& v) {
         return absl::SimpleAtoi(v, &c.upstream_max_connections) &&
                c.upstream_max_connections >= 0;
       }},
      {"cache_ttl",
       "serve identical reads from a response cache for this long (default "
       "0s: off)",
       false,
       [](ServerConfig& c, const std::string& v) {
         return ParseDurationFlag(v, c.cache_ttl);
       }},
      {"tls_cert_file",
       "PEM certificate chain to serve gRPC over TLS with (re-read on change)",
       false,
       [](ServerConfig& c, const std::string& v) {
         c.tls_cert_file = v;
         return true;
       }},
      {"tls_key_file", "PEM private key of --tls_cert_file", false,
       [](ServerConfig& c, const std::string& v) {
         c.tls_key_file = v;
         return true;
       }},
      {"tls_reload_interval",
       "how often the TLS files are checked for changes (default 60s)", false,
       [](ServerConfig& c, const std::string& v) {
         return ParseDurationFlag(v, c.tls_reload_interval) &&
                c.tls_reload_interval >= absl::Seconds(1);
       }},
      {"client_ca_file",
       "PEM CAs of client certificates that identify callers (mutual TLS; "
       "needs --tls_cert_file and --api_keys_file)",
       false,
       [](ServerConfig& c, const std::string& v) {
         c.client_ca_file = v;
         return true;
       }},
      {"api_keys_file",
       "callers file: API key SHA-256s and mtls: identities with roles "
       "(re-read on change)",
       false,
       [](ServerConfig& c, const std::string& v) {
         c.api_keys_file = v;
         return true;
       }},
      {"api_keys_reload_interval",
       "how often the callers file is checked for changes (default 10s)", false,
       [](ServerConfig& c, const std::string& v) {
         return ParseDurationFlag(v, c.api_keys_reload_interval);
       }},
      {"insecure_no_auth",
       "serve without authenticating callers: anyone who reaches the port "
       "may call everything (local work only)",
       true,
       [](ServerConfig& c, const std::string& v) {
         return ParseBool(v, c.insecure_no_auth);
       }},
      {"caller_rate",
       "calls per second per caller, refilling its bucket (default 10; 0: "
       "unlimited)",
       false,
       [](ServerConfig& c, const std::string& v) {
         return absl::SimpleAtod(v, &c.caller_rate) && c.caller_rate >= 0 &&
                c.caller_rate <= 1e9;
       }},
      {"caller_burst", "bucket size of each caller's quota (default 20)", false,
       [](ServerConfig& c, const std::string& v) {
         return absl::SimpleAtod(v, &c.caller_burst) && c.caller_burst >= 1 &&
                c.caller_burst <= 1e9;
       }},
      {"max_request_bytes", "largest request message accepted (default 65536)",
       false,
       [](ServerConfig& c, const std::string& v) {
         return absl::SimpleAtoi(v, &c.max_request_bytes) &&
                c.max_request_bytes >= 1024;
       }},
      {"upstream_max_response_bytes",
       "largest upstream response body read (default 16777216)", false,
       [](ServerConfig& c, const std::string& v) {
         return absl::SimpleAtoi(v, &c.upstream_max_response_bytes) &&
                c.upstream_max_response_bytes >= 1024;
       }},
      {"log_format",
       "text or json: json writes every log line as one JSON object and "
       "adds an access-log line per call (default text)",
       false,
       [](ServerConfig& c, const std::string& v) {
         return ParseLogFormat(v, &c.log_format);
       },
       "expected text or json"},
  };
  return *flags;
}

}  // namespace

std::optional<std::string> GetEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

absl::StatusOr<ServerConfig> ParseServerConfig(
    const std::vector<std::string>& args, const EnvLookup& env) {
  std::map<std::string, std::string> given;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!absl::StartsWith(arg, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", arg, "'"));
    }
    std::string name = arg.substr(2), value;
    const size_t eq = name.find('=');
    const Flag* flag = nullptr;
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    for (const Flag& f : Flags()) {
      if (name == f.name) flag = &f;
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    if (eq == std::string::npos && !flag->is_bool) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("flag --", name, " needs a value"));
      }
      value = args[++i];
    }
    given[name] = value;
  }

  ServerConfig config;
  for (const Flag& f : Flags()) {
    std::optional<std::string> value;
    if (auto it = given.find(f.name); it != given.end()) {
      value = it->second;
    } else {
      value = env(absl::StrCat("PERCH_", absl::AsciiStrToUpper(f.name)));
    }
    if (!value.has_value()) continue;
    if (!f.set(config, *value)) {
      // Values are not echoed: some flags name secret files.
      return absl::InvalidArgumentError(absl::StrCat(
          "bad value for --", f.name, f.expected != nullptr ? ": " : "",
          f.expected != nullptr ? f.expected : ""));
    }
  }
  return config;
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

std::string ServerUsage() {
  std::string out =
      "usage: perch-server [flags]  (each flag also reads PERCH_<FLAG> from "
      "the "
      "environment)\n";
  for (const Flag& f : Flags()) {
    absl::StrAppend(&out, "  --", f.name, f.is_bool ? "" : "=...", "  ", f.help,
                    "\n");
  }
  absl::StrAppend(
      &out,
      "  credentials: --consumer_key_file/--consumer_secret_file, or "
      "PERCH_CONSUMER_KEY/PERCH_CONSUMER_SECRET\n");
  return out;
}

}  // namespace perch
