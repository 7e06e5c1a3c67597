// perch.v1.TokenService on gRPC's callback API: thin handlers that admit the
// caller (security::CallerGate: admin role), hand the call to
// core::TokenOperations, audit it, and finish with the converted status,
// telling the CallObserver what the call did.
// Requests arrive as bytes (raw_messages.h) so that unparsable ones get
// INVALID_ARGUMENT rather than gRPC's detail-less UNIMPLEMENTED.
#ifndef PERCH_SERVER_SERVICE_TOKEN_SERVICE_H_
#define PERCH_SERVER_SERVICE_TOKEN_SERVICE_H_

#include "absl/time/time.h"
#include "perch/v1/token_service.grpc.pb.h"
#include "server/core/token_operations.h"
#include "server/security/caller_gate.h"
#include "server/service/call_observer.h"

namespace perch::service {

using TokenServiceBase = v1::TokenService::WithRawCallbackMethod_Obtain<
    v1::TokenService::WithRawCallbackMethod_Invalidate<
        v1::TokenService::Service>>;

class TokenService final : public TokenServiceBase {
 public:
  // `operations`, `gate` and `observer` must outlive the service. Calls
  // without a deadline get `max_call_time`, so no upstream request waits
  // forever.
  TokenService(core::TokenOperations& operations, absl::Duration max_call_time,
               security::CallerGate& gate, CallObserver& observer)
      : operations_(operations),
        max_call_time_(max_call_time),
        gate_(gate),
        observer_(observer) {}

  grpc::ServerUnaryReactor* Obtain(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Invalidate(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;

 private:
  core::TokenOperations& operations_;
  const absl::Duration max_call_time_;
  security::CallerGate& gate_;
  CallObserver& observer_;
};

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_TOKEN_SERVICE_H_
