// Runs callbacks later without blocking anyone: retry backoff waits here
// instead of sleeping on a thread. Tests use ManualScheduler and decide when
// "later" is.
#ifndef PERCH_SERVER_COMMON_SCHEDULER_H_
#define PERCH_SERVER_COMMON_SCHEDULER_H_

#include <cstdint>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "server/common/clock.h"
#include "server/common/mutex.h"

namespace perch {

// Thread-safe. Each callback runs exactly once: after `delay` with
// cancelled=false, or with cancelled=true if the scheduler is destroyed
// first, unless Cancel() drops it before. Callbacks must not block.
class Scheduler {
 public:
  using Callback = absl::AnyInvocable<void(bool cancelled) &&>;
  // Names one callback for Cancel(); never 0.
  using TimerId = uint64_t;
  virtual ~Scheduler() = default;
  virtual TimerId RunAfter(absl::Duration delay, Callback callback) = 0;
  // Drops a callback that has not started: it never runs, and is destroyed
  // before Cancel returns (outside the scheduler's lock). False if it has
  // run or started already. Lets a deadline timer go as soon as what it
  // guards is done, instead of waking up for nothing.
  virtual bool Cancel(TimerId id) = 0;
};

// One thread sleeping until the earliest due callback.
class ThreadScheduler final : public Scheduler {
 public:
  ThreadScheduler();
  ~ThreadScheduler() override;
  TimerId RunAfter(absl::Duration delay, Callback callback) override;
  bool Cancel(TimerId id) override;

  // Joins the thread and cancels what is pending; from then on RunAfter
  // cancels at once (inline). Lets an owner stop timers before tearing down
  // what their callbacks reach. Idempotent.
  void Stop();

 private:
  void Loop();

  Mutex mu_;
  // Due time first, so begin() is the next callback; the id breaks ties
  // (in submission order) and finds an entry again for Cancel.
  std::map<std::pair<absl::Time, TimerId>, Callback> due_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<TimerId, absl::Time> when_ ABSL_GUARDED_BY(mu_);
  TimerId next_id_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

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
  int RunAll() { return RunWhere([](absl::Time) { return true; }); }
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

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_SCHEDULER_H_
