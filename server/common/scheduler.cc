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
  std::map<std::pair<absl::Time, TimerId>, Callback> left;
  {
    MutexLock lock(&mu_);
    left.swap(due_);
    when_.clear();
  }
  for (auto& [when, callback] : left) std::move(callback)(true);
}

Scheduler::TimerId ThreadScheduler::RunAfter(absl::Duration delay,
                                             Callback callback) {
  TimerId id;
  {
    MutexLock lock(&mu_);
    id = ++next_id_;
    if (!stopping_) {
      const absl::Time due = absl::Now() + delay;
      due_.emplace(std::make_pair(due, id), std::move(callback));
      when_.emplace(id, due);
      return id;
    }
  }
  std::move(callback)(true);
  return id;
}

bool ThreadScheduler::Cancel(TimerId id) {
  Callback dropped;  // destroyed after the lock is released
  MutexLock lock(&mu_);
  auto when = when_.find(id);
  if (when == when_.end()) return false;
  auto entry = due_.find(std::make_pair(when->second, id));
  dropped = std::move(entry->second);
  due_.erase(entry);
  when_.erase(when);
  return true;
}

void ThreadScheduler::Loop() {
  MutexLock lock(&mu_);
  while (!stopping_) {
    const absl::Time now = absl::Now();
    if (!due_.empty() && due_.begin()->first.first <= now) {
      Callback callback = std::move(due_.begin()->second);
      when_.erase(due_.begin()->first.second);
      due_.erase(due_.begin());
      mu_.Unlock();
      std::move(callback)(false);
      mu_.Lock();
      continue;
    }
    const absl::Time wake =
        due_.empty() ? now + absl::Seconds(1) : due_.begin()->first.first;
    // Wakes early when a sooner callback or stop arrives.
    const absl::Time first_due =
        due_.empty() ? absl::InfiniteFuture() : due_.begin()->first.first;
    auto changed = [this, first_due]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_ ||
             (!due_.empty() && due_.begin()->first.first < first_due);
    };
    mu_.AwaitWithDeadline(changed, wake);
  }
}

}  // namespace perch
