// perch::Mutex: the lock of the layers below gRPC (common, http, auth,
// upstream, core, security) and of their tests' peers. It is std::mutex
// with Abseil's thread-safety annotations and the part of absl::Mutex's
// interface perch uses, Await on a condition included.
//
// Why not absl::Mutex: Debian's libabsl is built without ThreadSanitizer, so
// the futex calls and atomics inside absl::Mutex are invisible to a TSan
// build (PERCH_SANITIZE=thread), which then sees no synchronisation at all
// and reports every access the mutex guards as a race. std::mutex and
// std::condition_variable go through pthread, whose calls TSan intercepts
// from any library, so it sees exactly the happens-before edges there are;
// and clang's -Wthread-safety still checks every ABSL_GUARDED_BY.
#ifndef PERCH_SERVER_COMMON_MUTEX_H_
#define PERCH_SERVER_COMMON_MUTEX_H_

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace perch {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    // Like absl::Mutex, a release re-checks the conditions of Await*ers:
    // whatever changed under the lock may be what they wait for.
    const bool wake = waiters_ > 0;
    mu_.unlock();
    if (wake) changed_.notify_all();
  }

  // Blocks, the lock released meanwhile, until `condition()` (evaluated with
  // the lock held) is true.
  template <typename Condition>
  void Await(const Condition& condition) ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    Wait([&](std::unique_lock<std::mutex>& lock) {
      changed_.wait(lock, condition);
      return true;
    });
  }
  // Await until `deadline` at the latest; returns `condition()`'s value.
  template <typename Condition>
  bool AwaitWithDeadline(const Condition& condition, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    return AwaitWithTimeout(condition, deadline - absl::Now());
  }
  // Await for `timeout` at most; returns `condition()`'s value.
  template <typename Condition>
  bool AwaitWithTimeout(const Condition& condition, absl::Duration timeout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    if (timeout == absl::InfiniteDuration()) {
      Await(condition);
      return true;
    }
    // Measured on the steady clock: a wall-clock step must not cut a wait
    // short or stretch it.
    const auto until =
        std::chrono::steady_clock::now() +
        absl::ToChronoNanoseconds(std::max(timeout, absl::ZeroDuration()));
    return Wait([&](std::unique_lock<std::mutex>& lock) {
      return changed_.wait_until(lock, until, condition);
    });
  }

 private:
  // Runs `wait` on the held std::mutex, counted as a waiter so Unlock()
  // wakes it.
  template <typename WaitFn>
  bool Wait(const WaitFn& wait) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
    // Releasing the lock to wait is a release too: what the caller changed
    // under it may be what another waiter waits for.
    if (waiters_ > 0) changed_.notify_all();
    ++waiters_;
    const bool result = wait(lock);
    --waiters_;
    lock.release();  // still held: the caller's MutexLock unlocks it
    return result;
  }

  std::mutex mu_;
  std::condition_variable changed_;
  int waiters_ = 0;  // guarded by mu_
};

// Holds `*mu` for the scope (absl::MutexLock's shape, so call sites read
// the same).
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->Lock();
  }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_MUTEX_H_
