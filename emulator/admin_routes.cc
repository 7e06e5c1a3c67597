#include "emulator/admin_routes.h"

#include <cstdint>
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

// Readers of one JSON value; each fails on a type mismatch.
absl::Status ReadString(simdjson::ondemand::value& value, std::string* out) {
  std::string_view s;
  if (value.get_string().get(s) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("expected a string");
  }
  *out = std::string(s);
  return absl::OkStatus();
}

absl::Status ReadIntInRange(simdjson::ondemand::value& value, int64_t min,
                            int64_t max, int64_t* out) {
  if (value.get_int64().get(*out) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("expected an integer");
  }
  if (*out < min || *out > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("must be in [", min, ", ", max, "]"));
  }
  return absl::OkStatus();
}

// A count of milliseconds in [min_ms, max_ms], as a duration.
absl::Status ReadMillis(simdjson::ondemand::value& value, int64_t min_ms,
                        int64_t max_ms, absl::Duration* out) {
  int64_t ms = 0;
  absl::Status status = ReadIntInRange(value, min_ms, max_ms, &ms);
  *out = absl::Milliseconds(ms);
  return status;
}

absl::Status ReadBool(simdjson::ondemand::value& value, bool* out) {
  if (value.get_bool().get(*out) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("expected true or false");
  }
  return absl::OkStatus();
}

absl::Status ReadDouble(simdjson::ondemand::value& value, double* out) {
  if (value.get_double().get(*out) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("expected a number");
  }
  return absl::OkStatus();
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

// Parses each object of the JSON array `value` with `parse`, appending the
// results to `out`; the first failure is the answer.
template <typename T>
absl::Status AppendEachParsed(simdjson::ondemand::value& value,
                              absl::StatusOr<T> (*parse)(absl::string_view),
                              std::vector<T>* out) {
  return ForEachObject(value, [&](absl::string_view json) -> absl::Status {
    absl::StatusOr<T> item = parse(json);
    if (!item.ok()) return item.status();
    out->push_back(*std::move(item));
    return absl::OkStatus();
  });
}

absl::StatusOr<FaultPhase> ParseFaultPhaseJson(absl::string_view json) {
  FaultPhase phase;
  absl::Status status = ForEachField(
      json,
      [&phase](absl::string_view key,
               simdjson::ondemand::value& value) -> absl::Status {
        if (key == "name") return ReadString(value, &phase.name);
        if (key == "duration_ms") {
          return ReadMillis(value, 1, 24 * 3600 * 1000, &phase.duration);
        }
        if (key == "revoke_every_ms") {
          return ReadMillis(value, 0, 24 * 3600 * 1000, &phase.revoke_every);
        }
        if (key == "faults") {
          return AppendEachParsed(value, &ParseFaultRuleJson, &phase.rules);
        }
        return absl::InvalidArgumentError("unknown field");
      });
  if (!status.ok()) return status;
  return phase;
}

}  // namespace

absl::StatusOr<FaultScheduleSpec> ParseFaultScheduleJson(
    absl::string_view json) {
  FaultScheduleSpec spec;
  absl::Status status = ForEachField(
      json,
      [&spec](absl::string_view key,
              simdjson::ondemand::value& value) -> absl::Status {
        if (key == "repeat") return ReadBool(value, &spec.repeat);
        if (key == "start_unix_ms") {
          int64_t ms = 0;
          absl::Status s = ReadIntInRange(value, 0, INT64_MAX, &ms);
          spec.start = absl::FromUnixMillis(ms);
          return s;
        }
        if (key == "phases") {
          return AppendEachParsed(value, &ParseFaultPhaseJson, &spec.phases);
        }
        return absl::InvalidArgumentError("unknown field");
      });
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
  absl::Status status = ForEachField(
      json,
      [&rule](absl::string_view key,
              simdjson::ondemand::value& value) -> absl::Status {
        if (key == "path_prefix") return ReadString(value, &rule.path_prefix);
        if (key == "message") return ReadString(value, &rule.error_message);
        if (key == "body") return ReadString(value, &rule.body);
        if (key == "token_type") return ReadString(value, &rule.token_type);
        if (key == "content_type") return ReadString(value, &rule.content_type);
        if (key == "malformed") return ReadBool(value, &rule.malformed_body);
        if (key == "drop") return ReadBool(value, &rule.drop_connection);
        if (key == "reset") return ReadBool(value, &rule.reset_connection);
        if (key == "cut") return ReadBool(value, &rule.cut_body);
        if (key == "trickle_bytes") {
          return ReadIntInRange(value, 0, 1 << 20, &rule.trickle_bytes);
        }
        if (key == "times") {
          return ReadIntInRange(value, 0, INT64_MAX, &rule.times);
        }
        if (key == "probability") {
          absl::Status s = ReadDouble(value, &rule.probability);
          if (s.ok() && !(rule.probability >= 0 && rule.probability <= 1)) {
            return absl::InvalidArgumentError("must be in [0, 1]");
          }
          return s;
        }
        int64_t n = 0;
        if (key == "latency_ms") {
          return ReadMillis(value, 0, 3600 * 1000, &rule.latency);
        }
        if (key == "trickle_ms") {
          return ReadMillis(value, 1, 60 * 1000, &rule.trickle_every);
        }
        if (key == "status") {
          absl::Status s = ReadIntInRange(value, 0, 599, &n);
          if (s.ok() && n != 0 && n < 100) {
            return absl::InvalidArgumentError("must be an HTTP status");
          }
          rule.status = static_cast<int>(n);
          return s;
        }
        if (key == "code") {
          absl::Status s = ReadIntInRange(value, 0, 1000000, &n);
          rule.error_code = static_cast<int>(n);
          return s;
        }
        return absl::InvalidArgumentError("unknown field");
      });
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
      200, absl::StrCat(R"({"phases":)", phases, R"(,"start_unix_ms":)",
                        absl::ToUnixMillis(start), R"(,"cycle_ms":)",
                        absl::ToInt64Milliseconds(schedule_.cycle_length()),
                        "}"));
}

Response AdminRoutes::Schedule() {
  const SchedulePosition at = schedule_.At(clock_.Now());
  if (!at.active) return JsonResponse(200, R"({"active":false})");
  return JsonResponse(
      200, absl::StrCat(R"({"active":true,"cycle":)", at.cycle,
                        R"(,"index":)", at.index, R"(,"phase":")",
                        JsonEscape(at.name), R"(","phase_start_unix_ms":)",
                        absl::ToUnixMillis(at.phase_start), "}"));
}

Response AdminRoutes::SetRateLimit(const Request& request) {
  std::string path;
  int64_t limit = -1;
  absl::Status status =
      ForEachField(request.body,
                   [&](absl::string_view key,
                       simdjson::ondemand::value& value) -> absl::Status {
                     if (key == "path") return ReadString(value, &path);
                     if (key == "limit")
                       return ReadIntInRange(value, 0, INT32_MAX, &limit);
                     return absl::InvalidArgumentError("unknown field");
                   });
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
  absl::Status status =
      ForEachField(request.body,
                   [&](absl::string_view key,
                       simdjson::ondemand::value& value) -> absl::Status {
                     std::string name;
                     absl::Status s = ReadString(value, &name);
                     if (!s.ok()) return s;
                     if (key == "access") {
                       access = ParseAccessLevel(name);
                       if (!access.has_value()) {
                         return absl::InvalidArgumentError(
                             "expected full, v2_only or not_enrolled");
                       }
                       return absl::OkStatus();
                     }
                     if (key == "state") {
                       state = ParseAccountState(name);
                       if (!state.has_value()) {
                         return absl::InvalidArgumentError(
                             "expected ok, usage_capped or credits_depleted");
                       }
                       return absl::OkStatus();
                     }
                     return absl::InvalidArgumentError("unknown field");
                   });
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
                        tokens_.revocations(), R"(,"faults":)",
                        faults_.size(), R"(,"apps":[)", apps, "]}"));
}

}  // namespace perch::emulator
