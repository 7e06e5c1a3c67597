#include "server/common/server_config.h"

#include <cstdlib>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace perch {
namespace {

struct Flag {
  const char* name;
  const char* help;
  bool is_bool;
  std::function<bool(ServerConfig&, const std::string&)> set;
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
      {"api_base_url",
       "upstream base URL, no trailing slash (default https://api.twitter.com)",
       false,
       [](ServerConfig& c, const std::string& v) {
         c.api_base_url = v;
         while (absl::EndsWith(c.api_base_url, "/")) c.api_base_url.pop_back();
         return absl::StartsWith(v, "https://") ||
                absl::StartsWith(v, "http://");
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
      {"ca_file",
       "PEM CA bundle to trust for the upstream instead of the system's", false,
       [](ServerConfig& c, const std::string& v) {
         c.ca_file = v;
         return true;
       }},
      {"emulate",
       "start an in-process perch-emulator on loopback and use it as the "
       "upstream (demos, local work)",
       true,
       [](ServerConfig& c, const std::string& v) {
         return ParseBool(v, c.emulate);
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
       "unlimited for http (default 0)",
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
      return absl::InvalidArgumentError(
          absl::StrCat("bad value for --", f.name));
    }
  }
  return config;
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
