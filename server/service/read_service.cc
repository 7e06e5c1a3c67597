#include "server/service/read_service.h"

#include <memory>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "server/service/call_deadline.h"
#include "server/service/grpc_status.h"

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

  void OnDone() override { delete this; }

 private:
  absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  core::ReadOperations::Handle handle_ ABSL_GUARDED_BY(mu_);
};

// The shape every handler shares: start the operation, finish with its
// result.
template <typename Request, typename Response, typename Start>
grpc::ServerUnaryReactor* Handle(grpc::CallbackServerContext* context,
                                 absl::Duration max_call_time,
                                 const Request* request, Response* response,
                                 Start start) {
  auto* reactor = new CancellableReactor();
  reactor->SetHandle(start(*request, CallDeadline(*context, max_call_time),
                           [reactor, response](absl::StatusOr<Response> r) {
                             if (r.ok()) *response = std::move(*r);
                             reactor->Finish(ToGrpcStatus(r.status()));
                           }));
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* ReadService::GetTimeline(
    grpc::CallbackServerContext* context, const v1::GetTimelineRequest* request,
    v1::GetTimelineResponse* response) {
  return Handle(context, max_call_time_, request, response,
                [this](auto&&... args) {
                  return operations_.GetTimeline(std::move(args)...);
                });
}

grpc::ServerUnaryReactor* ReadService::Search(
    grpc::CallbackServerContext* context, const v1::SearchRequest* request,
    v1::SearchResponse* response) {
  return Handle(context, max_call_time_, request, response,
                [this](auto&&... args) {
                  return operations_.Search(std::move(args)...);
                });
}

grpc::ServerUnaryReactor* ReadService::GetFollowers(
    grpc::CallbackServerContext* context,
    const v1::GetFollowersRequest* request,
    v1::GetFollowersResponse* response) {
  return Handle(context, max_call_time_, request, response,
                [this](auto&&... args) {
                  return operations_.GetFollowers(std::move(args)...);
                });
}

grpc::ServerUnaryReactor* ReadService::GetList(
    grpc::CallbackServerContext* context, const v1::GetListRequest* request,
    v1::GetListResponse* response) {
  return Handle(context, max_call_time_, request, response,
                [this](auto&&... args) {
                  return operations_.GetList(std::move(args)...);
                });
}

}  // namespace perch::service
