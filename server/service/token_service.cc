#include "server/service/token_service.h"

#include <utility>

#include "server/service/call_deadline.h"
#include "server/service/grpc_status.h"

namespace perch::service {

grpc::ServerUnaryReactor* TokenService::Obtain(
    grpc::CallbackServerContext* context, const v1::ObtainRequest*,
    v1::ObtainResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  operations_.Obtain(CallDeadline(*context, max_call_time_),
                     [reactor, response](absl::StatusOr<v1::ObtainResponse> r) {
                       if (r.ok()) *response = std::move(*r);
                       reactor->Finish(ToGrpcStatus(r.status()));
                     });
  return reactor;
}

grpc::ServerUnaryReactor* TokenService::Invalidate(
    grpc::CallbackServerContext* context, const v1::InvalidateRequest*,
    v1::InvalidateResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  operations_.Invalidate(
      CallDeadline(*context, max_call_time_),
      [reactor, response](absl::StatusOr<v1::InvalidateResponse> r) {
        if (r.ok()) *response = std::move(*r);
        reactor->Finish(ToGrpcStatus(r.status()));
      });
  return reactor;
}

}  // namespace perch::service
