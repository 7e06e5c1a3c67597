#include "server/service/observed_call.h"

#include <utility>

#include "absl/random/random.h"
#include "absl/time/clock.h"
#include "server/common/errors.h"
#include "server/service/grpc_status.h"

namespace perch::service {
namespace {

// The caller's traceparent if it sent exactly one; "" otherwise.
absl::string_view Traceparent(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto [first, last] = metadata.equal_range("traceparent");
  if (first == last || std::next(first) != last) return {};
  return absl::string_view(first->second.data(), first->second.size());
}

TraceContext StartTrace(absl::string_view traceparent) {
  // Per thread, so handlers never contend for it; seeded by Abseil from
  // the OS.
  thread_local absl::BitGen random;
  return ContinueOrStartTrace(traceparent, random);
}

}  // namespace

ObservedCall::ObservedCall(const grpc::ServerContextBase& context,
                           security::Method method, CallObserver& observer)
    : context_(std::make_shared<CallContext>(StartTrace(Traceparent(context)))),
      observer_(&observer),
      start_(absl::Now()) {
  record_.method = method;
  record_.peer = context.peer();
  record_.trace_id = context_->trace().trace_id;
  record_.span_id = context_->trace().span_id;
  observer_->OnCallStart(method);
}

grpc::Status ObservedCall::Finish(const absl::Status& status) {
  const absl::Status visible =
      CallerVisibleStatus(status, context_->trace().trace_id);
  record_.code = visible.code();
  record_.reason = visible.ok() ? "" : ErrorReason(visible);
  record_.duration = absl::Now() - start_;
  record_.upstream_requests = context_->upstream_requests();
  record_.coalesced = context_->coalesced();
  record_.from_cache = record_.from_cache || context_->from_cache();
  observer_->OnCallDone(record_);
  return ToGrpcStatus(visible);
}

}  // namespace perch::service
