// Observed<T>: a value that peer threads update and a test thread waits on,
// with a deadline, until it satisfies a condition. The tests' scripted peers
// keep what they saw (connections, bytes, resets) in one.
#ifndef PERCH_TESTS_TESTING_OBSERVED_H_
#define PERCH_TESTS_TESTING_OBSERVED_H_

#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "server/common/mutex.h"

namespace perch::testing {

// Thread-safe.
template <typename T>
class Observed {
 public:
  // Applies `change` under the lock; waiters re-check their conditions.
  void Update(const std::function<void(T&)>& change) {
    MutexLock lock(&mu_);
    change(value_);
  }

  T Get() const {
    MutexLock lock(&mu_);
    return value_;
  }

  // True as soon as `condition` holds, false if it still does not after
  // `timeout`.
  bool WaitFor(const std::function<bool(const T&)>& condition,
               absl::Duration timeout) const {
    MutexLock lock(&mu_);
    auto holds = [this, &condition]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return condition(value_);
    };
    return mu_.AwaitWithTimeout(holds, timeout);
  }

 private:
  mutable Mutex mu_;
  T value_ ABSL_GUARDED_BY(mu_){};
};

}  // namespace perch::testing

#endif  // PERCH_TESTS_TESTING_OBSERVED_H_
