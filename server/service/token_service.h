// perch.v1.TokenService on gRPC's callback API: thin handlers that hand the
// call to core::TokenOperations and finish with the converted status.
#ifndef PERCH_SERVER_SERVICE_TOKEN_SERVICE_H_
#define PERCH_SERVER_SERVICE_TOKEN_SERVICE_H_

#include "absl/time/time.h"
#include "perch/v1/token_service.grpc.pb.h"
#include "server/core/token_operations.h"

namespace perch::service {

class TokenService final : public v1::TokenService::CallbackService {
 public:
  // `operations` must outlive the service. Calls without a deadline get
  // `max_call_time`, so no upstream request waits forever.
  TokenService(core::TokenOperations& operations, absl::Duration max_call_time)
      : operations_(operations), max_call_time_(max_call_time) {}

  grpc::ServerUnaryReactor* Obtain(grpc::CallbackServerContext* context,
                                   const v1::ObtainRequest* request,
                                   v1::ObtainResponse* response) override;
  grpc::ServerUnaryReactor* Invalidate(
      grpc::CallbackServerContext* context,
      const v1::InvalidateRequest* request,
      v1::InvalidateResponse* response) override;

 private:
  core::TokenOperations& operations_;
  const absl::Duration max_call_time_;
};

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_TOKEN_SERVICE_H_
