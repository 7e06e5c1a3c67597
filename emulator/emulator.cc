#include "emulator/emulator.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "emulator/evhttp_server.h"
#include "emulator/routes.h"
#include "emulator/world.h"
#include "emulator/world_reads.h"
#include "emulator/world_reads_v2.h"
#include "server/common/mutex.h"

namespace perch::emulator {
namespace {

// The World of `seed`, generated once per process for the last seed asked
// for: it is deterministic and immutable, and a test binary starts hundreds
// of emulators one after the other (integration_read_service_errors_test
// about 190). Under ASan on a loaded machine each generation took over a
// second, enough to push that suite past its ctest timeout (issue 13).
std::shared_ptr<const World> WorldFor(uint64_t seed) {
  static auto* mu = new Mutex;
  static auto* last = new std::shared_ptr<const World>;  // never destroyed
  MutexLock lock(mu);
  if (*last == nullptr || (*last)->seed() != seed) {
    *last = World::Generate(seed);
  }
  return *last;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Emulator>> Emulator::Start(
    EmulatorOptions options) {
  if (options.max_token_requests_per_minute < 0) {
    return absl::InvalidArgumentError(
        "max_token_requests_per_minute must be >= 0");
  }
  std::unique_ptr<Emulator> emulator(new Emulator());
  emulator->options_ = std::move(options);
  const EmulatorOptions& opts = emulator->options_;
  const Clock& clock =
      opts.clock != nullptr ? *opts.clock : emulator->system_clock_;
  emulator->world_ = WorldFor(opts.seed);
  emulator->router_ = std::make_unique<Router>(
      opts, clock, WorldReadEndpoints(emulator->world_),
      WorldV2Endpoints(emulator->world_));

  ServerOptions server_options;
  server_options.host = opts.listen_host;
  server_options.port = opts.port;
  server_options.tls_cert_file = opts.tls_cert_file;
  server_options.tls_key_file = opts.tls_key_file;
  Router* router = emulator->router_.get();
  absl::StatusOr<std::unique_ptr<EvhttpServer>> server = EvhttpServer::Start(
      server_options,
      [router](const Request& request) { return router->Handle(request); });
  if (!server.ok()) return server.status();
  emulator->server_ = *std::move(server);
  return emulator;
}

Emulator::~Emulator() = default;

int Emulator::port() const { return server_->port(); }

std::string Emulator::base_url() const {
  const std::string& host = options_.listen_host;
  bool ipv6 = host.find(':') != std::string::npos;
  return absl::StrCat(server_->tls() ? "https" : "http", "://", ipv6 ? "[" : "",
                      host, ipv6 ? "]" : "", ":", port());
}

int64_t Emulator::RequestCount(absl::string_view path) const {
  return router_->counters().Get(path);
}

std::map<std::string, int64_t> Emulator::RequestCounts() const {
  return router_->counters().Snapshot();
}

void Emulator::ResetCounters() { router_->counters().Reset(); }

std::vector<TracedRequest> Emulator::ReceivedTraceparents() const {
  return router_->requests().Recent();
}

void Emulator::AddFault(FaultRule rule) {
  router_->faults().Add(std::move(rule));
}

void Emulator::ClearFaults() { router_->faults().Clear(); }

void Emulator::EndLatenciesNow() { server_->EndDelaysNow(); }

void Emulator::RevokeCurrentToken() { router_->tokens().Revoke(); }

int64_t Emulator::TokensIssued() const {
  return router_->tokens().tokens_issued();
}

void Emulator::SetAccessLevel(AccessLevel level) {
  router_->account().set_access(level);
}

void Emulator::SetAccountState(AccountState state) {
  router_->account().set_state(state);
}

void Emulator::ResetAccount() { router_->account().Reset(); }

void Emulator::SetRateLimit(absl::string_view path, int limit_per_window) {
  router_->read_limits().SetLimit(path, limit_per_window);
}

void Emulator::ResetRateLimits() { router_->read_limits().ResetWindows(); }

}  // namespace perch::emulator
