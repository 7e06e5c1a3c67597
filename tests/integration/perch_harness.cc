#include "tests/integration/perch_harness.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace perch::testing {

std::unique_ptr<PerchHarness> PerchHarness::Start(HarnessOptions options) {
  auto harness = std::unique_ptr<PerchHarness>(new PerchHarness());
  if (options.tls) {
    options.emulator.tls_cert_file = PERCH_TEST_CERT_DIR "/server.pem";
    options.emulator.tls_key_file = PERCH_TEST_CERT_DIR "/server.key";
    if (options.server.ca_file.empty()) {
      options.server.ca_file = PERCH_TEST_CERT_DIR "/ca.pem";
    }
  }
  auth::AppCredentials credentials =
      options.credentials.value_or(auth::AppCredentials{
          options.emulator.app_key, options.emulator.app_secret});
  auto emulator = emulator::Emulator::Start(options.emulator);
  EXPECT_TRUE(emulator.ok()) << emulator.status();
  if (!emulator.ok()) return nullptr;
  harness->emulator_ = *std::move(emulator);

  options.server.listen = "127.0.0.1:0";
  // A port of its own too: suites run in parallel, and the default 9464
  // would be shared.
  options.server.metrics_listen = "127.0.0.1:0";
  // Suites that do not test caller authentication run without it, as
  // scripts/run does; perch refuses to start with neither.
  if (options.server.api_keys_file.empty()) {
    options.server.insecure_no_auth = true;
  }
  options.server.api_base_url =
      options.upstream_url.value_or(harness->emulator_->base_url());
  auto server = PerchServer::Start(options.server, std::move(credentials));
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return nullptr;
  harness->server_ = *std::move(server);

  harness->channel_ = grpc::CreateChannel(harness->target(),
                                          grpc::InsecureChannelCredentials());
  harness->tokens_ = v1::TokenService::NewStub(harness->channel_);
  harness->reads_ = v1::ReadService::NewStub(harness->channel_);
  return harness;
}

PerchHarness::~PerchHarness() {
  if (server_) server_->Shutdown(absl::Seconds(5));
}

std::string PerchHarness::target() const {
  return absl::StrCat("127.0.0.1:", server_->port());
}

std::unique_ptr<grpc::ClientContext> ContextWithTimeout(
    absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

google::rpc::Status RichStatus(const grpc::Status& status) {
  google::rpc::Status rich;
  EXPECT_TRUE(rich.ParseFromString(status.error_details()))
      << "no google.rpc.Status in the trailers";
  // The details repeat the status's own code.
  EXPECT_THAT(status, StatusIs(static_cast<grpc::StatusCode>(rich.code())));
  return rich;
}

namespace {

template <typename Detail>
std::vector<Detail> DetailsOf(const grpc::Status& status) {
  std::vector<Detail> out;
  const google::rpc::Status rich = RichStatus(status);
  for (const auto& any : rich.details()) {
    Detail d;
    if (any.Is<Detail>() && any.UnpackTo(&d)) out.push_back(d);
  }
  return out;
}

template <typename Detail>
std::optional<Detail> FirstDetail(const grpc::Status& status) {
  auto all = DetailsOf<Detail>(status);
  if (all.empty()) return std::nullopt;
  return all.front();
}

}  // namespace

google::rpc::ErrorInfo OnlyErrorInfo(const grpc::Status& status) {
  auto infos = DetailsOf<google::rpc::ErrorInfo>(status);
  EXPECT_EQ(infos.size(), 1u) << "status: " << status.error_message();
  return infos.empty() ? google::rpc::ErrorInfo() : infos.front();
}

std::optional<google::rpc::RetryInfo> RetryInfoOf(const grpc::Status& status) {
  return FirstDetail<google::rpc::RetryInfo>(status);
}
std::optional<google::rpc::BadRequest> BadRequestOf(
    const grpc::Status& status) {
  return FirstDetail<google::rpc::BadRequest>(status);
}
std::optional<google::rpc::QuotaFailure> QuotaFailureOf(
    const grpc::Status& status) {
  return FirstDetail<google::rpc::QuotaFailure>(status);
}

}  // namespace perch::testing
