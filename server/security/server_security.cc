#include "server/security/server_security.h"

#include <utility>

#include "server/common/log.h"

namespace perch::security {

absl::StatusOr<std::unique_ptr<ServerSecurity>> MakeServerSecurity(
    const ServerConfig& config, const Clock& clock,
    metrics::CallerMetrics* caller_metrics) {
  auto security = std::make_unique<ServerSecurity>();
  auto listener = MakeListenerCredentials(ListenerOptions{
      .tls_cert_file = config.tls_cert_file,
      .tls_key_file = config.tls_key_file,
      .client_ca_file = config.client_ca_file,
      .reload_interval = config.tls_reload_interval,
  });
  if (!listener.ok()) return listener.status();
  security->listener = *std::move(listener);

  GateOptions gate;
  gate.metrics = caller_metrics;
  if (config.insecure_no_auth) {
    LogWarning(
        "--insecure_no_auth: callers are NOT authenticated; anyone who can "
        "reach ",
        config.listen,
        " may read through the app and obtain or invalidate its token");
  } else {
    auto keys = ReloadingApiKeys::Open(config.api_keys_file,
                                       config.api_keys_reload_interval, clock);
    if (!keys.ok()) return keys.status();
    security->keys = *std::move(keys);
    gate.keys = security->keys.get();
    gate.accept_certificates = !config.client_ca_file.empty();
    gate.default_rate = config.caller_rate;
    gate.default_burst = config.caller_burst;
    if (!security->listener.tls) {
      LogWarning(
          "API keys are accepted over plaintext gRPC: without "
          "--tls_cert_file they cross the network in clear unless a mesh "
          "encrypts it");
    }
  }
  security->audit = std::make_unique<StderrAuditLog>();
  security->gate = std::make_unique<CallerGate>(gate, clock, *security->audit);
  return security;
}

}  // namespace perch::security
