#include "client/grpc_connection.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "perch/v1/read_service.grpc.pb.h"
#include "perch/v1/token_service.grpc.pb.h"

namespace perch::client {
namespace {

class GrpcConnection : public Connection {
 public:
  GrpcConnection(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout,
                 std::string authorization)
      : channel_(std::move(channel)),
        timeout_(timeout),
        authorization_(std::move(authorization)),
        read_(perch::v1::ReadService::NewStub(channel_)),
        token_(perch::v1::TokenService::NewStub(channel_)),
        health_(grpc::health::v1::Health::NewStub(channel_)) {}

  grpc::Status GetTimeline(const perch::v1::GetTimelineRequest& request,
                           perch::v1::GetTimelineResponse* response) override {
    auto context = NewContext();
    return read_->GetTimeline(context.get(), request, response);
  }
  grpc::Status Search(const perch::v1::SearchRequest& request,
                      perch::v1::SearchResponse* response) override {
    auto context = NewContext();
    return read_->Search(context.get(), request, response);
  }
  grpc::Status GetFollowers(
      const perch::v1::GetFollowersRequest& request,
      perch::v1::GetFollowersResponse* response) override {
    auto context = NewContext();
    return read_->GetFollowers(context.get(), request, response);
  }
  grpc::Status GetList(const perch::v1::GetListRequest& request,
                       perch::v1::GetListResponse* response) override {
    auto context = NewContext();
    return read_->GetList(context.get(), request, response);
  }
  grpc::Status Obtain(const perch::v1::ObtainRequest& request,
                      perch::v1::ObtainResponse* response) override {
    auto context = NewContext();
    return token_->Obtain(context.get(), request, response);
  }
  grpc::Status Invalidate(const perch::v1::InvalidateRequest& request,
                          perch::v1::InvalidateResponse* response) override {
    auto context = NewContext();
    return token_->Invalidate(context.get(), request, response);
  }
  grpc::Status Check(const grpc::health::v1::HealthCheckRequest& request,
                     grpc::health::v1::HealthCheckResponse* response) override {
    auto context = NewContext();
    return health_->Check(context.get(), request, response);
  }

 private:
  std::unique_ptr<grpc::ClientContext> NewContext() const {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    if (!authorization_.empty()) {
      context->AddMetadata("authorization", authorization_);
    }
    return context;
  }

  std::shared_ptr<grpc::Channel> channel_;
  absl::Duration timeout_;
  // "Bearer <api key>", or "" to send none. A secret.
  std::string authorization_;
  std::unique_ptr<perch::v1::ReadService::Stub> read_;
  std::unique_ptr<perch::v1::TokenService::Stub> token_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

}  // namespace

std::unique_ptr<Connection> MakeGrpcConnection(
    absl::string_view server, absl::Duration timeout,
    const ChannelSecurity& security) {
  grpc::ChannelArguments arguments;
  arguments.SetUserAgentPrefix("perch-cli");
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (security.tls) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = security.pem_root_certs;
    options.pem_cert_chain = security.pem_cert_chain;
    options.pem_private_key = security.pem_private_key;
    credentials = grpc::SslCredentials(options);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  auto channel =
      grpc::CreateCustomChannel(std::string(server), credentials, arguments);
  std::string authorization =
      security.api_key.empty() ? "" : absl::StrCat("Bearer ", security.api_key);
  return std::make_unique<GrpcConnection>(std::move(channel), timeout,
                                          std::move(authorization));
}

}  // namespace perch::client
