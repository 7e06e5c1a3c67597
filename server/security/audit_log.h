// The audit trail: one structured line per Obtain/Invalidate and per denied
// call through server/common/log.h: "AUDIT {json}" in text logs, an object
// with "type":"audit" in JSON logs. Events carry names and
// fingerprints only: there is no field a token, key or secret could go in.
#ifndef PERCH_SERVER_SECURITY_AUDIT_LOG_H_
#define PERCH_SERVER_SECURITY_AUDIT_LOG_H_

#include <array>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace perch::security {

// The values of AuditEvent::credential; docs/security.md lists each (a
// test holds them to it).
inline constexpr absl::string_view kCredentialApiKey = "api_key";
inline constexpr absl::string_view kCredentialCertificate = "certificate";
inline constexpr absl::string_view kCredentialNone = "none";
// --insecure_no_auth: nothing was checked, whatever the call carried.
inline constexpr absl::string_view kCredentialInsecureNoAuth =
    "insecure_no_auth";
inline constexpr std::array<absl::string_view, 4> kAuditCredentials = {
    kCredentialApiKey, kCredentialCertificate, kCredentialNone,
    kCredentialInsecureNoAuth};

struct AuditEvent {
  absl::Time time;
  // The caller's name from the callers file; "anonymous" under
  // --insecure_no_auth; "" when the caller was not identified.
  std::string caller;
  // What the caller presented: one of kAuditCredentials. Never the
  // credential itself.
  std::string credential;
  // gRPC's peer string, e.g. "ipv4:10.0.0.7:51234".
  std::string peer;
  // "perch.v1.TokenService/Obtain" etc.
  std::string method;
  // The status the caller got: code name ("OK", "PERMISSION_DENIED") and
  // ErrorInfo reason ("" for OK).
  std::string outcome;
  std::string reason;
  // First 12 hex characters of the token's SHA-256; "" when no token was
  // involved or known.
  std::string token_fingerprint;
};

// `AUDIT {"time":"2024-05-01T12:00:00.123Z","caller":...}`: fields in the
// order of AuditEvent, values JSON strings. Bytes outside printable ASCII
// are escaped (\u00XX) so a hostile peer string or certificate name cannot
// break the line or the JSON. Long values are cut at 256 bytes.
std::string FormatAuditLine(const AuditEvent& event);

// Where audit events go. Implementations are thread-safe.
class AuditLog {
 public:
  virtual ~AuditLog() = default;
  virtual void Record(const AuditEvent& event) = 0;
};

// Writes the event as one INFO log line on stderr: FormatAuditLine() in text
// logs; in JSON logs the same fields in one object with "type":"audit".
class StderrAuditLog final : public AuditLog {
 public:
  void Record(const AuditEvent& event) override;
};

// The outcome fields of `status`: code name and ErrorInfo reason.
void SetOutcome(const absl::Status& status, AuditEvent& event);

}  // namespace perch::security

#endif  // PERCH_SERVER_SECURITY_AUDIT_LOG_H_
