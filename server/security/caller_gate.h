// The one check every perch.v1 handler makes before doing anything: who is
// calling (API key or client certificate, looked up in the callers file),
// may they call this method (roles.h), and is their quota left
// (caller_quotas.h). Denials are audited here. Health and reflection never
// pass through it: they stay open.
#ifndef PERCH_SERVER_SECURITY_CALLER_GATE_H_
#define PERCH_SERVER_SECURITY_CALLER_GATE_H_

#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "server/common/clock.h"
#include "server/metrics/perch_metrics.h"
#include "server/security/audit_log.h"
#include "server/security/caller_identity.h"
#include "server/security/caller_quotas.h"
#include "server/security/reloading_api_keys.h"
#include "server/security/roles.h"

namespace perch::security {

struct GateOptions {
  // The callers file; nullptr only under --insecure_no_auth, when every
  // caller is admitted as "anonymous" with both roles and no quota.
  ReloadingApiKeys* keys = nullptr;
  // Whether verified client certificates identify callers (--client_ca_file).
  bool accept_certificates = false;
  // Per-caller quota unless the callers file overrides it: tokens per second
  // (0: unlimited) and bucket size.
  double default_rate = 0;
  double default_burst = 1;
  // perch_caller_*: admissions, denials and throttles by caller name; null
  // records nothing. Must outlive the gate. The gate has `keys` resolve each
  // caller's series in it whenever a callers file loads
  // (ReloadingApiKeys::ResolveSeriesIn), so no call looks a series up.
  metrics::CallerMetrics* metrics = nullptr;
};

// Who was admitted.
struct Caller {
  std::string name;
  // One of kAuditCredentials (audit lines).
  std::string credential;
  std::string peer;
  RoleSet roles;
};

// Thread-safe. `keys` (in options), `clock` and `audit` must outlive it.
class CallerGate {
 public:
  CallerGate(GateOptions options, const Clock& clock, AuditLog& audit);

  // The caller, or a status the handler finishes the call with at once:
  //   UNAUTHENTICATED  CALLER_UNAUTHENTICATED  no credential, a malformed
  //                    authorization header, an unknown key, or a
  //                    certificate identity not in the callers file;
  //   PERMISSION_DENIED CALLER_NOT_PERMITTED   a known caller whose roles do
  //                    not include what `method` needs;
  //   RESOURCE_EXHAUSTED CALLER_QUOTA_EXCEEDED the caller's bucket is
  //                    empty; with RetryInfo (when a call will be admitted)
  //                    and QuotaFailure.
  // Each error has one ErrorInfo (domain perch.v1) and is audited.
  absl::StatusOr<Caller> Admit(const grpc::ServerContextBase& context,
                               Method method);
  absl::StatusOr<Caller> Admit(const PresentedCredentials& presented,
                               Method method);

  // Audits a finished Obtain or Invalidate.
  void RecordTokenCall(const Caller& caller, Method method,
                       const absl::Status& status,
                       absl::string_view token_fingerprint);

  bool authenticates() const { return options_.keys != nullptr; }

 private:
  // `entry`: the callers file's line that identified the caller.
  absl::StatusOr<Caller> Identify(const PresentedCredentials& presented,
                                  const ApiKeys& keys, std::string& credential,
                                  const CallerEntry*& entry);
  // Counts an admitted call into `series` (null: metrics off), returns it.
  static Caller Admitted(Caller caller, metrics::CallerSeries* series);
  // Audits the refusal and counts it into `series` (null: metrics off).
  absl::Status Deny(absl::Status status, absl::string_view caller,
                    metrics::CallerSeries* series, absl::string_view credential,
                    absl::string_view peer, Method method);

  const GateOptions options_;
  // The series of "unknown" (denials before a caller is identified) and
  // "anonymous" (--insecure_no_auth); null when metrics are off.
  metrics::CallerSeries* const unknown_;
  metrics::CallerSeries* const anonymous_;
  const Clock& clock_;
  AuditLog& audit_;
  CallerQuotas quotas_;
};

}  // namespace perch::security

#endif  // PERCH_SERVER_SECURITY_CALLER_GATE_H_
