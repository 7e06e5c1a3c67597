// perch's error model inside the process: an absl::Status whose payloads are
// serialized google.rpc detail messages keyed by their type URLs. The service
// edge turns the payloads into google.rpc.Status details unchanged, so every
// layer can say *why* (ErrorInfo), *when to retry* (RetryInfo) and *which
// field* (BadRequest) without knowing about gRPC.
#ifndef PERCH_SERVER_COMMON_ERRORS_H_
#define PERCH_SERVER_COMMON_ERRORS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"

namespace perch {

// ErrorInfo.domain when the upstream decided the outcome.
inline constexpr absl::string_view kUpstreamDomain = "api.twitter.com";
// ErrorInfo.domain when perch decided it.
inline constexpr absl::string_view kPerchDomain = "perch.v1";

// Type URLs of the details perch attaches.
inline constexpr absl::string_view kErrorInfoTypeUrl =
    "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr absl::string_view kRetryInfoTypeUrl =
    "type.googleapis.com/google.rpc.RetryInfo";
inline constexpr absl::string_view kQuotaFailureTypeUrl =
    "type.googleapis.com/google.rpc.QuotaFailure";
inline constexpr absl::string_view kBadRequestTypeUrl =
    "type.googleapis.com/google.rpc.BadRequest";

// Metadata keys of ErrorInfo for upstream facts.
inline constexpr absl::string_view kHttpStatusKey = "http_status";
inline constexpr absl::string_view kUpstreamCodeKey = "upstream_code";
inline constexpr absl::string_view kUpstreamMessageKey = "upstream_message";

struct FieldViolation {
  std::string field;
  std::string description;
};

// A status with exactly one ErrorInfo{reason, domain, metadata}.
absl::Status MakeError(
    absl::StatusCode code, absl::string_view message, absl::string_view reason,
    absl::string_view domain,
    std::vector<std::pair<std::string, std::string>> metadata = {});

// INVALID_ARGUMENT, reason INVALID_REQUEST, with a BadRequest naming each
// field. `violations` must not be empty.
absl::Status MakeInvalidArgument(std::vector<FieldViolation> violations);

// Attach further details to an error status (no-op on OK).
void AttachRetryInfo(absl::Status& status, absl::Duration retry_delay);
void AttachQuotaFailure(absl::Status& status, absl::string_view subject,
                        absl::string_view description);

// Reads details back (tests, logging, retry decisions).
std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status);
std::optional<google::rpc::RetryInfo> GetRetryInfo(const absl::Status& status);
std::optional<google::rpc::BadRequest> GetBadRequest(
    const absl::Status& status);

// The ErrorInfo reason, or "" if none.
std::string ErrorReason(const absl::Status& status);

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_ERRORS_H_
