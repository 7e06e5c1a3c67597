#include "server/mapping/error_json.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string_view>

#include "server/mapping/json_reader.h"

namespace perch::mapping {
namespace {

using internal::JsonDocument;
using internal::JsonValue;

// A key's text. Keys reach us unescaped-raw; parameter names are plain
// identifiers, so a key with anything else in it is not one and reads as "".
std::string KeyName(simdjson::ondemand::raw_json_string key) {
  std::string name;
  for (const char* p = key.raw(); *p != '"'; ++p) {
    const char c = *p;
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!plain) return "";
    name.push_back(c);
  }
  return name;
}

// Adds the member names of invalid-request's {"parameters":{"name":[...]}}.
absl::Status ReadParameterNames(JsonValue& value,
                                std::vector<std::string>* names) {
  return internal::ForEachField(
      value,
      [&](simdjson::ondemand::raw_json_string key, JsonValue&) -> absl::Status {
        std::string name = KeyName(key);
        if (!name.empty() &&
            std::find(names->begin(), names->end(), name) == names->end()) {
          names->push_back(std::move(name));
        }
        return absl::OkStatus();
      });
}

// Reads {"code":N,"message":"...","parameters":{...}}; unknown members (e.g.
// "label") are skipped. Only the first entry's code and message are kept
// (`first`); every entry's parameter names are. Returns an error (internal
// only; never surfaced) if a member we use has the wrong type.
absl::Status ReadErrorEntry(JsonValue& value, bool first, bool* found,
                            UpstreamError* out) {
  return internal::ForEachField(
      value,
      [&](simdjson::ondemand::raw_json_string key,
          JsonValue& member) -> absl::Status {
        if (key == "parameters") {
          *found = true;
          return ReadParameterNames(member, &out->parameters);
        }
        if (!first) return absl::OkStatus();
        if (key == "code") {
          int64_t code = 0;
          if (auto error = member.get_int64().get(code); error) {
            return internal::Malformed(".code", "expected an integer", error);
          }
          if (code < std::numeric_limits<int>::min() ||
              code > std::numeric_limits<int>::max()) {
            return internal::Malformed(".code", "out of range");
          }
          out->code = static_cast<int>(code);
          *found = true;
        } else if (key == "message") {
          if (absl::Status status =
                  internal::ReadString(member, ".message", &out->message);
              !status.ok()) {
            return status;
          }
          *found = true;
        }
        return absl::OkStatus();
      });
}

// The top-level RFC 7807 members; null reads as absent.
absl::Status ReadProblemMember(simdjson::ondemand::raw_json_string key,
                               JsonValue& value, bool* found,
                               UpstreamError* out) {
  struct StringMember {
    const char* name;
    const char* path;
    std::string* out;
  };
  const StringMember kStrings[] = {
      {"type", ".type", &out->type},
      {"title", ".title", &out->title},
      {"detail", ".detail", &out->detail},
      {"reason", ".reason", &out->reason},
      {"registration_url", ".registration_url", &out->registration_url},
      {"required_enrollment", ".required_enrollment",
       &out->required_enrollment},
  };
  for (const StringMember& member : kStrings) {
    if (key == member.name) {
      *found = true;
      return internal::ReadNullableString(value, member.path, member.out);
    }
  }
  if (key == "status") {
    int64_t status = 0;
    absl::Status read = internal::ReadNullableInt64(value, ".status", &status);
    if (read.ok() && status >= 0 && status < 1000) {
      out->status = static_cast<int>(status);
    }
    return read;
  }
  return absl::OkStatus();
}

}  // namespace

absl::optional<UpstreamError> ParseUpstreamError(absl::string_view body) {
  // Most error bodies that are not JSON (gateway HTML) fail fast here.
  if (body.empty()) return absl::nullopt;

  bool have_entry = false;    // from "errors"
  bool have_request = false;  // from "error" (the 401 "Not authorized." form)
  bool have_problem = false;  // from top-level problem members
  UpstreamError out;
  std::string request_error;
  absl::Status status =
      internal::ParseJson(body, [&](JsonDocument& doc) -> absl::Status {
        return internal::ForEachField(
            doc,
            [&](simdjson::ondemand::raw_json_string key,
                JsonValue& value) -> absl::Status {
              if (key == "errors") {
                return internal::ForEachElement(
                    value, [&](size_t index, JsonValue& entry) -> absl::Status {
                      return ReadErrorEntry(entry, index == 0, &have_entry,
                                            &out);
                    });
              }
              if (key == "error") {
                have_request = true;
                return internal::ReadString(value, ".error", &request_error);
              }
              return ReadProblemMember(key, value, &have_problem, &out);
            });
      });
  if (!status.ok()) return absl::nullopt;
  if (have_problem && out.type.empty() && out.title.empty() &&
      out.detail.empty()) {
    // Only members such as "status" or "reason": not a problem we know.
    have_problem = false;
  }
  if (!have_entry && !have_problem) {
    if (!have_request) return absl::nullopt;
    out.message = std::move(request_error);
  }
  return out;
}

}  // namespace perch::mapping
