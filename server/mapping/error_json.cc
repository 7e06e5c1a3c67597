#include "server/mapping/error_json.h"

#include <cstdint>
#include <limits>
#include <string_view>

#include "server/mapping/json_reader.h"

namespace perch::mapping {
namespace {

using internal::JsonDocument;
using internal::JsonValue;

// Reads {"code":N,"message":"..."}; unknown members (e.g. "label") are
// skipped. Returns an error (internal only; never surfaced) if a member we
// use has the wrong type.
absl::Status ReadErrorEntry(JsonValue& value, bool* found, UpstreamError* out) {
  return internal::ForEachField(
      value,
      [&](simdjson::ondemand::raw_json_string key,
          JsonValue& member) -> absl::Status {
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

}  // namespace

absl::optional<UpstreamError> ParseUpstreamError(absl::string_view body) {
  // Most error bodies that are not JSON (gateway HTML) fail fast here.
  if (body.empty()) return absl::nullopt;

  bool have_first = false;    // from "errors"[0]
  bool have_request = false;  // from "error" (the 401 "Not authorized." form)
  UpstreamError first;
  UpstreamError request_error;
  absl::Status status =
      internal::ParseJson(body, [&](JsonDocument& doc) -> absl::Status {
        return internal::ForEachField(
            doc,
            [&](simdjson::ondemand::raw_json_string key,
                JsonValue& value) -> absl::Status {
              if (key == "errors") {
                return internal::ForEachElement(
                    value, [&](size_t index, JsonValue& entry) -> absl::Status {
                      // Only the first entry counts; the rest are skipped.
                      if (index != 0) return absl::OkStatus();
                      return ReadErrorEntry(entry, &have_first, &first);
                    });
              }
              if (key == "error") {
                have_request = true;
                return internal::ReadString(value, ".error",
                                            &request_error.message);
              }
              return absl::OkStatus();
            });
      });
  if (!status.ok()) return absl::nullopt;
  if (have_first) return first;
  if (have_request) return request_error;
  return absl::nullopt;
}

}  // namespace perch::mapping
