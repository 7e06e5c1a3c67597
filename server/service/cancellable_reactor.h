// A unary reactor that forwards an RPC's cancellation to the work it started
// (a cancelled read aborts its upstream requests) and keeps what that work
// reads alive until the call is done. gRPC deletes nothing of ours: the
// reactor deletes itself in OnDone.
#ifndef PERCH_SERVER_SERVICE_CANCELLABLE_REACTOR_H_
#define PERCH_SERVER_SERVICE_CANCELLABLE_REACTOR_H_

#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/server_callback.h"
#include "server/upstream/read_handle.h"

namespace perch::service {

// Thread-safe: OnCancel may race SetHandle.
class CancellableReactor final : public grpc::ServerUnaryReactor {
 public:
  using Handle = std::shared_ptr<upstream::ReadHandle>;

  // Called once the work has started (it may already have finished).
  void SetHandle(Handle handle) {
    bool cancel_now;
    {
      absl::MutexLock lock(&mu_);
      handle_ = std::move(handle);
      cancel_now = cancelled_ && handle_ != nullptr;
    }
    if (cancel_now) handle_->Cancel();
  }

  void OnCancel() override {
    Handle handle;
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
  Handle handle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_CANCELLABLE_REACTOR_H_
