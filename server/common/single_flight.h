// Single flight: callers that ask for the same thing at the same time share
// one piece of work (a flight) instead of each starting its own, and each is
// answered exactly once, by its own deadline at the latest. This file owns
// the waiters, their deadline timers, withdrawal and relaunching; what the
// work is and what its result means belong to the owner (the token holder,
// auth/caching_token_source.h; the read coalescer, core/request_coalescer.h;
// the v2 name lookups, upstream/lookup_cache.h).
#ifndef PERCH_SERVER_COMMON_SINGLE_FLIGHT_H_
#define PERCH_SERVER_COMMON_SINGLE_FLIGHT_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/common/call_context.h"
#include "server/common/clock.h"
#include "server/common/mutex.h"
#include "server/common/scheduler.h"

namespace perch {

// Flights are keyed by string. A flight's work is started by the Launch of
// the caller that opened it, to that caller's deadline, in the call
// (call_context.h) current then; launched again, in no call.
//
// Every waiter is answered exactly once: with the flight's result (or what
// Settle puts in its place), with Withdraw's status, or with `expired` when
// its own deadline passes (a timer per waiter), whatever deadline the work
// runs to. When the work answers, the owner's Settle may keep the waiters
// with more time than the work had: the work is launched again for them, to
// the latest of their deadlines (or they get Settle's substitute answer).
// When the last waiter leaves, work that can be aborted (its Launch returned
// a non-null Handle) is aborted and the flight forgotten; work that cannot
// goes on, later callers join it and its result is still settled.
//
// Locking: the flights are guarded by the owner's mutex `mu`, so that the
// owner's state (a cached answer, a backoff) changes in step with them.
// Methods that say "requires mu" are called with it held; the others take
// it. Launches, answers, aborts and timers' cancellations run with it
// released (Join releases it around a launch); Settle runs with it held.
//
// `Handle` is what a launch returns to abort its work: a pointer-like type
// whose pointee has Cancel(), or std::nullptr_t for work that cannot be
// aborted.
template <typename T, typename Handle = std::nullptr_t>
class SingleFlight {
 public:
  using Result = absl::StatusOr<T>;
  // A waiter's answer and a launch's completion: one type, one name.
  using Done = absl::AnyInvocable<void(Result) &&>;
  // Starts the work to `deadline`; calls `done` exactly once, possibly
  // inline. Copied to relaunch.
  using Launch = std::function<Handle(absl::Time deadline, Done done)>;

  // The owner's reading of a result.
  struct Verdict {
    // Waiters whose deadline is later than this had time the work did not
    // use: they are not given the result but a new launch (to the latest of
    // their deadlines). InfiniteFuture: every waiter takes the result.
    absl::Time relaunch_after = absl::InfiniteFuture();
    // If set, those waiters get this instead of a new launch.
    std::optional<Result> instead;
  };
  // The verdict of an owner that retries only for time: work that ran out of
  // the time it was launched with (DEADLINE_EXCEEDED, or UNAVAILABLE after
  // the retries that fitted) is launched again for the waiters with more;
  // any other result is every waiter's.
  static Verdict RelaunchIfOutOfTime(const Result& result, absl::Time now,
                                     absl::Time deadline) {
    const absl::StatusCode code = result.status().code();
    if (code == absl::StatusCode::kDeadlineExceeded ||
        code == absl::StatusCode::kUnavailable) {
      return {.relaunch_after = std::max(now, deadline),
              .instead = std::nullopt};
    }
    return {};
  }
  // Called with mu held when the current launch of flight `key` answers
  // (also when no waiter is left), before any waiter is answered: the owner
  // keeps what it needs of `result` and says who takes it. `deadline` is the
  // one the launch worked to. Must not call this object.
  using Settle = absl::AnyInvocable<Verdict(
      const std::string& key, const Result& result, absl::Time deadline)>;

 private:
  struct Waiter {
    uint64_t id;
    absl::Time deadline;
    Done done;
    Scheduler::TimerId timer;  // its deadline's; 0: none (no deadline)
  };

 public:
  // Names one waiter for Withdraw.
  struct Ticket {
    std::string key;
    uint64_t id = 0;
    bool started = false;  // this caller launched the flight
  };

  // Waiters taken off a flight under mu, answered once it is released.
  class Taken {
   public:
    Taken() = default;
    // Answers each taken waiter with `result`; aborts the superseded work.
    void Answer(const Result& result) && {
      for (Waiter& w : waiters_) {
        if (w.timer != 0) scheduler_->Cancel(w.timer);
        std::move(w.done)(result);
      }
      waiters_.clear();
      AbortWork(handle_);
    }

   private:
    friend class SingleFlight;
    Scheduler* scheduler_ = nullptr;
    std::vector<Waiter> waiters_;
    Handle handle_{};
  };

  // `mu` guards the flights (the owner's lock); `clock` and `scheduler`
  // (which runs the waiters' deadline timers) must outlive this object, and
  // the scheduler must be stopped or destroyed before it is (its callbacks
  // reach it). `expired` is what a waiter gets when its deadline passes.
  SingleFlight(Mutex& mu, const Clock& clock, Scheduler& scheduler,
               absl::Status expired, Settle settle)
      : mu_(mu),
        clock_(clock),
        scheduler_(scheduler),
        expired_(std::move(expired)),
        settle_(std::move(settle)) {}

  SingleFlight(const SingleFlight&) = delete;
  SingleFlight& operator=(const SingleFlight&) = delete;

  // Whether flight `key` exists (work in flight, with or without waiters).
  // Requires mu.
  bool InFlight(absl::string_view key) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return flights_.contains(key);
  }

  // Adds a waiter for `key` answered through `done`, and starts the flight
  // with `launch` if there is none. Requires mu, which is released around
  // the launch: the waiter may have been answered by the time this returns.
  Ticket Join(std::string key, absl::Time deadline, Launch launch, Done done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const uint64_t id = ++next_waiter_id_;
    Scheduler::TimerId timer = 0;
    if (deadline != absl::InfiniteFuture()) {
      // Cancelled when the waiter is answered first. (The scheduler never
      // calls back inline but to cancel, which takes no lock here.)
      timer = scheduler_.RunAfter(deadline - clock_.Now(),
                                  [this, key, id](bool cancelled) {
                                    if (!cancelled) {
                                      Withdraw(Ticket{key, id}, expired_);
                                    }
                                  });
    }
    auto [it, inserted] = flights_.try_emplace(key);
    it->second.waiters.push_back(Waiter{id, deadline, std::move(done), timer});
    if (inserted) {
      it->second.launch = std::move(launch);
      LaunchLocked(key, it->second, deadline);
    }
    return Ticket{std::move(key), id, inserted};
  }

  // Answers waiter `ticket` with `why` if it still waits. If it was the last
  // one, work that can be aborted is aborted.
  void Withdraw(const Ticket& ticket, absl::Status why)
      ABSL_LOCKS_EXCLUDED(mu_) {
    Done done;
    Scheduler::TimerId timer;
    Handle orphaned{};
    {
      MutexLock lock(&mu_);
      auto it = flights_.find(ticket.key);
      if (it == flights_.end()) return;
      Flight& flight = it->second;
      auto w = std::find_if(
          flight.waiters.begin(), flight.waiters.end(),
          [&ticket](const Waiter& x) { return x.id == ticket.id; });
      if (w == flight.waiters.end()) return;
      done = std::move(w->done);
      timer = w->timer;
      flight.waiters.erase(w);
      // While the launch is starting its handle is not known yet: the launch
      // aborts the work itself when it returns (LaunchLocked).
      if (flight.waiters.empty() && CanAbort(flight.handle)) {
        orphaned = std::move(flight.handle);
        flights_.erase(it);
      }
    }
    // Nothing to drop when `why` is the timer's own.
    if (timer != 0) scheduler_.Cancel(timer);
    std::move(done)(std::move(why));
    AbortWork(orphaned);
  }

  // Ends flight `key` now: its waiters are taken (answer them with
  // Taken::Answer once mu is released) and its work's answer, when it
  // comes, is discarded. Requires mu.
  Taken Supersede(absl::string_view key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Taken taken;
    taken.scheduler_ = &scheduler_;
    auto it = flights_.find(key);
    if (it == flights_.end()) return taken;
    taken.waiters_ = std::move(it->second.waiters);
    taken.handle_ = std::move(it->second.handle);
    flights_.erase(it);
    return taken;
  }

  // Launches so far, relaunches included. Requires mu.
  int64_t launches() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return launches_;
  }

  // Waiters now, over all flights. Requires mu.
  int64_t waiting() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    int64_t n = 0;
    for (const auto& [key, flight] : flights_) n += flight.waiters.size();
    return n;
  }

 private:
  struct Flight {
    Launch launch;
    std::vector<Waiter> waiters;
    // Aborts the current launch's work; null while it is starting, once it
    // has answered, or if it cannot be aborted.
    Handle handle{};
    // The deadline the current launch works to.
    absl::Time deadline;
    // Which launch is current; unique across flights, so a late answer from
    // an abandoned launch never lands in a newer flight for the same key.
    uint64_t generation = 0;
  };

  static bool CanAbort(const Handle& handle) {
    if constexpr (std::is_same_v<Handle, std::nullptr_t>) {
      return false;
    } else {
      return handle != nullptr;
    }
  }
  static void AbortWork(Handle& handle) {
    if constexpr (!std::is_same_v<Handle, std::nullptr_t>) {
      if (handle != nullptr) handle->Cancel();
    }
  }

  // Starts `flight`'s work to `deadline`; mu_ is released around the launch
  // since it may finish inline.
  void LaunchLocked(const std::string& key, Flight& flight, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const uint64_t generation = ++next_generation_;
    ++launches_;
    flight.generation = generation;
    flight.deadline = deadline;
    flight.handle = Handle{};
    Launch launch = flight.launch;  // the flight may go while mu_ is released
    mu_.Unlock();
    Handle handle = launch(deadline, [this, key, generation](Result result) {
      OnFinished(key, generation, std::move(result));
    });
    mu_.Lock();
    auto it = flights_.find(key);
    if (it != flights_.end() && it->second.generation == generation &&
        (!it->second.waiters.empty() || !CanAbort(handle))) {
      it->second.handle = std::move(handle);
      return;
    }
    if (it != flights_.end() && it->second.generation == generation) {
      flights_.erase(it);  // every waiter left while the launch was starting
    }
    if (CanAbort(handle)) {
      // Abandoned (or finished already, when aborting is a no-op).
      mu_.Unlock();
      AbortWork(handle);
      mu_.Lock();
    }
  }

  void OnFinished(const std::string& key, uint64_t generation, Result result) {
    std::vector<Waiter> answered;
    std::vector<Waiter> refused;
    std::optional<Result> instead;
    {
      MutexLock lock(&mu_);
      auto it = flights_.find(key);
      if (it == flights_.end() || it->second.generation != generation) return;
      Flight& flight = it->second;
      flight.handle = Handle{};  // the work is over
      Verdict verdict = settle_(key, result, flight.deadline);
      if (verdict.relaunch_after == absl::InfiniteFuture()) {
        answered = std::move(flight.waiters);
        flight.waiters.clear();
      } else {
        std::vector<Waiter> remaining;
        for (Waiter& w : flight.waiters) {
          (w.deadline > verdict.relaunch_after ? remaining : answered)
              .push_back(std::move(w));
        }
        if (verdict.instead.has_value()) {
          refused = std::move(remaining);
          instead = std::move(verdict.instead);
          remaining.clear();
        }
        flight.waiters = std::move(remaining);
      }
      if (flight.waiters.empty()) {
        flights_.erase(it);
      } else {
        absl::Time latest = flight.waiters.front().deadline;
        for (const Waiter& w : flight.waiters) {
          latest = std::max(latest, w.deadline);
        }
        // Sent again for the waiters with more time, so not in the call
        // current here (the reader runs an answer in the call that made the
        // request: the starter's, out of time): in none.
        const CallContext::Scope no_call(nullptr);
        LaunchLocked(key, flight, latest);
      }
    }
    if (!refused.empty()) Answer(refused, *std::move(instead));
    Answer(answered, std::move(result));
  }

  // Each waiter owns its answer; the last one takes the original, so the
  // common single caller costs no copy of it. Without mu_.
  void Answer(std::vector<Waiter>& waiters, Result result) {
    for (size_t i = 0; i < waiters.size(); ++i) {
      if (waiters[i].timer != 0) scheduler_.Cancel(waiters[i].timer);
      if (i + 1 < waiters.size()) {
        std::move(waiters[i].done)(result);
      } else {
        std::move(waiters[i].done)(std::move(result));
      }
    }
  }

  Mutex& mu_;
  const Clock& clock_;
  Scheduler& scheduler_;
  const absl::Status expired_;
  Settle settle_;
  absl::flat_hash_map<std::string, Flight> flights_ ABSL_GUARDED_BY(mu_);
  uint64_t next_waiter_id_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_generation_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t launches_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_SINGLE_FLIGHT_H_
