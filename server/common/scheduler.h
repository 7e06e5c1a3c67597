// Runs callbacks later without blocking anyone: retry backoff waits here
// instead of sleeping on a thread. Tests use a ManualScheduler
// (server/common/testing/manual_scheduler.h) and decide when "later" is.
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

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_SCHEDULER_H_
