// The one shape of a perch.v1 handler on gRPC's callback API, shared by
// every RPC of ReadService and TokenService: observe the call
// (observed_call.h), admit the caller (security::CallerGate), parse the
// request from bytes (raw_messages.h), run the core operation to the call's
// deadline, and finish once with the converted status. What a service adds
// at those steps (the page size a read logs, the audit of a token call)
// comes in through its Hooks; the operations themselves live in core/.
#ifndef PERCH_SERVER_SERVICE_UNARY_HANDLER_H_
#define PERCH_SERVER_SERVICE_UNARY_HANDLER_H_

#include <memory>
#include <type_traits>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "server/common/call_context.h"
#include "server/security/caller_gate.h"
#include "server/service/call_deadline.h"
#include "server/service/call_observer.h"
#include "server/service/cancellable_reactor.h"
#include "server/service/observed_call.h"
#include "server/service/raw_messages.h"

namespace perch::service {

// What every handler of a service needs besides its operations.
struct HandlerEnv {
  // Calls without a deadline get this one, so no upstream request waits
  // forever.
  absl::Duration max_call_time;
  security::CallerGate& gate;
  CallObserver& observer;
};

// A service's additions at the handler's steps; this one adds nothing.
// A service passes its own struct with the same three members.
struct NoHooks {
  // The request parsed, before the operation runs.
  template <typename Request>
  void Parsed(ObservedCall&, const Request&) {}
  // The admitted caller's request could not be parsed.
  void Unparsable(const security::Caller&, const absl::Status&) {}
  // The operation answered `result`; `status` is what the caller gets (a
  // response that could not be serialized fails here).
  template <typename Response>
  void Finished(ObservedCall&, const security::Caller&,
                const absl::StatusOr<Response>&, const absl::Status&) {}
};

// Handles one call of `method`: `run(request, deadline, done)` starts the
// core operation and calls `done` exactly once; it returns the handle that
// aborts the work (a cancelled RPC uses it) or nothing. The request lives
// until the call is done.
template <typename Request, typename Response, typename Hooks, typename Run>
grpc::ServerUnaryReactor* HandleUnary(grpc::CallbackServerContext* context,
                                      const HandlerEnv& env,
                                      security::Method method,
                                      const grpc::ByteBuffer* request_bytes,
                                      grpc::ByteBuffer* response_bytes,
                                      Hooks hooks, Run run) {
  auto* reactor = new CancellableReactor();
  ObservedCall call(*context, method, env.observer);
  const CallContext::Scope scope(call.context());
  absl::StatusOr<security::Caller> caller = env.gate.Admit(*context, method);
  if (!caller.ok()) {  // Audited by the gate.
    reactor->Finish(call.Finish(caller.status()));
    return reactor;
  }
  call.set_caller(caller->name);
  auto request = std::make_shared<Request>();
  if (absl::Status parsed = ParseRequest(*request_bytes, request.get());
      !parsed.ok()) {
    hooks.Unparsable(*caller, parsed);
    reactor->Finish(call.Finish(parsed));
    return reactor;
  }
  hooks.Parsed(call, *request);
  reactor->KeepAlive(request);
  absl::AnyInvocable<void(absl::StatusOr<Response>) &&> done =
      [reactor, response_bytes, hooks, call = std::move(call),
       caller = *std::move(caller)](absl::StatusOr<Response> r) mutable {
        absl::Status status = r.status();
        if (status.ok()) status = SerializeResponse(*r, response_bytes);
        hooks.Finished(call, caller, r, status);
        reactor->Finish(call.Finish(status));
      };
  const absl::Time deadline = CallDeadline(*context, env.max_call_time);
  if constexpr (std::is_void_v<decltype(run(*request, deadline,
                                            std::move(done)))>) {
    run(*request, deadline, std::move(done));
  } else {
    reactor->SetHandle(run(*request, deadline, std::move(done)));
  }
  return reactor;
}

// A perch.v1 service on its generated callback base: the core operations
// its handlers run and what every handler needs. Each RPC is then one call
// of HandleUnary.
template <typename GrpcBase, typename Operations>
class UnaryService : public GrpcBase {
 public:
  // `operations`, `gate` and `observer` must outlive the service.
  UnaryService(Operations& operations, absl::Duration max_call_time,
               security::CallerGate& gate, CallObserver& observer)
      : operations_(operations), env_{max_call_time, gate, observer} {}

 protected:
  // The generated handlers' signature, short.
  using Context = grpc::CallbackServerContext;
  using Bytes = grpc::ByteBuffer;
  using Reactor = grpc::ServerUnaryReactor;

  Operations& operations_;
  const HandlerEnv env_;
};

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_UNARY_HANDLER_H_
