#include "server/service/token_service.h"

#include <utility>

namespace perch::service {
namespace {

// Whether the answer needed no upstream request (a token already held).
bool FromCache(const v1::ObtainResponse& response) {
  return response.from_cache();
}
bool FromCache(const v1::InvalidateResponse&) { return false; }

// A token call is audited with the token's fingerprint, once the caller is
// admitted (a refused one is audited by the gate).
struct AuditHooks : NoHooks {
  void Unparsable(const security::Caller& caller, const absl::Status& status) {
    gate->RecordTokenCall(caller, method, status, "");
  }
  template <typename Response>
  void Finished(ObservedCall& call, const security::Caller& caller,
                const absl::StatusOr<Response>& result,
                const absl::Status& status) {
    gate->RecordTokenCall(caller, method, status,
                          result.ok() ? result->token_fingerprint() : "");
    call.set_from_cache(result.ok() && FromCache(*result));
  }
  security::CallerGate* gate;
  security::Method method;
};

}  // namespace

grpc::ServerUnaryReactor* TokenService::Obtain(Context* context,
                                               const Bytes* in, Bytes* out) {
  return HandleUnary<v1::ObtainRequest, v1::ObtainResponse>(
      context, env_, security::Method::kObtain, in, out,
      AuditHooks{{}, &env_.gate, security::Method::kObtain},
      [this](const v1::ObtainRequest&, absl::Time deadline, auto done) {
        operations_.Obtain(deadline, std::move(done));
      });
}

grpc::ServerUnaryReactor* TokenService::Invalidate(Context* context,
                                                   const Bytes* in,
                                                   Bytes* out) {
  return HandleUnary<v1::InvalidateRequest, v1::InvalidateResponse>(
      context, env_, security::Method::kInvalidate, in, out,
      AuditHooks{{}, &env_.gate, security::Method::kInvalidate},
      [this](const v1::InvalidateRequest&, absl::Time deadline, auto done) {
        operations_.Invalidate(deadline, std::move(done));
      });
}

}  // namespace perch::service
