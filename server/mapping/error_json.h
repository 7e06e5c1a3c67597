// Recognises the upstream's v1.1 error bodies so upstream/ can map them to
// statuses. Only reads; which status an error becomes is decided in
// upstream/'s mapping table, not here.
#ifndef PERCH_SERVER_MAPPING_ERROR_JSON_H_
#define PERCH_SERVER_MAPPING_ERROR_JSON_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace perch::mapping {

// One upstream error: the v1.1 error code (0 when the body had none) and its
// message, as sent.
struct UpstreamError {
  int code = 0;
  std::string message;
};

// {"errors":[{"code":N,"message":"...",...}, ...]} -> the first error (with
// a code or a message); {"request":"...","error":"Not authorized."} -> code
// 0 and that message; anything else (HTML, an empty body, other JSON, broken
// JSON) -> absl::nullopt. Never fails. Thread-safe.
absl::optional<UpstreamError> ParseUpstreamError(absl::string_view body);

}  // namespace perch::mapping

#endif  // PERCH_SERVER_MAPPING_ERROR_JSON_H_
