// Wires one perch server: transport, token holder, core operations and the
// gRPC services, health and reflection, on one listening port, and the
// metrics every layer records, served on a port of their own. main.cc and
// the integration tests both start perch through this.
#ifndef PERCH_SERVER_PERCH_SERVER_H_
#define PERCH_SERVER_PERCH_SERVER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/auth/app_credentials.h"
#include "server/common/server_config.h"

namespace perch {

class PerchServer {
 public:
  // Starts serving on config.listen (port 0 picks a free port). Health is
  // SERVING once this returns.
  static absl::StatusOr<std::unique_ptr<PerchServer>> Start(
      const ServerConfig& config, auth::AppCredentials credentials);

  virtual ~PerchServer() = default;

  // The port actually bound.
  virtual int port() const = 0;
  // The /metrics port actually bound; 0 when config.metrics_listen is
  // empty.
  virtual int metrics_port() const = 0;

  // Health goes NOT_SERVING, new RPCs are refused, in-flight RPCs get until
  // `grace` to finish (then they are cancelled). Returns when all are done.
  // Idempotent.
  virtual void Shutdown(absl::Duration grace) = 0;

  // Upstream token requests made so far (for tests and logs).
  virtual int64_t upstream_token_fetches() const = 0;

  // Read RPCs waiting on an upstream read now, each counted once however
  // many share one (for tests: every caller has joined a flight).
  virtual int64_t reads_waiting_upstream() const = 0;
};

}  // namespace perch

#endif  // PERCH_SERVER_PERCH_SERVER_H_
