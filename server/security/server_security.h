// Everything that decides who may call one perch server, built from its
// config in one place: the listener's credentials (TLS, mTLS), the callers
// file, the audit log and the caller gate the handlers ask. perch_server.cc
// only hands these to gRPC and the services.
#ifndef PERCH_SERVER_SECURITY_SERVER_SECURITY_H_
#define PERCH_SERVER_SECURITY_SERVER_SECURITY_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/common/clock.h"
#include "server/common/server_config.h"
#include "server/security/audit_log.h"
#include "server/security/caller_gate.h"
#include "server/security/listener_credentials.h"
#include "server/security/reloading_api_keys.h"

namespace perch::security {

// Largest request metadata (all headers of one call) perch accepts: gRPC's
// own default, stated so the limit is a decision rather than an accident.
// An API key and the usual tracing headers fit many times over.
inline constexpr int kMaxRequestMetadataBytes = 8 * 1024;

struct ServerSecurity {
  ListenerCredentials listener;
  std::unique_ptr<ReloadingApiKeys> keys;  // null under --insecure_no_auth
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<CallerGate> gate;  // last: uses the two above
};

// Loads the callers file and the TLS files of a `config` already validated
// (server/config/validate_server_config.h), and warns at start about what is
// open: no caller authentication, API keys over plaintext. INVALID_ARGUMENT
// naming the flag or file on any problem. `clock` and `caller_metrics` (null:
// none) must outlive the result.
absl::StatusOr<std::unique_ptr<ServerSecurity>> MakeServerSecurity(
    const ServerConfig& config, const Clock& clock,
    metrics::CallerMetrics* caller_metrics = nullptr);

}  // namespace perch::security

#endif  // PERCH_SERVER_SECURITY_SERVER_SECURITY_H_
