// Integration harness: a perch-emulator and a perch server, each on an
// ephemeral loopback port, and generated stubs on a real channel to perch.
// Every integration suite starts its world through this.
#ifndef PERCH_TESTS_INTEGRATION_PERCH_HARNESS_H_
#define PERCH_TESTS_INTEGRATION_PERCH_HARNESS_H_

#include <memory>
#include <optional>
#include <string>

#include "emulator/emulator.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "perch/v1/read_service.grpc.pb.h"
#include "perch/v1/token_service.grpc.pb.h"
#include "server/auth/app_credentials.h"
#include "server/common/server_config.h"
#include "server/perch_server.h"

namespace perch::testing {

struct HarnessOptions {
  emulator::EmulatorOptions emulator;
  // api_base_url is replaced by the emulator's unless `upstream_url` is set;
  // insecure_no_auth is turned on unless api_keys_file is set.
  ServerConfig server;
  std::optional<std::string> upstream_url;
  // Defaults to the emulator's app.
  std::optional<auth::AppCredentials> credentials;
  // Serve the emulator over HTTPS with the test certificates and have perch
  // trust the test CA (unless server.ca_file is already set).
  bool tls = false;
};

class PerchHarness {
 public:
  // Starts both; fails the current test (and returns nullptr) on error.
  static std::unique_ptr<PerchHarness> Start(HarnessOptions options = {});
  ~PerchHarness();

  emulator::Emulator& emulator() { return *emulator_; }
  PerchServer& server() { return *server_; }
  v1::TokenService::Stub& tokens() { return *tokens_; }
  v1::ReadService::Stub& reads() { return *reads_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  std::string target() const;

 private:
  std::unique_ptr<emulator::Emulator> emulator_;
  std::unique_ptr<PerchServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::TokenService::Stub> tokens_;
  std::unique_ptr<v1::ReadService::Stub> reads_;
};

// A client context with a deadline `timeout` from now.
std::unique_ptr<grpc::ClientContext> ContextWithTimeout(
    absl::Duration timeout = absl::Seconds(10));

// The decoded google.rpc.Status of a failed call, and its typed details.
google::rpc::Status RichStatus(const grpc::Status& status);
// The call's only ErrorInfo; fails the test if there is not exactly one.
google::rpc::ErrorInfo OnlyErrorInfo(const grpc::Status& status);
std::optional<google::rpc::RetryInfo> RetryInfoOf(const grpc::Status& status);
std::optional<google::rpc::BadRequest> BadRequestOf(const grpc::Status& status);
std::optional<google::rpc::QuotaFailure> QuotaFailureOf(
    const grpc::Status& status);

}  // namespace perch::testing

#endif  // PERCH_TESTS_INTEGRATION_PERCH_HARNESS_H_
