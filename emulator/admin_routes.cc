#include "emulator/admin_routes.h"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "emulator/codec.h"
#include "emulator/error_bodies.h"
#include "server/common/json_escape.h"
#include "server/common/log.h"
#include "simdjson.h"

namespace perch::emulator {
namespace {

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("fault rule: ", what));
}

Response AdminError(int status, absl::string_view message) {
  return JsonResponse(
      status, absl::StrCat(R"({"error":")", JsonEscape(message), "\"}"));
}

using Value = simdjson::ondemand::value;

// Reads one JSON value into where it goes; fails on a type or range mismatch.
using ValueReader = std::function<absl::Status(Value&)>;

ValueReader StringInto(std::string* out) {
  return [out](Value& value) -> absl::Status {
    std::string_view s;
    if (value.get_string().get(s) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("expected a string");
    }
    *out = std::string(s);
    return absl::OkStatus();
  };
}

// An integer in [min, max], stored as `Int` (the range fits it).
template <typename Int>
ValueReader IntInto(int64_t min, int64_t max, Int* out) {
  return [min, max, out](Value& value) -> absl::Status {
    int64_t n = 0;
    if (value.get_int64().get(n) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("expected an integer");
    }
    if (n < min || n > max) {
      return absl::InvalidArgumentError(
          absl::StrCat("must be in [", min, ", ", max, "]"));
    }
    *out = static_cast<Int>(n);
    return absl::OkStatus();
  };
}

// A count of milliseconds in [min_ms, max_ms], as a duration.
ValueReader MillisInto(int64_t min_ms, int64_t max_ms, absl::Duration* out) {
  return [min_ms, max_ms, out](Value& value) {
    int64_t ms = 0;
    absl::Status status = IntInto(min_ms, max_ms, &ms)(value);
    *out = absl::Milliseconds(ms);
    return status;
  };
}

ValueReader BoolInto(bool* out) {
  return [out](Value& value) -> absl::Status {
    if (value.get_bool().get(*out) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("expected true or false");
    }
    return absl::OkStatus();
  };
}

ValueReader DoubleInto(double min, double max, double* out) {
  return [min, max, out](Value& value) -> absl::Status {
    if (value.get_double().get(*out) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("expected a number");
    }
    if (!(*out >= min && *out <= max)) {
      return absl::InvalidArgumentError(
          absl::StrCat("must be in [", min, ", ", max, "]"));
    }
    return absl::OkStatus();
  };
}

// A name that `parse` knows; `expected` lists the names.
template <typename T>
ValueReader NameInto(std::optional<T> (*parse)(absl::string_view),
                     absl::string_view expected, std::optional<T>* out) {
  return [parse, expected, out](Value& value) {
    std::string name;
    absl::Status s = StringInto(&name)(value);
    if (!s.ok()) return s;
    *out = parse(name);
    if (!out->has_value()) return absl::InvalidArgumentError(expected);
    return absl::OkStatus();
  };
}

// Calls `on_field(key, value)` for each member of the JSON object `json`.
template <typename OnField>
absl::Status ForEachField(absl::string_view json, OnField on_field) {
  simdjson::padded_string padded(json.data(), json.size());
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("not JSON");
  }
  simdjson::ondemand::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("not a JSON object");
  }
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("bad JSON object");
    }
    simdjson::ondemand::value value;
    if (field.value().get(value) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("bad JSON value");
    }
    absl::Status status =
        on_field(absl::string_view(key.data(), key.size()), value);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(key), ": ", status.message()));
    }
  }
  // Past the last token, the location is out of bounds; anything else means
  // content after the object.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return absl::InvalidArgumentError("trailing content");
  }
  return absl::OkStatus();
}

// Reads each member of the JSON object `json` with the reader of its key; a
// key without one is an error, so a misspelt field is not silently ignored.
absl::Status ReadObject(
    absl::string_view json,
    std::initializer_list<std::pair<absl::string_view, ValueReader>> readers) {
  return ForEachField(
      json, [readers](absl::string_view key, Value& value) -> absl::Status {
        for (const auto& [name, read] : readers) {
          if (name == key) return read(value);
        }
        return absl::InvalidArgumentError("unknown field");
      });
}

// Calls `on_object(raw_json)` for each element of the JSON array `value`,
// each of which must be an object.
template <typename OnObject>
absl::Status ForEachObject(simdjson::ondemand::value& value,
                           OnObject on_object) {
  simdjson::ondemand::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("expected an array");
  }
  for (auto element : array) {
    simdjson::ondemand::object object;
    std::string_view raw;
    if (element.get_object().get(object) != simdjson::SUCCESS ||
        object.raw_json().get(raw) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("expected an array of objects");
    }
    absl::Status status = on_object(absl::string_view(raw.data(), raw.size()));
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// Parses each object of a JSON array with `parse`, appending the results to
// `out`; the first failure is the answer.
template <typename T>
ValueReader EachParsedInto(absl::StatusOr<T> (*parse)(absl::string_view),
                           std::vector<T>* out) {
  return [parse, out](Value& value) {
    return ForEachObject(value, [&](absl::string_view json) -> absl::Status {
      absl::StatusOr<T> item = parse(json);
      if (!item.ok()) return item.status();
      out->push_back(*std::move(item));
      return absl::OkStatus();
    });
  };
}

constexpr int64_t kDayMs = 24 * 3600 * 1000;

absl::StatusOr<FaultPhase> ParseFaultPhaseJson(absl::string_view json) {
  FaultPhase phase;
  absl::Status status = ReadObject(
      json, {{"name", StringInto(&phase.name)},
             {"duration_ms", MillisInto(1, kDayMs, &phase.duration)},
             {"revoke_every_ms", MillisInto(0, kDayMs, &phase.revoke_every)},
             {"faults", EachParsedInto(&ParseFaultRuleJson, &phase.rules)}});
  if (!status.ok()) return status;
  return phase;
}

}  // namespace

absl::StatusOr<FaultScheduleSpec> ParseFaultScheduleJson(
    absl::string_view json) {
  FaultScheduleSpec spec;
  absl::Status status = ReadObject(
      json, {{"repeat", BoolInto(&spec.repeat)},
             {"start_unix_ms",
              [&spec](Value& value) {
                int64_t ms = 0;
                absl::Status s = IntInto(0, INT64_MAX, &ms)(value);
                spec.start = absl::FromUnixMillis(ms);
                return s;
              }},
             {"phases", EachParsedInto(&ParseFaultPhaseJson, &spec.phases)}});
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("fault schedule: ", status.message()));
  }
  if (spec.phases.empty()) {
    return absl::InvalidArgumentError("fault schedule: no phases");
  }
  return spec;
}

absl::StatusOr<FaultRule> ParseFaultRuleJson(absl::string_view json) {
  FaultRule rule;
  absl::Status status = ReadObject(
      json, {{"path_prefix", StringInto(&rule.path_prefix)},
             {"message", StringInto(&rule.error_message)},
             {"body", StringInto(&rule.body)},
             {"token_type", StringInto(&rule.token_type)},
             {"content_type", StringInto(&rule.content_type)},
             {"malformed", BoolInto(&rule.malformed_body)},
             {"drop", BoolInto(&rule.drop_connection)},
             {"reset", BoolInto(&rule.reset_connection)},
             {"cut", BoolInto(&rule.cut_body)},
             {"trickle_bytes", IntInto(0, 1 << 20, &rule.trickle_bytes)},
             {"times", IntInto(0, INT64_MAX, &rule.times)},
             {"probability", DoubleInto(0, 1, &rule.probability)},
             {"latency_ms", MillisInto(0, 3600 * 1000, &rule.latency)},
             {"trickle_ms", MillisInto(1, 60 * 1000, &rule.trickle_every)},
             {"status",
              [&rule](Value& value) {
                absl::Status s = IntInto(0, 599, &rule.status)(value);
                if (s.ok() && rule.status != 0 && rule.status < 100) {
                  return absl::InvalidArgumentError("must be an HTTP status");
                }
                return s;
              }},
             {"code", IntInto(0, 1000000, &rule.error_code)}});
  if (!status.ok()) return Invalid(status.message());
  return rule;
}

Response AdminRoutes::Handle(const Request& request) {
  const std::string& path = request.path;
  const std::string& method = request.method;
  if (path == "/_emulator/faults" && method == "POST") return AddFault(request);
  if (path == "/_emulator/faults" && method == "DELETE") {
    faults_.Clear();
    LogInfo("emulator: fault rules cleared");
    return JsonResponse(200, R"({"faults":0})");
  }
  if (path == "/_emulator/schedule" && method == "POST") {
    return SetSchedule(request);
  }
  if (path == "/_emulator/schedule" && method == "GET") return Schedule();
  if (path == "/_emulator/schedule" && method == "DELETE") {
    schedule_.Clear();
    LogInfo("emulator: fault schedule cleared");
    return Schedule();
  }
  if (path == "/_emulator/revoke" && method == "POST") {
    tokens_.Revoke();
    LogInfo("emulator: current token revoked by admin request");
    return JsonResponse(200, R"({"revoked":true})");
  }
  if (path == "/_emulator/rate_limits" && method == "POST") {
    return SetRateLimit(request);
  }
  if (path == "/_emulator/account" && method == "POST") {
    return SetAccount(request);
  }
  if (path == "/_emulator/account" && method == "GET") return Account();
  if (path == "/_emulator/reset" && method == "POST") {
    counters_.Reset();
    read_limits_.ResetWindows();
    account_.Reset();
    return JsonResponse(200, R"({"reset":true})");
  }
  if (path == "/_emulator/stats" && method == "GET") return Stats();
  return AdminError(404, "no such admin endpoint");
}

Response AdminRoutes::AddFault(const Request& request) {
  absl::StatusOr<FaultRule> rule = ParseFaultRuleJson(request.body);
  if (!rule.ok()) return AdminError(400, rule.status().message());
  LogInfo("emulator: fault rule added for prefix \"", rule->path_prefix, "\"");
  faults_.Add(*std::move(rule));
  return JsonResponse(200, absl::StrCat(R"({"faults":)", faults_.size(), "}"));
}

Response AdminRoutes::SetSchedule(const Request& request) {
  absl::StatusOr<FaultScheduleSpec> spec = ParseFaultScheduleJson(request.body);
  if (!spec.ok()) return AdminError(400, spec.status().message());
  const absl::Time start = spec->start.value_or(clock_.Now());
  const size_t phases = spec->phases.size();
  schedule_.Set(std::move(spec->phases), start, spec->repeat);
  LogInfo("emulator: fault schedule of ", phases, " phases set");
  return JsonResponse(
      200,
      absl::StrCat(R"({"phases":)", phases, R"(,"start_unix_ms":)",
                   absl::ToUnixMillis(start), R"(,"cycle_ms":)",
                   absl::ToInt64Milliseconds(schedule_.cycle_length()), "}"));
}

Response AdminRoutes::Schedule() {
  const SchedulePosition at = schedule_.At(clock_.Now());
  if (!at.active) return JsonResponse(200, R"({"active":false})");
  return JsonResponse(
      200, absl::StrCat(R"({"active":true,"cycle":)", at.cycle, R"(,"index":)",
                        at.index, R"(,"phase":")", JsonEscape(at.name),
                        R"(","phase_start_unix_ms":)",
                        absl::ToUnixMillis(at.phase_start), "}"));
}

Response AdminRoutes::SetRateLimit(const Request& request) {
  std::string path;
  int64_t limit = -1;
  absl::Status status = ReadObject(
      request.body,
      {{"path", StringInto(&path)}, {"limit", IntInto(0, INT32_MAX, &limit)}});
  if (!status.ok()) return AdminError(400, status.message());
  if (path.empty() || limit < 0) {
    return AdminError(400, "need \"path\" and a \"limit\" >= 0");
  }
  read_limits_.SetLimit(path, static_cast<int>(limit));
  return JsonResponse(200, R"({"ok":true})");
}

Response AdminRoutes::SetAccount(const Request& request) {
  std::optional<AccessLevel> access;
  std::optional<AccountState> state;
  absl::Status status = ReadObject(
      request.body,
      {{"access", NameInto(&ParseAccessLevel,
                           "expected full, v2_only or not_enrolled", &access)},
       {"state",
        NameInto(&ParseAccountState,
                 "expected ok, usage_capped or credits_depleted", &state)}});
  if (!status.ok()) return AdminError(400, status.message());
  if (access.has_value()) account_.set_access(*access);
  if (state.has_value()) account_.set_state(*state);
  LogInfo("emulator: account access=", AccessLevelName(account_.access()),
          " state=", AccountStateName(account_.state()));
  return Account();
}

Response AdminRoutes::Account() {
  return JsonResponse(
      200, absl::StrCat(R"({"access":")", AccessLevelName(account_.access()),
                        R"(","state":")", AccountStateName(account_.state()),
                        "\"}"));
}

Response AdminRoutes::Stats() {
  std::string requests;
  for (const auto& [path, count] : counters_.Snapshot()) {
    absl::StrAppend(&requests, requests.empty() ? "" : ",", "\"",
                    JsonEscape(path), "\":", count);
  }
  std::string apps;
  for (const TokenAuthority::AppStats& app : tokens_.app_stats()) {
    absl::StrAppend(&apps, apps.empty() ? "" : ",", R"({"tokens_issued":)",
                    app.tokens_issued, R"(,"token_uses":)", app.token_uses,
                    "}");
  }
  return JsonResponse(
      200, absl::StrCat(R"({"requests":{)", requests, R"(},"tokens_issued":)",
                        tokens_.tokens_issued(), R"(,"revocations":)",
                        tokens_.revocations(), R"(,"faults":)", faults_.size(),
                        R"(,"apps":[)", apps, "]}"));
}

}  // namespace perch::emulator
