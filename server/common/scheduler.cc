#include "server/common/scheduler.h"

#include "absl/time/clock.h"

namespace perch {

ThreadScheduler::ThreadScheduler() : thread_([this] { Loop(); }) {}

ThreadScheduler::~ThreadScheduler() { Stop(); }

void ThreadScheduler::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  std::multimap<absl::Time, Callback> left;
  {
    MutexLock lock(&mu_);
    left.swap(due_);
  }
  for (auto& [when, callback] : left) std::move(callback)(true);
}

void ThreadScheduler::RunAfter(absl::Duration delay, Callback callback) {
  {
    MutexLock lock(&mu_);
    if (!stopping_) {
      due_.emplace(absl::Now() + delay, std::move(callback));
      return;
    }
  }
  std::move(callback)(true);
}

void ThreadScheduler::Loop() {
  MutexLock lock(&mu_);
  while (!stopping_) {
    const absl::Time now = absl::Now();
    if (!due_.empty() && due_.begin()->first <= now) {
      Callback callback = std::move(due_.begin()->second);
      due_.erase(due_.begin());
      mu_.Unlock();
      std::move(callback)(false);
      mu_.Lock();
      continue;
    }
    const absl::Time wake =
        due_.empty() ? now + absl::Seconds(1) : due_.begin()->first;
    // Wakes early when a sooner callback or stop arrives.
    const absl::Time first_due =
        due_.empty() ? absl::InfiniteFuture() : due_.begin()->first;
    auto changed = [this, first_due]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_ || (!due_.empty() && due_.begin()->first < first_due);
    };
    mu_.AwaitWithDeadline(changed, wake);
  }
}

}  // namespace perch
