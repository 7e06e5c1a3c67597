#include "server/perch_server.h"

#include <algorithm>
#include <thread>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "server/auth/caching_token_source.h"
#include "server/auth/client_credentials_token_source.h"
#include "server/auth/credentials_rotation.h"
#include "server/auth/load_app_credentials.h"
#include "server/common/clock.h"
#include "server/common/executor.h"
#include "server/common/log.h"
#include "server/common/scheduler.h"
#include "server/config/validate_server_config.h"
#include "server/core/read_operations.h"
#include "server/core/token_operations.h"
#include "server/http/curl_multi_transport.h"
#include "server/metrics/metrics_listener.h"
#include "server/metrics/perch_metrics.h"
#include "server/metrics/registry.h"
#include "server/metrics/text_format.h"
#include "server/security/server_security.h"
#include "server/service/access_log.h"
#include "server/service/call_metrics.h"
#include "server/service/call_observers.h"
#include "server/service/read_service.h"
#include "server/service/reflection_service.h"
#include "server/service/token_service.h"
#include "server/upstream/read_dialect.h"
#include "server/upstream/upstream_reader.h"
#include "server/upstream/v1_dialect.h"
#include "server/upstream/v2_dialect.h"

namespace perch {
namespace {

// The health entry (grpc.health.v1 Check with this service name) that says
// whether the consumer key and secret files' pair is in force: NOT_SERVING
// while the upstream rejects the pair in them and perch serves on with the
// previous pair's token. The server's own entry ("") is not affected.
constexpr char kAppCredentialsHealth[] = "perch.app_credentials";

// Set by server/CMakeLists.txt: the version, and the commit at configure
// time.
#ifndef PERCH_VERSION
#define PERCH_VERSION "unknown"
#endif
#ifndef PERCH_COMMIT
#define PERCH_COMMIT "unknown"
#endif

// The one place --upstream_api picks the dialect core/ reads through.
absl::StatusOr<std::unique_ptr<upstream::ReadDialect>> MakeReadDialect(
    const ServerConfig& config, upstream::UpstreamReader& reader,
    const Clock& clock, Scheduler& scheduler, metrics::PerchMetrics* metrics) {
  if (config.upstream_api == "v1.1") {
    return upstream::MakeV1Dialect(reader, config.api_base_url);
  }
  if (config.upstream_api == "v2") {
    upstream::V2DialectOptions options;
    options.name_cache_ttl = config.name_cache_ttl;
    if (metrics != nullptr) {
      options.user_id_cache_metrics = metrics->Cache("user_id");
      options.list_slug_cache_metrics = metrics->Cache("list_slug");
    }
    return upstream::MakeV2Dialect(reader, config.api_base_url, clock,
                                   scheduler, options);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--upstream_api=", config.upstream_api, ": expected v2 or v1.1"));
}

class PerchServerImpl final : public PerchServer {
 public:
  int port() const override { return port_; }
  int metrics_port() const override {
    return metrics_listener_ ? metrics_listener_->port() : 0;
  }

  void Shutdown(absl::Duration grace) override {
    absl::MutexLock lock(&shutdown_mu_);
    if (shut_down_ || server_ == nullptr) return;
    shut_down_ = true;
    {
      absl::MutexLock health_lock(&health_mu_);
      draining_ = true;
      server_->GetHealthCheckService()->SetServingStatus(false);
    }
    LogInfo("draining: NOT_SERVING, refusing new RPCs, grace ",
            absl::FormatDuration(grace));
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
    LogInfo("drained");
  }

  int64_t upstream_token_fetches() const override {
    return tokens_->upstream_fetches();
  }

  int64_t reads_waiting_upstream() const override {
    return read_operations_->callers_waiting();
  }

  // The credentials rotation's report; a draining server stays NOT_SERVING.
  void ReportCredentialsHealth(const auth::RotationState& state) {
    absl::MutexLock lock(&health_mu_);
    if (draining_) return;
    server_->GetHealthCheckService()->SetServingStatus(kAppCredentialsHealth,
                                                       state.rejected.empty());
  }

  ~PerchServerImpl() override {
    // First: a scrape reads gauges that call into the objects below.
    metrics_listener_.reset();
    Shutdown(absl::ZeroDuration());
    // Timers first (their callbacks send on the transport), then the
    // transport (its cancelled callbacks reach reads and the token holder),
    // then everything else in reverse member order.
    if (scheduler_) scheduler_->Stop();
    transport_.reset();
    executor_.reset();
  }

 private:
  friend class PerchServer;

  SystemClock clock_;
  // Every layer records into these; they outlive everything that does.
  // metrics_ is null when --metrics_listen is empty.
  metrics::Registry registry_;
  std::unique_ptr<metrics::PerchMetrics> metrics_;
  // Who may call: the gate the services ask, the listener's credentials.
  std::unique_ptr<security::ServerSecurity> security_;
  std::unique_ptr<auth::CachingTokenSource> tokens_;
  std::unique_ptr<upstream::UpstreamReader> reader_;
  std::unique_ptr<upstream::ReadDialect> dialect_;
  std::unique_ptr<core::ReadOperations> read_operations_;
  // Destroyed before what its pending callbacks reach (reads, tokens).
  std::unique_ptr<http::HttpTransport> transport_;
  std::unique_ptr<ThreadScheduler> scheduler_;
  // Parsing, mapping and finishing RPCs run here, never on the transport's
  // I/O thread.
  std::unique_ptr<ThreadPoolExecutor> executor_;
  // Null unless the credentials come from files.
  std::unique_ptr<auth::CredentialsRotation> rotation_;
  absl::Mutex random_mu_;
  absl::BitGen random_ ABSL_GUARDED_BY(random_mu_);
  std::unique_ptr<core::TokenOperations> token_operations_;
  // Told about every finished call (docs/observability.md).
  service::AccessLog access_log_;
  std::unique_ptr<service::CallMetrics> call_metrics_;
  std::unique_ptr<service::CallObservers> call_observers_;
  std::unique_ptr<service::TokenService> token_service_;
  std::unique_ptr<service::ReadService> read_service_;
  std::unique_ptr<service::ReflectionCore> reflection_;
  std::unique_ptr<service::ReflectionV1Service> reflection_v1_;
  std::unique_ptr<service::ReflectionV1AlphaService> reflection_v1alpha_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  // GET /metrics; null when --metrics_listen is empty.
  std::unique_ptr<metrics::MetricsListener> metrics_listener_;
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
  absl::Mutex health_mu_;
  bool draining_ ABSL_GUARDED_BY(health_mu_) = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<PerchServer>> PerchServer::Start(
    const ServerConfig& config, auth::AppCredentials credentials) {
  // main.cc has judged it already; a test's struct is judged here.
  if (absl::Status valid = ValidateServerConfig(config); !valid.ok()) {
    return valid;
  }
  auto server = std::make_unique<PerchServerImpl>();
  // Recorded only when someone can read them: with no listener every layer
  // gets null and records nothing (what the bench's "off" side measures).
  metrics::PerchMetrics* m = nullptr;
  if (!config.metrics_listen.empty()) {
    server->metrics_ = std::make_unique<metrics::PerchMetrics>(
        server->registry_, server->clock_,
        metrics::BuildInfo{.version = PERCH_VERSION,
                           .commit = PERCH_COMMIT,
                           .dialect = config.upstream_api});
    m = server->metrics_.get();
  }
  auto security = security::MakeServerSecurity(config, server->clock_,
                                               m ? &m->callers() : nullptr);
  if (!security.ok()) return security.status();
  server->security_ = *std::move(security);

  http::CurlMultiTransport::Options transport_options;
  transport_options.ca_file = config.ca_file;
  transport_options.max_response_bytes = config.upstream_max_response_bytes;
  const bool https = absl::StartsWith(config.api_base_url, "https://");
  const int connections = config.upstream_max_connections > 0
                              ? config.upstream_max_connections
                              : (https ? 8 : 512);
  transport_options.max_host_connections = connections;
  // libcurl's default of 100 streams per HTTP/2 connection.
  transport_options.max_active_transfers =
      static_cast<size_t>(connections) * (https ? 100 : 1);
  auto transport = http::MakeCurlMultiTransport(transport_options);
  if (!transport.ok()) return transport.status();
  server->transport_ = *std::move(transport);

  PerchServerImpl* raw = server.get();
  auto make_source = [raw, m, url = config.api_base_url](
                         const auth::AppCredentials& pair) {
    return std::make_shared<auth::ClientCredentialsTokenSource>(
        pair, url, *raw->transport_, raw->clock_, m ? &m->upstream() : nullptr);
  };
  // Timers: the read retries' backoff, the deadlines of token waiters and
  // coalesced reads.
  server->scheduler_ = std::make_unique<ThreadScheduler>();
  server->tokens_ = std::make_unique<auth::CachingTokenSource>(
      make_source(credentials), server->clock_, *server->scheduler_,
      auth::TokenBackoff{}, /*random_unit=*/nullptr,
      m ? &m->token() : nullptr);
  server->token_operations_ = std::make_unique<core::TokenOperations>(
      *server->tokens_, *server->tokens_, server->clock_);
  std::vector<service::CallObserver*> observers;
  if (m != nullptr) {
    server->call_metrics_ = std::make_unique<service::CallMetrics>(*m);
    observers.push_back(server->call_metrics_.get());
  }
  // The access log is part of JSON logging; text logs stay as they were.
  if (config.log_format == LogFormat::kJson) {
    observers.push_back(&server->access_log_);
  }
  server->call_observers_ =
      std::make_unique<service::CallObservers>(std::move(observers));
  server->token_service_ = std::make_unique<service::TokenService>(
      *server->token_operations_, config.max_call_time,
      *server->security_->gate, *server->call_observers_);
  server->executor_ = std::make_unique<ThreadPoolExecutor>(
      std::max(2u, std::thread::hardware_concurrency()));
  if (!config.consumer_key_file.empty() ||
      !config.consumer_secret_file.empty()) {
    server->rotation_ = std::make_unique<auth::CredentialsRotation>(
        auth::RotationOptions{
            .key_file = config.consumer_key_file,
            .secret_file = config.consumer_secret_file,
            .check_interval = config.credentials_reload_interval,
            .request_timeout = config.max_call_time},
        credentials,
        [config] { return auth::LoadAppCredentials(config, GetEnv); },
        make_source, *server->tokens_, *server->scheduler_, server->clock_,
        [raw](const auth::RotationState& state) {
          raw->ReportCredentialsHealth(state);
        });
  }
  server->reader_ = upstream::MakeAuthenticatedReader(
      *server->transport_, *server->tokens_, *server->tokens_,
      *server->scheduler_, *server->executor_, server->clock_,
      upstream::RetryPolicy{},
      [raw] {
        absl::MutexLock lock(&raw->random_mu_);
        return absl::Uniform(raw->random_, 0.0, 1.0);
      },
      m ? &m->upstream() : nullptr);
  auto dialect = MakeReadDialect(config, *server->reader_, server->clock_,
                                 *server->scheduler_, m);
  if (!dialect.ok()) return dialect.status();
  server->dialect_ = *std::move(dialect);
  server->read_operations_ = std::make_unique<core::ReadOperations>(
      *server->dialect_, server->clock_, *server->scheduler_,
      core::CoalescerOptions{.cache_ttl = config.cache_ttl});
  server->read_service_ = std::make_unique<service::ReadService>(
      *server->read_operations_, config.max_call_time, *server->security_->gate,
      *server->call_observers_);

  // Reflection lists what is registered below plus the health service gRPC
  // registers itself; naming the health descriptor also links its file into
  // the pool reflection answers from.
  grpc::EnableDefaultHealthCheckService(true);
  server->reflection_ =
      std::make_unique<service::ReflectionCore>(std::vector<std::string>{
          v1::TokenService::service_full_name(),
          v1::ReadService::service_full_name(),
          grpc::health::v1::HealthCheckRequest::descriptor()
              ->file()
              ->service(0)
              ->full_name(),
          grpc::reflection::v1::ServerReflection::service_full_name(),
          grpc::reflection::v1alpha::ServerReflection::service_full_name(),
      });
  server->reflection_v1_ =
      std::make_unique<service::ReflectionV1Service>(*server->reflection_);
  server->reflection_v1alpha_ =
      std::make_unique<service::ReflectionV1AlphaService>(*server->reflection_);

  // Before gRPC: a taken metrics port fails the start before any call is
  // served.
  if (!config.metrics_listen.empty()) {
    auto listener = metrics::MetricsListener::Start(
        config.metrics_listen,
        [raw] { return metrics::FormatText(raw->registry_.Collect()); });
    if (!listener.ok()) return listener.status();
    server->metrics_listener_ = *std::move(listener);
  }

  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default: a second perch on a taken port would
  // silently share it instead of failing.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(
      config.listen, server->security_->listener.credentials, &server->port_);
  // Hostile input: gRPC refuses bigger messages (RESOURCE_EXHAUSTED) and
  // metadata before any handler runs.
  builder.SetMaxReceiveMessageSize(config.max_request_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE,
                             security::kMaxRequestMetadataBytes);
  builder.RegisterService(server->token_service_.get());
  builder.RegisterService(server->read_service_.get());
  builder.RegisterService(server->reflection_v1_.get());
  builder.RegisterService(server->reflection_v1alpha_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen));
  }
  server->server_->GetHealthCheckService()->SetServingStatus(true);
  server->server_->GetHealthCheckService()->SetServingStatus(
      kAppCredentialsHealth, true);
  if (server->rotation_) server->rotation_->Start();
  return server;
}

}  // namespace perch
