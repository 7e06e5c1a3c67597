#include "emulator/flags.h"

#include <cstdint>
#include <optional>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/common/command_line.h"

// The app credentials default to "" here and to the guide's example in
// EmulatorOptions: --help prints defaults, and prints no secret.
ABSL_FLAG(std::string, listen, "127.0.0.1:8080",
          "HOST:PORT to serve on (PORT 0: ephemeral)");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain: serve HTTPS (with --tls_key_file)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file");
ABSL_FLAG(std::string, app_key, "",
          "the app key accepted (empty: the application-only guide's "
          "example)");
ABSL_FLAG(std::string, app_secret, "",
          "the app secret accepted (empty: the guide's example); never "
          "printed");
ABSL_FLAG(std::string, second_app_key, "",
          "a second app accepted too, with tokens of its own (credential "
          "rotation tests)");
ABSL_FLAG(std::string, second_app_secret, "",
          "the second app's secret; never printed");
ABSL_FLAG(int, max_token_requests_per_minute, 60,
          "more token requests than this in a minute: 403/99");
ABSL_FLAG(uint64_t, seed, 1, "the synthetic world, tokens and fault rolls");
ABSL_FLAG(std::string, access_level, "full",
          "full (v1.1 and v2), v2_only (v1.1 reads: 403/453), not_enrolled "
          "(v2 reads: 403 client-not-enrolled)");
ABSL_FLAG(std::string, account_state, "ok",
          "ok, usage_capped (v2 reads: 429 UsageCapExceeded), "
          "credits_depleted (v2 reads: 402 CreditsDepleted)");
ABSL_FLAG(std::string, fault_path_prefix, "",
          "the fault rule covers paths under this (\"\": every path); a v2 "
          "route pattern (\"/2/users/:id/tweets\") works too");
ABSL_FLAG(int64_t, fault_latency_ms, 0, "delay every matching request");
ABSL_FLAG(std::optional<double>, fault_error_rate, std::nullopt,
          "chance in [0,1] of the outcome below (alone: 503/130 \"Over "
          "capacity\")");
ABSL_FLAG(std::optional<int>, fault_status, std::nullopt,
          "HTTP status of the injected outcome");
ABSL_FLAG(std::optional<int>, fault_code, std::nullopt,
          "Twitter error code of the injected outcome (needs --fault_status)");
ABSL_FLAG(std::string, fault_message, "",
          "its message (default: the upstream's for the code)");
ABSL_FLAG(bool, fault_malformed, false, "truncate bodies");
ABSL_FLAG(bool, fault_drop, false, "close the connection, no answer");
ABSL_FLAG(std::string, fault_token_type, "",
          "token answers say this token_type");

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

absl::Status InRange(absl::string_view name, int64_t value, int64_t min,
                     int64_t max) {
  if (value >= min && value <= max) return absl::OkStatus();
  return BadFlag(name,
                 absl::StrCat("expected an integer in [", min, ", ", max, "]"));
}

// The fault flags as one latency rule and one outcome rule (either may be
// absent).
absl::Status ReadFaults(EmulatorOptions& options) {
  const std::string prefix = absl::GetFlag(FLAGS_fault_path_prefix);
  const int64_t latency_ms = absl::GetFlag(FLAGS_fault_latency_ms);
  if (absl::Status s = InRange("fault_latency_ms", latency_ms, 0, 3600 * 1000);
      !s.ok()) {
    return s;
  }
  const std::optional<double> error_rate =
      absl::GetFlag(FLAGS_fault_error_rate);
  if (error_rate.has_value() && !(*error_rate >= 0 && *error_rate <= 1)) {
    return BadFlag("fault_error_rate", "expected a number in [0, 1]");
  }
  FaultRule outcome;
  if (std::optional<int> status = absl::GetFlag(FLAGS_fault_status)) {
    if (absl::Status s = InRange("fault_status", *status, 100, 599); !s.ok()) {
      return s;
    }
    outcome.status = *status;
  }
  if (std::optional<int> code = absl::GetFlag(FLAGS_fault_code)) {
    if (absl::Status s = InRange("fault_code", *code, 1, 1000000); !s.ok()) {
      return s;
    }
    outcome.error_code = *code;
  }
  outcome.error_message = absl::GetFlag(FLAGS_fault_message);
  outcome.malformed_body = absl::GetFlag(FLAGS_fault_malformed);
  outcome.drop_connection = absl::GetFlag(FLAGS_fault_drop);
  outcome.token_type = absl::GetFlag(FLAGS_fault_token_type);

  if (outcome.error_code != 0 && outcome.status == 0) {
    return BadFlag("fault_code", "needs --fault_status");
  }
  if (latency_ms > 0) {
    // Its own rule, so latency hits every request, not only the failing ones.
    FaultRule latency;
    latency.path_prefix = prefix;
    latency.latency = absl::Milliseconds(latency_ms);
    options.faults.push_back(latency);
  }
  if (error_rate.has_value() && !outcome.has_outcome()) {
    outcome.status = 503;
    outcome.error_code = 130;
  }
  if (outcome.has_outcome()) {
    outcome.path_prefix = prefix;
    outcome.probability = error_rate.value_or(1.0);
    if (outcome.error_code != 0 && outcome.error_message.empty()) {
      outcome.error_message = DefaultMessage(outcome.error_code);
    }
    options.faults.push_back(outcome);
  }
  return absl::OkStatus();
}

}  // namespace

std::string EmulatorUsage() {
  return absl::StrCat("Usage: perch-emulator [flags]\n", flags::FlagsHelp(),
                      "The fault flags make one rule for every path under "
                      "--fault_path_prefix;\nmore can be added at run time "
                      "(/_emulator/faults).\n");
}

absl::StatusOr<EmulatorFlags> ParseEmulatorFlags(
    const std::vector<std::string>& args) {
  absl::StatusOr<flags::CommandLine> parsed = flags::ParseCommandLine(args);
  if (!parsed.ok()) return parsed.status();
  EmulatorFlags out;
  out.help = parsed->help;
  if (out.help) return out;

  EmulatorOptions& options = out.options;
  if (absl::Status s = ParseListen(absl::GetFlag(FLAGS_listen), options);
      !s.ok()) {
    return s;
  }
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together");
  }
  if (std::string key = absl::GetFlag(FLAGS_app_key); !key.empty()) {
    options.app_key = std::move(key);
  }
  if (std::string secret = absl::GetFlag(FLAGS_app_secret); !secret.empty()) {
    options.app_secret = std::move(secret);
  }
  options.second_app_key = absl::GetFlag(FLAGS_second_app_key);
  options.second_app_secret = absl::GetFlag(FLAGS_second_app_secret);
  options.max_token_requests_per_minute =
      absl::GetFlag(FLAGS_max_token_requests_per_minute);
  if (absl::Status s =
          InRange("max_token_requests_per_minute",
                  options.max_token_requests_per_minute, 0, INT32_MAX);
      !s.ok()) {
    return s;
  }
  options.seed = absl::GetFlag(FLAGS_seed);
  std::optional<AccessLevel> level =
      ParseAccessLevel(absl::GetFlag(FLAGS_access_level));
  if (!level.has_value()) {
    return BadFlag("access_level", "expected full, v2_only or not_enrolled");
  }
  options.access_level = *level;
  std::optional<AccountState> state =
      ParseAccountState(absl::GetFlag(FLAGS_account_state));
  if (!state.has_value()) {
    return BadFlag("account_state",
                   "expected ok, usage_capped or credits_depleted");
  }
  options.account_state = *state;
  if (absl::Status s = ReadFaults(options); !s.ok()) return s;
  return out;
}

}  // namespace perch::emulator
