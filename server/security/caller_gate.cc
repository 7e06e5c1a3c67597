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

metrics::CallerSeries* SeriesOf(metrics::CallerMetrics* metrics,
                                absl::string_view name) {
  return metrics == nullptr ? nullptr : &metrics->Caller(name);
}

}  // namespace

CallerGate::CallerGate(GateOptions options, const Clock& clock, AuditLog& audit)
    : options_(std::move(options)),
      // A caller not identified counts as "unknown", never as what it sent.
      unknown_(SeriesOf(options_.metrics, "unknown")),
      anonymous_(SeriesOf(options_.metrics, "anonymous")),
      clock_(clock),
      audit_(audit),
      quotas_(clock) {
  if (options_.keys != nullptr && options_.metrics != nullptr) {
    options_.keys->ResolveSeriesIn(*options_.metrics);
  }
}

absl::StatusOr<Caller> CallerGate::Admit(const grpc::ServerContextBase& context,
                                         Method method) {
  if (!authenticates()) {
    // Nothing to read off the call; skips parsing metadata.
    return Admitted(
        Caller{"anonymous", std::string(kCredentialInsecureNoAuth),
               context.peer(), RoleSet{Role::kReader, Role::kAdmin}},
        anonymous_);
  }
  return Admit(CredentialsOf(context), method);
}

absl::StatusOr<Caller> CallerGate::Admit(const PresentedCredentials& presented,
                                         Method method) {
  if (!authenticates()) {
    return Admitted(
        Caller{"anonymous", std::string(kCredentialInsecureNoAuth),
               presented.peer, RoleSet{Role::kReader, Role::kAdmin}},
        anonymous_);
  }
  const std::shared_ptr<const ApiKeys> keys = options_.keys->Current();
  std::string credential;
  const CallerEntry* entry = nullptr;
  absl::StatusOr<Caller> caller = Identify(presented, *keys, credential, entry);
  if (!caller.ok()) {
    return Deny(caller.status(), "", unknown_, credential, presented.peer,
                method);
  }
  // The entry's series live in whichever gate's metrics resolved them (the
  // keys may be shared); a gate without metrics records nothing.
  metrics::CallerSeries* const series =
      options_.metrics != nullptr ? entry->series : nullptr;
  const double rate = entry->rate.value_or(options_.default_rate);
  const double burst = entry->burst.value_or(options_.default_burst);
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
                caller->name, series, credential, presented.peer, method);
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
    return Deny(std::move(status), caller->name, series, credential,
                presented.peer, method);
  }
  return Admitted(*std::move(caller), series);
}

Caller CallerGate::Admitted(Caller caller, metrics::CallerSeries* series) {
  if (series != nullptr) series->RecordAdmitted();
  return caller;
}

absl::StatusOr<Caller> CallerGate::Identify(
    const PresentedCredentials& presented, const ApiKeys& keys,
    std::string& credential, const CallerEntry*& entry) {
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
  return Caller{entry->name, credential, presented.peer, entry->roles};
}

absl::Status CallerGate::Deny(absl::Status status, absl::string_view caller,
                              metrics::CallerSeries* series,
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
  if (series != nullptr) series->RecordDenied(ErrorReason(status));
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
