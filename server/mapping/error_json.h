// Recognises the upstream's error bodies so they can be mapped to statuses:
// v1.1's {"errors":[{code,message}]} and v2's RFC 7807 problems (type, title,
// detail, ...), which can also come together in one body. Only reads; which
// status an error becomes is decided in the status table
// (upstream_status.h), not here.
#ifndef PERCH_SERVER_MAPPING_ERROR_JSON_H_
#define PERCH_SERVER_MAPPING_ERROR_JSON_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace perch::mapping {

// One upstream error, members as sent ("" / 0 when absent).
struct UpstreamError {
  // v1.1: the first `errors` entry's code and message. v2's invalid-request
  // carries `errors[].message` too (without a code).
  int code = 0;
  std::string message;
  // v2 invalid-request: the names in every `errors[].parameters` object, in
  // body order, each once ("query", "max_results").
  std::vector<std::string> parameters;
  // v2 problem members at the top level. `type` is the URI as sent; compare
  // it with mapping::v2::ProblemName (hosts differ).
  std::string type;
  std::string title;
  std::string detail;
  int status = 0;
  std::string reason;               // client-forbidden: "client-not-enrolled"
  std::string registration_url;     // client-forbidden
  std::string required_enrollment;  // client-forbidden
};

// v1.1 {"errors":[{"code":N,"message":"...",...}, ...]} -> the first error
// (with a code or a message); {"request":"...","error":"Not authorized."} ->
// code 0 and that message; a v2 problem {"type":...,"title":...} (with or
// without `errors`) -> its members. Anything else (HTML, an empty body, other
// JSON, broken JSON, a member we read with the wrong type) -> absl::nullopt.
// The content type is not consulted: the upstream labels problems both
// application/json and application/problem+json. Never fails. Thread-safe.
absl::optional<UpstreamError> ParseUpstreamError(absl::string_view body);

}  // namespace perch::mapping

#endif  // PERCH_SERVER_MAPPING_ERROR_JSON_H_
