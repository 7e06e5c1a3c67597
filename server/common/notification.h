// perch::Notification: a one-shot event on perch::Mutex, with
// absl::Notification's interface, for the same reason as the mutex (see
// mutex.h): absl::Notification's synchronisation is invisible to a
// ThreadSanitizer build, which would report a race on everything it hands
// over from the notifying thread to the waiting one.
#ifndef PERCH_SERVER_COMMON_NOTIFICATION_H_
#define PERCH_SERVER_COMMON_NOTIFICATION_H_

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "server/common/mutex.h"

namespace perch {

// Thread-safe. Notify() must be called at most once.
class Notification {
 public:
  void Notify() {
    MutexLock lock(&mu_);
    notified_ = true;
  }
  bool HasBeenNotified() const {
    MutexLock lock(&mu_);
    return notified_;
  }
  void WaitForNotification() const {
    MutexLock lock(&mu_);
    mu_.Await([this]()
                  ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return notified_; });
  }
  // True if notified within `timeout`.
  bool WaitForNotificationWithTimeout(absl::Duration timeout) const {
    MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(
        [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return notified_; },
        timeout);
  }

 private:
  mutable Mutex mu_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_NOTIFICATION_H_
