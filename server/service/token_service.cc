#include "server/service/token_service.h"

#include <utility>

#include "server/service/call_deadline.h"
#include "server/service/observed_call.h"
#include "server/service/raw_messages.h"

namespace perch::service {
namespace {

// Whether the answer needed no upstream request (a token already held).
bool FromCache(const v1::ObtainResponse& response) {
  return response.from_cache();
}
bool FromCache(const v1::InvalidateResponse&) { return false; }

// Admits, parses, runs `start` with the parsed request, audits the outcome
// with the token's fingerprint, and finishes; each call observed
// (observed_call.h).
template <typename Request, typename Response, typename Start>
grpc::ServerUnaryReactor* HandleTokenCall(grpc::CallbackServerContext* context,
                                          security::CallerGate& gate,
                                          CallObserver& observer,
                                          security::Method method,
                                          const grpc::ByteBuffer* request_bytes,
                                          grpc::ByteBuffer* response_bytes,
                                          Start start) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  ObservedCall call(*context, method, observer);
  const CallContext::Scope scope(call.context());
  absl::StatusOr<security::Caller> caller = gate.Admit(*context, method);
  if (!caller.ok()) {  // Audited by the gate.
    reactor->Finish(call.Finish(caller.status()));
    return reactor;
  }
  call.set_caller(caller->name);
  Request request;
  if (absl::Status parsed = ParseRequest(*request_bytes, &request);
      !parsed.ok()) {
    gate.RecordTokenCall(*caller, method, parsed, "");
    reactor->Finish(call.Finish(parsed));
    return reactor;
  }
  start([reactor, response_bytes, &gate, method, call = std::move(call),
         caller = *std::move(caller)](absl::StatusOr<Response> r) mutable {
    absl::Status status = r.status();
    if (status.ok()) status = SerializeResponse(*r, response_bytes);
    gate.RecordTokenCall(caller, method, status,
                         r.ok() ? r->token_fingerprint() : "");
    call.set_from_cache(r.ok() && FromCache(*r));
    reactor->Finish(call.Finish(status));
  });
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* TokenService::Obtain(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  const absl::Time deadline = CallDeadline(*context, max_call_time_);
  return HandleTokenCall<v1::ObtainRequest, v1::ObtainResponse>(
      context, gate_, observer_, security::Method::kObtain, request, response,
      [this, deadline](auto done) {
        operations_.Obtain(deadline, std::move(done));
      });
}

grpc::ServerUnaryReactor* TokenService::Invalidate(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  const absl::Time deadline = CallDeadline(*context, max_call_time_);
  return HandleTokenCall<v1::InvalidateRequest, v1::InvalidateResponse>(
      context, gate_, observer_, security::Method::kInvalidate, request,
      response, [this, deadline](auto done) {
        operations_.Invalidate(deadline, std::move(done));
      });
}

}  // namespace perch::service
