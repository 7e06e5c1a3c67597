#include "server/mapping/token_json.h"

#include <utility>

#include "server/mapping/json_reader.h"

namespace perch::mapping {
namespace {

using internal::JsonDocument;
using internal::JsonValue;

// Both bodies share one reader: an object whose "access_token" is required
// and non-empty, and whose "token_type" is read when `token_type` is given.
absl::Status ReadTokenBody(absl::string_view json, std::string* token_type,
                           std::string* access_token) {
  bool saw_token = false;
  return internal::ParseJson(json, [&](JsonDocument& doc) -> absl::Status {
    absl::Status status = internal::ForEachField(
        doc,
        [&](simdjson::ondemand::raw_json_string key,
            JsonValue& value) -> absl::Status {
          if (key == "access_token") {
            saw_token = true;
            return internal::ReadString(value, ".access_token", access_token);
          }
          if (token_type != nullptr && key == "token_type") {
            return internal::ReadString(value, ".token_type", token_type);
          }
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
    if (!saw_token) return internal::Malformed(".access_token", "missing");
    if (access_token->empty()) {
      return internal::Malformed(".access_token", "empty");
    }
    return absl::OkStatus();
  });
}

}  // namespace

absl::StatusOr<TokenGrant> ParseTokenGrant(absl::string_view json) {
  TokenGrant grant;
  absl::Status status =
      ReadTokenBody(json, &grant.token_type, &grant.access_token);
  if (!status.ok()) {
    return internal::PublicError("oauth2/token response", status);
  }
  return grant;
}

absl::StatusOr<std::string> ParseInvalidatedToken(absl::string_view json) {
  std::string token;
  absl::Status status = ReadTokenBody(json, nullptr, &token);
  if (!status.ok()) {
    return internal::PublicError("oauth2/invalidate_token response", status);
  }
  return token;
}

}  // namespace perch::mapping
