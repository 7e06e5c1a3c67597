#include "client/grpc_connection.h"

#include <memory>
#include <string>
#include <utility>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/impl/client_unary_call.h"
#include "grpcpp/impl/rpc_method.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "perch/v1/read_service.grpc.pb.h"
#include "perch/v1/token_service.grpc.pb.h"

namespace perch::client {
namespace {

constexpr char kHealthCheckMethod[] = "/grpc.health.v1.Health/Check";

class GrpcConnection : public Connection {
 public:
  GrpcConnection(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout)
      : channel_(std::move(channel)),
        timeout_(timeout),
        read_(perch::v1::ReadService::NewStub(channel_)),
        token_(perch::v1::TokenService::NewStub(channel_)),
        health_check_(kHealthCheckMethod, grpc::internal::RpcMethod::NORMAL_RPC,
                      channel_) {}

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
    // What a generated stub would do; perch_api has messages only.
    return grpc::internal::BlockingUnaryCall<
        grpc::health::v1::HealthCheckRequest,
        grpc::health::v1::HealthCheckResponse, grpc::protobuf::MessageLite,
        grpc::protobuf::MessageLite>(channel_.get(), health_check_,
                                     context.get(), request, response);
  }

 private:
  std::unique_ptr<grpc::ClientContext> NewContext() const {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    return context;
  }

  std::shared_ptr<grpc::Channel> channel_;
  absl::Duration timeout_;
  std::unique_ptr<perch::v1::ReadService::Stub> read_;
  std::unique_ptr<perch::v1::TokenService::Stub> token_;
  grpc::internal::RpcMethod health_check_;
};

}  // namespace

std::unique_ptr<Connection> MakeGrpcConnection(absl::string_view server,
                                               absl::Duration timeout) {
  grpc::ChannelArguments arguments;
  arguments.SetUserAgentPrefix("perch-cli");
  auto channel = grpc::CreateCustomChannel(
      std::string(server), grpc::InsecureChannelCredentials(), arguments);
  return std::make_unique<GrpcConnection>(std::move(channel), timeout);
}

}  // namespace perch::client
