#include "emulator/flags.h"

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace perch::emulator {
namespace {

absl::Status BadFlag(absl::string_view name, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("--", name, ": ", why));
}

// Splits "HOST:PORT" or "[V6]:PORT".
absl::Status ParseListen(absl::string_view value, EmulatorOptions& options) {
  size_t colon = value.rfind(':');
  if (colon == absl::string_view::npos) {
    return BadFlag("listen", "expected HOST:PORT");
  }
  absl::string_view host = value.substr(0, colon);
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  if (host.empty() || !absl::SimpleAtoi(value.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return BadFlag("listen", "expected HOST:PORT with PORT in [0, 65535]");
  }
  options.listen_host = std::string(host);
  options.port = port;
  return absl::OkStatus();
}

// The upstream's message for the codes a fault flag is likely to name.
std::string DefaultMessage(int code) {
  switch (code) {
    case 88:
      return "Rate limit exceeded";
    case 89:
      return "Invalid or expired token.";
    case 130:
      return "Over capacity";
    case 131:
      return "Internal error";
    default:
      return "Injected fault";
  }
}

}  // namespace

std::string EmulatorUsage() {
  return R"(Usage: perch-emulator [flags]
  --listen=HOST:PORT                 default 127.0.0.1:8080 (PORT 0: ephemeral)
  --tls_cert_file=PEM --tls_key_file=PEM   serve HTTPS
  --app_key=KEY --app_secret=SECRET  the app credentials accepted
  --second_app_key=KEY --second_app_secret=SECRET
                                     a second app accepted too, with tokens
                                     of its own (credential rotation tests)
  --max_token_requests_per_minute=N  default 60; more: 403/99
  --seed=N                           the synthetic world, tokens and fault
                                     rolls; default 1
  --access_level=LEVEL               full (default: v1.1 and v2), v2_only
                                     (v1.1 reads: 403/453), not_enrolled
                                     (v2 reads: 403 client-not-enrolled)
  --account_state=STATE              ok (default), usage_capped (v2 reads:
                                     429 UsageCapExceeded), credits_depleted
                                     (v2 reads: 402 CreditsDepleted)
Faults (one rule for every path under --fault_path_prefix):
  --fault_path_prefix=/1.1/          default "" (every path); a v2 route
                                     pattern ("/2/users/:id/tweets") works too
  --fault_latency_ms=MS              delay every matching request
  --fault_error_rate=P               chance in [0,1] of the outcome below
                                     (alone: 503/130 "Over capacity")
  --fault_status=HTTP --fault_code=N --fault_message=TEXT
  --fault_malformed                  truncate bodies
  --fault_drop                       close the connection, no answer
  --fault_token_type=TYPE            token answers say this token_type
)";
}

absl::StatusOr<EmulatorFlags> ParseEmulatorFlags(
    const std::vector<std::string>& args) {
  EmulatorFlags flags;
  EmulatorOptions& options = flags.options;
  options.port = 8080;
  std::string fault_prefix;
  int64_t latency_ms = 0;
  std::optional<double> error_rate;
  FaultRule outcome;

  for (const std::string& arg : args) {
    if (!absl::StartsWith(arg, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument #", &arg - &args[0] + 1));
    }
    absl::string_view body = absl::string_view(arg).substr(2);
    size_t eq = body.find('=');
    absl::string_view name = body.substr(0, eq);
    bool has_value = eq != absl::string_view::npos;
    absl::string_view value = has_value ? body.substr(eq + 1) : "";

    auto need_int = [&](int64_t min, int64_t max,
                        int64_t* out) -> absl::Status {
      if (!has_value || !absl::SimpleAtoi(value, out) || *out < min ||
          *out > max) {
        return BadFlag(name, absl::StrCat("expected an integer in [", min, ", ",
                                          max, "]"));
      }
      return absl::OkStatus();
    };
    auto need_bool = [&](bool* out) -> absl::Status {
      if (!has_value) {
        *out = true;
        return absl::OkStatus();
      }
      if (!absl::SimpleAtob(value, out)) {
        return BadFlag(name, "expected true or false");
      }
      return absl::OkStatus();
    };
    auto need_string = [&](std::string* out) -> absl::Status {
      if (!has_value) return BadFlag(name, "expected a value");
      *out = std::string(value);
      return absl::OkStatus();
    };

    absl::Status status;
    int64_t n = 0;
    if (name == "help") {
      flags.help = true;
    } else if (name == "listen") {
      status = has_value ? ParseListen(value, options)
                         : BadFlag(name, "expected HOST:PORT");
    } else if (name == "tls_cert_file") {
      status = need_string(&options.tls_cert_file);
    } else if (name == "tls_key_file") {
      status = need_string(&options.tls_key_file);
    } else if (name == "app_key") {
      status = need_string(&options.app_key);
    } else if (name == "app_secret") {
      status = need_string(&options.app_secret);
    } else if (name == "second_app_key") {
      status = need_string(&options.second_app_key);
    } else if (name == "second_app_secret") {
      status = need_string(&options.second_app_secret);
    } else if (name == "max_token_requests_per_minute") {
      status = need_int(0, INT32_MAX, &n);
      options.max_token_requests_per_minute = static_cast<int>(n);
    } else if (name == "seed") {
      uint64_t seed = 0;
      if (!has_value || !absl::SimpleAtoi(value, &seed)) {
        status = BadFlag(name, "expected an unsigned integer");
      }
      options.seed = seed;
    } else if (name == "access_level") {
      std::optional<AccessLevel> level = ParseAccessLevel(value);
      if (!has_value || !level.has_value()) {
        status = BadFlag(name, "expected full, v2_only or not_enrolled");
      } else {
        options.access_level = *level;
      }
    } else if (name == "account_state") {
      std::optional<AccountState> state = ParseAccountState(value);
      if (!has_value || !state.has_value()) {
        status = BadFlag(name, "expected ok, usage_capped or credits_depleted");
      } else {
        options.account_state = *state;
      }
    } else if (name == "fault_path_prefix") {
      status = need_string(&fault_prefix);
    } else if (name == "fault_latency_ms") {
      status = need_int(0, 3600 * 1000, &latency_ms);
    } else if (name == "fault_error_rate") {
      double p = 0;
      if (!has_value || !absl::SimpleAtod(value, &p) || !(p >= 0 && p <= 1)) {
        status = BadFlag(name, "expected a number in [0, 1]");
      }
      error_rate = p;
    } else if (name == "fault_status") {
      status = need_int(100, 599, &n);
      outcome.status = static_cast<int>(n);
    } else if (name == "fault_code") {
      status = need_int(1, 1000000, &n);
      outcome.error_code = static_cast<int>(n);
    } else if (name == "fault_message") {
      status = need_string(&outcome.error_message);
    } else if (name == "fault_malformed") {
      status = need_bool(&outcome.malformed_body);
    } else if (name == "fault_drop") {
      status = need_bool(&outcome.drop_connection);
    } else if (name == "fault_token_type") {
      status = need_string(&outcome.token_type);
    } else {
      status = BadFlag(name, "unknown flag");
    }
    if (!status.ok()) return status;
  }

  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together");
  }
  if (outcome.error_code != 0 && outcome.status == 0) {
    return BadFlag("fault_code", "needs --fault_status");
  }
  if (latency_ms > 0) {
    // Its own rule, so latency hits every request, not only the failing ones.
    FaultRule latency;
    latency.path_prefix = fault_prefix;
    latency.latency = absl::Milliseconds(latency_ms);
    options.faults.push_back(latency);
  }
  if (error_rate.has_value() && !outcome.has_outcome()) {
    outcome.status = 503;
    outcome.error_code = 130;
  }
  if (outcome.has_outcome()) {
    outcome.path_prefix = fault_prefix;
    outcome.probability = error_rate.value_or(1.0);
    if (outcome.error_code != 0 && outcome.error_message.empty()) {
      outcome.error_message = DefaultMessage(outcome.error_code);
    }
    options.faults.push_back(outcome);
  }
  return flags;
}

}  // namespace perch::emulator
