// A Scheduler that runs nothing until the test says so, so retry backoff and
// deadline timers are tested without a thread or a sleep. Test-side only;
// production code uses a ThreadScheduler (server/common/scheduler.h).
#ifndef PERCH_SERVER_COMMON_TESTING_MANUAL_SCHEDULER_H_
#define PERCH_SERVER_COMMON_TESTING_MANUAL_SCHEDULER_H_

#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "server/common/clock.h"
#include "server/common/mutex.h"
#include "server/common/scheduler.h"

namespace perch::testing {

// Runs nothing until told: RunAll() fires everything pending; with a clock,
// RunDue() fires what is due at the clock's time (deadline timers tested
// against a FakeClock).
class ManualScheduler final : public Scheduler {
 public:
  ManualScheduler() = default;
  explicit ManualScheduler(const Clock& clock) : clock_(&clock) {}

  TimerId RunAfter(absl::Duration delay, Callback callback) override {
    const absl::Time due =
        clock_ != nullptr ? clock_->Now() + delay : absl::InfiniteFuture();
    MutexLock lock(&mu_);
    delays_.push_back(delay);
    pending_.push_back(Pending{++next_id_, due, std::move(callback)});
    return next_id_;
  }
  bool Cancel(TimerId id) override {
    Callback dropped;
    MutexLock lock(&mu_);
    for (auto p = pending_.begin(); p != pending_.end(); ++p) {
      if (p->id != id) continue;
      dropped = std::move(p->callback);
      pending_.erase(p);
      ++cancelled_;
      return true;
    }
    return false;
  }
  // Runs every pending callback (as if its delay had passed).
  int RunAll() {
    return RunWhere([](absl::Time) { return true; });
  }
  // Runs the callbacks due at the clock's time. Requires the clock.
  int RunDue() {
    const absl::Time now = clock_->Now();
    return RunWhere([now](absl::Time due) { return due <= now; });
  }
  std::vector<absl::Duration> delays() const {
    MutexLock lock(&mu_);
    return delays_;
  }
  // Callbacks pending / dropped by Cancel so far.
  int pending() const {
    MutexLock lock(&mu_);
    return static_cast<int>(pending_.size());
  }
  int cancelled() const {
    MutexLock lock(&mu_);
    return cancelled_;
  }

 private:
  struct Pending {
    TimerId id;
    absl::Time due;
    Callback callback;
  };

  template <typename Predicate>
  int RunWhere(Predicate is_due) {
    std::vector<Callback> run;
    {
      MutexLock lock(&mu_);
      std::vector<Pending> later;
      for (Pending& p : pending_) {
        if (is_due(p.due)) {
          run.push_back(std::move(p.callback));
        } else {
          later.push_back(std::move(p));
        }
      }
      pending_.swap(later);
    }
    for (Callback& c : run) std::move(c)(false);
    return static_cast<int>(run.size());
  }

  const Clock* const clock_ = nullptr;
  mutable Mutex mu_;
  std::vector<absl::Duration> delays_ ABSL_GUARDED_BY(mu_);
  std::vector<Pending> pending_ ABSL_GUARDED_BY(mu_);
  TimerId next_id_ ABSL_GUARDED_BY(mu_) = 0;
  int cancelled_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace perch::testing

#endif  // PERCH_SERVER_COMMON_TESTING_MANUAL_SCHEDULER_H_
