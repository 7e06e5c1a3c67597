#include "server/service/read_service.h"

#include <memory>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "server/service/call_deadline.h"
#include "server/service/observed_call.h"
#include "server/service/raw_messages.h"

namespace perch::service {
namespace {

// A unary reactor that forwards cancellation to the upstream work. gRPC
// deletes nothing of ours: the reactor deletes itself in OnDone.
class CancellableReactor final : public grpc::ServerUnaryReactor {
 public:
  // Called once the operation has started (it may already have finished).
  void SetHandle(core::ReadOperations::Handle handle) {
    bool cancel_now;
    {
      absl::MutexLock lock(&mu_);
      handle_ = std::move(handle);
      cancel_now = cancelled_ && handle_ != nullptr;
    }
    if (cancel_now) handle_->Cancel();
  }

  void OnCancel() override {
    core::ReadOperations::Handle handle;
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      handle = handle_;
    }
    if (handle) handle->Cancel();
  }

  // Holds `object` until the call is done.
  void KeepAlive(std::shared_ptr<const void> object) {
    kept_ = std::move(object);
  }

  void OnDone() override { delete this; }

 private:
  std::shared_ptr<const void> kept_;
  absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  core::ReadOperations::Handle handle_ ABSL_GUARDED_BY(mu_);
};

// The shape every handler shares: admit the caller, parse the request,
// start the operation, finish with its result, each call observed
// (observed_call.h). The request lives in the reactor until the call is
// done.
template <typename Request, typename Response, typename Start>
grpc::ServerUnaryReactor* Handle(
    grpc::CallbackServerContext* context, absl::Duration max_call_time,
    security::CallerGate& gate, CallObserver& observer, security::Method method,
    const grpc::ByteBuffer* request_bytes, grpc::ByteBuffer* response_bytes,
    Start start) {
  auto* reactor = new CancellableReactor();
  ObservedCall call(*context, method, observer);
  const CallContext::Scope scope(call.context());
  absl::StatusOr<security::Caller> caller = gate.Admit(*context, method);
  if (!caller.ok()) {
    reactor->Finish(call.Finish(caller.status()));
    return reactor;
  }
  call.set_caller(caller->name);
  auto request = std::make_shared<Request>();
  if (absl::Status parsed = ParseRequest(*request_bytes, request.get());
      !parsed.ok()) {
    reactor->Finish(call.Finish(parsed));
    return reactor;
  }
  call.set_page_size(request->page_size());
  reactor->KeepAlive(request);
  reactor->SetHandle(start(*request, CallDeadline(*context, max_call_time),
                           [reactor, response_bytes, call = std::move(call)](
                               absl::StatusOr<Response> r) mutable {
                             absl::Status status = r.status();
                             if (status.ok())
                               status = SerializeResponse(*r, response_bytes);
                             reactor->Finish(call.Finish(status));
                           }));
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* ReadService::GetTimeline(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::GetTimelineRequest, v1::GetTimelineResponse>(
      context, max_call_time_, gate_, observer_, security::Method::kGetTimeline,
      request, response, [this](auto&&... args) {
        return operations_.GetTimeline(std::forward<decltype(args)>(args)...);
      });
}

grpc::ServerUnaryReactor* ReadService::Search(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::SearchRequest, v1::SearchResponse>(
      context, max_call_time_, gate_, observer_, security::Method::kSearch,
      request, response, [this](auto&&... args) {
        return operations_.Search(std::forward<decltype(args)>(args)...);
      });
}

grpc::ServerUnaryReactor* ReadService::GetFollowers(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::GetFollowersRequest, v1::GetFollowersResponse>(
      context, max_call_time_, gate_, observer_,
      security::Method::kGetFollowers, request, response,
      [this](auto&&... args) {
        return operations_.GetFollowers(std::forward<decltype(args)>(args)...);
      });
}

grpc::ServerUnaryReactor* ReadService::GetList(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return Handle<v1::GetListRequest, v1::GetListResponse>(
      context, max_call_time_, gate_, observer_, security::Method::kGetList,
      request, response, [this](auto&&... args) {
        return operations_.GetList(std::forward<decltype(args)>(args)...);
      });
}

}  // namespace perch::service
