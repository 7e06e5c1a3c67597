#include "server/security/audit_log.h"

#include "server/common/errors.h"
#include "server/common/json_fields.h"
#include "server/common/log.h"

namespace perch::security {
namespace {

JsonFields AuditFields(const AuditEvent& event) {
  JsonFields fields;
  fields.Str("caller", event.caller)
      .Str("credential", event.credential)
      .Str("peer", event.peer)
      .Str("method", event.method)
      .Str("outcome", event.outcome)
      .Str("reason", event.reason)
      .Str("token_fingerprint", event.token_fingerprint);
  return fields;
}

}  // namespace

std::string FormatAuditLine(const AuditEvent& event) {
  return EventText("audit", event.time, AuditFields(event));
}

void StderrAuditLog::Record(const AuditEvent& event) {
  LogEvent(LogLevel::kInfo, "audit", event.time, AuditFields(event));
}

void SetOutcome(const absl::Status& status, AuditEvent& event) {
  // UNKNOWN is reported as the INTERNAL the caller sees (grpc_status.cc).
  event.outcome = status.code() == absl::StatusCode::kUnknown
                      ? "INTERNAL"
                      : absl::StatusCodeToString(status.code());
  event.reason = ErrorReason(status);
}

}  // namespace perch::security
