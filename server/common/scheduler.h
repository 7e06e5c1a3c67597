// Runs callbacks later without blocking anyone: retry backoff waits here
// instead of sleeping on a thread. Tests use ManualScheduler and decide when
// "later" is.
#ifndef PERCH_SERVER_COMMON_SCHEDULER_H_
#define PERCH_SERVER_COMMON_SCHEDULER_H_

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "server/common/mutex.h"

namespace perch {

// Thread-safe. Each callback runs exactly once: after `delay` with
// cancelled=false, or with cancelled=true if the scheduler is destroyed
// first. Callbacks must not block.
class Scheduler {
 public:
  using Callback = absl::AnyInvocable<void(bool cancelled) &&>;
  virtual ~Scheduler() = default;
  virtual void RunAfter(absl::Duration delay, Callback callback) = 0;
};

// One thread sleeping until the earliest due callback.
class ThreadScheduler final : public Scheduler {
 public:
  ThreadScheduler();
  ~ThreadScheduler() override;
  void RunAfter(absl::Duration delay, Callback callback) override;

  // Joins the thread and cancels what is pending; from then on RunAfter
  // cancels at once (inline). Lets an owner stop timers before tearing down
  // what their callbacks reach. Idempotent.
  void Stop();

 private:
  void Loop();

  Mutex mu_;
  std::multimap<absl::Time, Callback> due_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// Runs nothing until told: RunDue() fires what is due at `now`.
class ManualScheduler final : public Scheduler {
 public:
  void RunAfter(absl::Duration delay, Callback callback) override {
    MutexLock lock(&mu_);
    delays_.push_back(delay);
    pending_.push_back(std::move(callback));
  }
  // Runs every pending callback (as if its delay had passed).
  int RunAll() {
    std::vector<Callback> run;
    {
      MutexLock lock(&mu_);
      run.swap(pending_);
    }
    for (Callback& c : run) std::move(c)(false);
    return static_cast<int>(run.size());
  }
  std::vector<absl::Duration> delays() const {
    MutexLock lock(&mu_);
    return delays_;
  }

 private:
  mutable Mutex mu_;
  std::vector<absl::Duration> delays_ ABSL_GUARDED_BY(mu_);
  std::vector<Callback> pending_ ABSL_GUARDED_BY(mu_);
};

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_SCHEDULER_H_
