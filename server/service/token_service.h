// perch.v1.TokenService on gRPC's callback API: thin handlers that admit the
// caller (security::CallerGate: admin role), hand the call to
// core::TokenOperations, audit it, and finish with the converted status,
// telling the CallObserver what the call did.
// Requests arrive as bytes (raw_messages.h) so that unparsable ones get
// INVALID_ARGUMENT rather than gRPC's detail-less UNIMPLEMENTED.
#ifndef PERCH_SERVER_SERVICE_TOKEN_SERVICE_H_
#define PERCH_SERVER_SERVICE_TOKEN_SERVICE_H_

#include "perch/v1/token_service.grpc.pb.h"
#include "server/core/token_operations.h"
#include "server/service/unary_handler.h"

namespace perch::service {

using TokenServiceBase = v1::TokenService::WithRawCallbackMethod_Obtain<
    v1::TokenService::WithRawCallbackMethod_Invalidate<
        v1::TokenService::Service>>;

class TokenService final
    : public UnaryService<TokenServiceBase, core::TokenOperations> {
 public:
  Reactor* Obtain(Context* context, const Bytes* in, Bytes* out) override;
  Reactor* Invalidate(Context* context, const Bytes* in, Bytes* out) override;

  // (unary_handler.h) `operations`, `gate` and `observer` must outlive the
  // service.
  using UnaryService::UnaryService;
};

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_TOKEN_SERVICE_H_
