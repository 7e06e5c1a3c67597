#include "server/security/caller_gate.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"

namespace perch::security {
namespace {

absl::Status Unauthenticated(absl::string_view message) {
  return MakeError(absl::StatusCode::kUnauthenticated, message,
                   reasons::kCallerUnauthenticated, kPerchDomain);
}

}  // namespace

CallerGate::CallerGate(GateOptions options, const Clock& clock, AuditLog& audit)
    : options_(std::move(options)),
      clock_(clock),
      audit_(audit),
      quotas_(clock) {}

absl::StatusOr<Caller> CallerGate::Admit(const grpc::ServerContextBase& context,
                                         Method method) {
  if (!authenticates()) {
    // Nothing to read off the call; skips parsing metadata.
    return Admitted(Caller{"anonymous", std::string(kCredentialInsecureNoAuth),
                           context.peer(),
                           RoleSet{Role::kReader, Role::kAdmin}});
  }
  return Admit(CredentialsOf(context), method);
}

absl::StatusOr<Caller> CallerGate::Admit(const PresentedCredentials& presented,
                                         Method method) {
  if (!authenticates()) {
    return Admitted(Caller{"anonymous", std::string(kCredentialInsecureNoAuth),
                           presented.peer,
                           RoleSet{Role::kReader, Role::kAdmin}});
  }
  const std::shared_ptr<const ApiKeys> keys = options_.keys->Current();
  std::string credential;
  double rate = options_.default_rate;
  double burst = options_.default_burst;
  absl::StatusOr<Caller> caller =
      Identify(presented, *keys, credential, rate, burst);
  if (!caller.ok()) {
    return Deny(caller.status(), "", credential, presented.peer, method);
  }
  if (!Permits(caller->roles, method)) {
    const absl::string_view needed =
        RequiredRole(method) == Role::kAdmin ? "admin" : "reader";
    return Deny(MakeError(absl::StatusCode::kPermissionDenied,
                          absl::StrCat("caller ", caller->name,
                                       " may not call ", MethodName(method),
                                       ": it needs the ", needed, " role"),
                          reasons::kCallerNotPermitted, kPerchDomain,
                          {{"caller", caller->name},
                           {"method", std::string(MethodName(method))},
                           {"required_role", std::string(needed)}}),
                caller->name, credential, presented.peer, method);
  }
  const absl::Duration wait = quotas_.Take(caller->name, rate, burst);
  if (wait > absl::ZeroDuration()) {
    absl::Status status = MakeError(
        absl::StatusCode::kResourceExhausted,
        absl::StrCat("caller ", caller->name, " is over its quota of ",
                     absl::StrFormat("%g", rate), " calls per second (burst ",
                     absl::StrFormat("%g", burst), "); retry in ",
                     absl::FormatDuration(wait)),
        reasons::kCallerQuotaExceeded, kPerchDomain,
        {{"caller", caller->name},
         {"rate", absl::StrFormat("%g", rate)},
         {"burst", absl::StrFormat("%g", burst)}});
    AttachRetryInfo(status, wait);
    AttachQuotaFailure(status, absl::StrCat("caller:", caller->name),
                       "per-caller call quota of this perch");
    return Deny(std::move(status), caller->name, credential, presented.peer,
                method);
  }
  return Admitted(*std::move(caller));
}

Caller CallerGate::Admitted(Caller caller) {
  if (options_.metrics != nullptr) {
    // One lookup per call: caller names come and go with the callers file.
    options_.metrics->calls.WithLabels({caller.name}).Increment();
  }
  return caller;
}

absl::StatusOr<Caller> CallerGate::Identify(
    const PresentedCredentials& presented, const ApiKeys& keys,
    std::string& credential, double& rate, double& burst) {
  const CallerEntry* entry = nullptr;
  if (presented.malformed_authorization) {
    credential = std::string(kCredentialApiKey);
    return Unauthenticated(
        "the authorization metadata must be exactly one 'Bearer <api key>'");
  }
  if (presented.api_key.has_value()) {
    // A key, when sent, decides: a wrong key next to a good certificate is
    // still a wrong key.
    credential = std::string(kCredentialApiKey);
    entry = keys.FindByKey(*presented.api_key);
    if (entry == nullptr) return Unauthenticated("unknown API key");
  } else if (options_.accept_certificates &&
             !presented.certificate_identities.empty()) {
    credential = std::string(kCredentialCertificate);
    for (const std::string& identity : presented.certificate_identities) {
      entry = keys.FindByIdentity(identity);
      if (entry != nullptr) break;
    }
    if (entry == nullptr) {
      return Unauthenticated(
          "the client certificate's identity is not registered with perch");
    }
  } else {
    credential = std::string(kCredentialNone);
    return Unauthenticated(
        options_.accept_certificates
            ? "no credentials: send 'authorization: Bearer <api key>' or a "
              "client certificate"
            : "no credentials: send 'authorization: Bearer <api key>'");
  }
  if (entry->rate.has_value()) rate = *entry->rate;
  if (entry->burst.has_value()) burst = *entry->burst;
  return Caller{entry->name, credential, presented.peer, entry->roles};
}

absl::Status CallerGate::Deny(absl::Status status, absl::string_view caller,
                              absl::string_view credential,
                              absl::string_view peer, Method method) {
  AuditEvent event;
  event.time = clock_.Now();
  event.caller = std::string(caller);
  event.credential = std::string(credential);
  event.peer = std::string(peer);
  event.method = std::string(MethodName(method));
  SetOutcome(status, event);
  audit_.Record(event);
  if (options_.metrics != nullptr) {
    // The name from the callers file, never what was presented.
    const absl::string_view name = caller.empty() ? "unknown" : caller;
    const std::string reason = ErrorReason(status);
    options_.metrics->denials.WithLabels({name, reason}).Increment();
    if (reason == reasons::kCallerQuotaExceeded) {
      options_.metrics->throttles.WithLabels({name}).Increment();
    }
  }
  return status;
}

void CallerGate::RecordTokenCall(const Caller& caller, Method method,
                                 const absl::Status& status,
                                 absl::string_view token_fingerprint) {
  AuditEvent event;
  event.time = clock_.Now();
  event.caller = caller.name;
  event.credential = caller.credential;
  event.peer = caller.peer;
  event.method = std::string(MethodName(method));
  SetOutcome(status, event);
  event.token_fingerprint = std::string(token_fingerprint);
  audit_.Record(event);
}

}  // namespace perch::security
