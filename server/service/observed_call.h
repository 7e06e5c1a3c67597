// What every perch.v1 handler does around its own work so that a call can
// be followed and counted: continue the caller's W3C trace (the
// `traceparent` metadata) or start one, share the call's CallContext with
// the layers below, and when the call finishes tell the observer (access
// log, call metrics) what it did and put the trace id into the error the
// caller gets.
#ifndef PERCH_SERVER_SERVICE_OBSERVED_CALL_H_
#define PERCH_SERVER_SERVICE_OBSERVED_CALL_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "server/common/call_context.h"
#include "server/security/roles.h"
#include "server/service/call_observer.h"

namespace perch::service {

// One RPC from its handler's first line to its Finish. Movable, so the
// completion callback can own it; not thread-safe (one owner at a time).
class ObservedCall {
 public:
  // Reads the peer and the traceparent (exactly one, well-formed; anything
  // else starts a new trace, never an error) from `context` and tells
  // `observer` the call started; the call's duration counts from here.
  // `observer` must outlive the call.
  ObservedCall(const grpc::ServerContextBase& context, security::Method method,
               CallObserver& observer);

  // Make it current (CallContext::Scope) while the handler starts the work:
  // upstream requests then carry its traceparent and report to it.
  const std::shared_ptr<CallContext>& context() const { return context_; }

  void set_caller(std::string name) { record_.caller = std::move(name); }
  void set_page_size(int page_size) { record_.page_size = page_size; }
  // For answers the layers below mark in the response (a held token).
  void set_from_cache(bool from_cache) { record_.from_cache = from_cache; }

  // Reports the call to the observer and returns the status the caller gets
  // (ToGrpcStatus with the trace id). Call once.
  grpc::Status Finish(const absl::Status& status);

 private:
  std::shared_ptr<CallContext> context_;
  CallObserver* observer_;
  absl::Time start_;
  CallRecord record_;
};

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_OBSERVED_CALL_H_
