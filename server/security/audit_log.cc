#include "server/security/audit_log.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/errors.h"
#include "server/common/log.h"

namespace perch::security {
namespace {

constexpr size_t kMaxValueBytes = 256;

void AppendJsonString(std::string& out, absl::string_view value) {
  if (value.size() > kMaxValueBytes) value = value.substr(0, kMaxValueBytes);
  out.push_back('"');
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20 || byte >= 0x7f) {
      absl::StrAppendFormat(&out, "\\u%04x", byte);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

}  // namespace

std::string FormatAuditLine(const AuditEvent& event) {
  std::string out = "AUDIT {";
  auto field = [&out](absl::string_view name, absl::string_view value) {
    if (out.back() != '{') out.push_back(',');
    AppendJsonString(out, name);
    out.push_back(':');
    AppendJsonString(out, value);
  };
  field("time", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", event.time,
                                 absl::UTCTimeZone()));
  field("caller", event.caller);
  field("credential", event.credential);
  field("peer", event.peer);
  field("method", event.method);
  field("outcome", event.outcome);
  field("reason", event.reason);
  field("token_fingerprint", event.token_fingerprint);
  out.push_back('}');
  return out;
}

void StderrAuditLog::Record(const AuditEvent& event) {
  LogInfo(FormatAuditLine(event));
}

void SetOutcome(const absl::Status& status, AuditEvent& event) {
  // UNKNOWN is reported as the INTERNAL the caller sees (grpc_status.cc).
  event.outcome = status.code() == absl::StatusCode::kUnknown
                      ? "INTERNAL"
                      : absl::StatusCodeToString(status.code());
  event.reason = ErrorReason(status);
}

}  // namespace perch::security
