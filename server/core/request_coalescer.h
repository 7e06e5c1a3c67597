// Identical reads in flight at the same time share one upstream request and
// one parsed result; with a TTL, repeats are answered from memory. Keyed by
// the caller's request, so only truly identical requests meet. Knows nothing
// of HTTP or JSON: `start` does the upstream work and mapping.
#ifndef PERCH_SERVER_CORE_REQUEST_COALESCER_H_
#define PERCH_SERVER_CORE_REQUEST_COALESCER_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/common/call_context.h"
#include "server/common/clock.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/common/mutex.h"
#include "server/common/scheduler.h"
#include "server/upstream/upstream_reader.h"

namespace perch::core {

struct CoalescerOptions {
  // Zero: no response cache (coalescing of concurrent calls only).
  absl::Duration cache_ttl = absl::ZeroDuration();
  // Bound on cached responses; the oldest go first.
  size_t max_cached = 10000;
};

// Thread-safe. `Response` is a perch.v1 read response (it has from_cache).
//
// A flight carries the deadline of the caller that started it. If it fails
// for lack of that caller's time (DEADLINE_EXCEEDED, or UNAVAILABLE after
// the retries that fitted), callers with a later deadline get a new flight
// rather than someone else's failure. Every caller is answered by its own
// deadline at the latest, whatever deadline the flight works to: a timer
// per caller answers DEADLINE_EXCEEDED when it passes (as the token holder,
// server/auth/caching_token_source.h, does for its waiters). A cancelled or
// timed-out caller leaves the flight; the upstream request is cancelled only
// when no caller is left.
//
// The caller's CallContext (call_context.h), if one is current, learns how
// it was served: from the cache, or by joining a flight. The upstream work
// of a flight runs in the context of the caller that started it.
template <typename Response>
class RequestCoalescer {
 public:
  // A caller's answer, and the flight's: one completion type, as everywhere
  // on the read path (ReadOperations::Done).
  using Done = absl::AnyInvocable<void(absl::StatusOr<Response>) &&>;
  // Starts the upstream work; calls `done` exactly once.
  using Start = std::function<std::shared_ptr<upstream::ReadHandle>(
      absl::Time deadline, Done done)>;

  // `scheduler` runs the callers' deadline timers; it must be stopped or
  // destroyed before this object is (its callbacks reach it).
  RequestCoalescer(const Clock& clock, Scheduler& scheduler,
                   CoalescerOptions options)
      : clock_(clock), scheduler_(scheduler), options_(options) {}

  // Answers `done` exactly once (inline from the cache); returns a handle
  // that withdraws this caller, or nullptr if it was answered already.
  std::shared_ptr<upstream::ReadHandle> Run(std::string key,
                                            absl::Time deadline, Start start,
                                            Done done) {
    MutexLock lock(&mu_);
    if (auto hit = cache_.find(key); hit != cache_.end()) {
      if (hit->second.expires > clock_.Now()) {
        if (const auto& call = CallContext::Current()) call->MarkFromCache();
        Response copy = hit->second.response;
        copy.set_from_cache(true);
        mu_.Unlock();
        std::move(done)(std::move(copy));
        mu_.Lock();
        return nullptr;
      }
      EraseCachedLocked(hit);
    }
    const uint64_t id = ++next_waiter_id_;
    auto handle = std::make_shared<WaiterHandle>(this, key, id);
    Scheduler::TimerId timer = 0;
    if (deadline != absl::InfiniteFuture()) {
      // Cancelled in Answer when the waiter is answered first. (The
      // scheduler never calls back inline but to cancel, which takes no lock
      // here.)
      timer = scheduler_.RunAfter(
          deadline - clock_.Now(), [this, key, id](bool cancelled) {
            if (cancelled) return;
            Withdraw(key, id,
                     MakeError(absl::StatusCode::kDeadlineExceeded,
                               "the deadline passed while waiting for the "
                               "upstream",
                               reasons::kDeadlineExceeded, kPerchDomain));
          });
    }
    auto [it, inserted] = flights_.try_emplace(key);
    it->second.waiters.push_back(Waiter{id, deadline, std::move(done), timer});
    if (inserted) {
      ++upstream_calls_;
      it->second.start = std::move(start);
      LaunchLocked(key, it->second, deadline);
    } else if (const auto& call = CallContext::Current()) {
      call->MarkCoalesced();
    }
    return handle;
  }

  // Upstream calls started so far (for tests and stats).
  int64_t upstream_calls() const {
    MutexLock lock(&mu_);
    return upstream_calls_;
  }

  // Callers waiting on a flight now, its starters included (for tests and
  // stats): how a test knows every caller has joined before the upstream
  // answers.
  int64_t waiting() const {
    MutexLock lock(&mu_);
    int64_t n = 0;
    for (const auto& [key, flight] : flights_) n += flight.waiters.size();
    return n;
  }

 private:
  struct Waiter {
    uint64_t id;
    absl::Time deadline;
    Done done;
    Scheduler::TimerId timer;  // its deadline's; 0: none (no deadline)
  };
  struct Flight {
    Start start;
    std::vector<Waiter> waiters;
    std::shared_ptr<upstream::ReadHandle> upstream;
    // The deadline the current launch works to.
    absl::Time deadline;
    // Which launch is current; unique across flights, so a late answer from
    // an abandoned launch never lands in a newer flight for the same key.
    uint64_t generation = 0;
  };
  struct Cached {
    Response response;
    absl::Time expires;
    typename std::list<std::string>::iterator order;
  };

  class WaiterHandle final : public upstream::ReadHandle {
   public:
    WaiterHandle(RequestCoalescer* owner, std::string key, uint64_t id)
        : owner_(owner), key_(std::move(key)), id_(id) {}
    void Cancel() override {
      owner_->Withdraw(
          key_, id_,
          MakeError(absl::StatusCode::kCancelled, "the call was cancelled",
                    reasons::kCancelled, kPerchDomain));
    }

   private:
    RequestCoalescer* const owner_;
    const std::string key_;
    const uint64_t id_;
  };

  // Starts `flight`'s upstream work; mu_ is released around the call since
  // `start` may finish inline.
  void LaunchLocked(const std::string& key, Flight& flight, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const uint64_t generation = ++next_generation_;
    flight.generation = generation;
    flight.deadline = deadline;
    Start start = flight.start;
    mu_.Unlock();
    auto upstream = start(
        deadline, [this, key, generation](absl::StatusOr<Response> result) {
          OnFinished(key, generation, std::move(result));
        });
    mu_.Lock();
    auto it = flights_.find(key);
    if (it != flights_.end() && it->second.generation == generation) {
      it->second.upstream = std::move(upstream);
    } else if (upstream != nullptr) {
      // Every caller withdrew while this launch was starting.
      mu_.Unlock();
      upstream->Cancel();
      mu_.Lock();
    }
  }

  void OnFinished(const std::string& key, uint64_t generation,
                  absl::StatusOr<Response> result) {
    std::vector<Waiter> answered;
    {
      MutexLock lock(&mu_);
      auto it = flights_.find(key);
      if (it == flights_.end() || it->second.generation != generation) return;
      Flight& flight = it->second;
      const absl::StatusCode code = result.status().code();
      if (code == absl::StatusCode::kDeadlineExceeded ||
          code == absl::StatusCode::kUnavailable) {
        // Only callers with more time than this launch had can do better.
        const absl::Time bar = std::max(clock_.Now(), flight.deadline);
        std::vector<Waiter> remaining;
        for (Waiter& w : flight.waiters) {
          (w.deadline > bar ? remaining : answered).push_back(std::move(w));
        }
        flight.waiters = std::move(remaining);
      } else {
        answered = std::move(flight.waiters);
        flight.waiters.clear();
      }
      if (flight.waiters.empty()) {
        flights_.erase(it);
      } else {
        absl::Time latest = flight.waiters.front().deadline;
        for (const Waiter& w : flight.waiters) {
          latest = std::max(latest, w.deadline);
        }
        ++upstream_calls_;
        LaunchLocked(key, flight, latest);
      }
      if (result.ok() && options_.cache_ttl > absl::ZeroDuration()) {
        CacheLocked(key, *result);
      }
    }
    // Each waiter owns its answer; the last one takes the original, so the
    // common single caller costs no copy of the response.
    for (size_t i = 0; i < answered.size(); ++i) {
      if (answered[i].timer != 0) scheduler_.Cancel(answered[i].timer);
      if (i + 1 < answered.size()) {
        std::move(answered[i].done)(result);
      } else {
        std::move(answered[i].done)(std::move(result));
      }
    }
  }

  // Answers waiter `id` with `why` if it is still waiting; the flight's
  // upstream work is cancelled if no waiter is left.
  void Withdraw(const std::string& key, uint64_t id, absl::Status why) {
    Done done;
    Scheduler::TimerId timer;
    std::shared_ptr<upstream::ReadHandle> orphaned;
    {
      MutexLock lock(&mu_);
      auto it = flights_.find(key);
      if (it == flights_.end()) return;
      auto& waiters = it->second.waiters;
      auto w = std::find_if(waiters.begin(), waiters.end(),
                            [id](const Waiter& x) { return x.id == id; });
      if (w == waiters.end()) return;
      done = std::move(w->done);
      timer = w->timer;
      waiters.erase(w);
      if (waiters.empty()) {
        orphaned = std::move(it->second.upstream);
        flights_.erase(it);
      }
    }
    // Nothing to drop when `why` is the timer's own.
    if (timer != 0) scheduler_.Cancel(timer);
    std::move(done)(std::move(why));
    if (orphaned) orphaned->Cancel();
  }

  void CacheLocked(const std::string& key, const Response& response)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (auto old = cache_.find(key); old != cache_.end()) {
      EraseCachedLocked(old);
    }
    while (!order_.empty() && cache_.size() >= options_.max_cached) {
      cache_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(key);
    cache_.emplace(key, Cached{response, clock_.Now() + options_.cache_ttl,
                               std::prev(order_.end())});
  }

  void EraseCachedLocked(
      typename absl::flat_hash_map<std::string, Cached>::iterator it)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    order_.erase(it->second.order);
    cache_.erase(it);
  }

  const Clock& clock_;
  Scheduler& scheduler_;
  const CoalescerOptions options_;
  mutable Mutex mu_;
  absl::flat_hash_map<std::string, Flight> flights_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Cached> cache_ ABSL_GUARDED_BY(mu_);
  std::list<std::string> order_ ABSL_GUARDED_BY(mu_);  // oldest cached first
  uint64_t next_waiter_id_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_generation_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t upstream_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace perch::core

#endif  // PERCH_SERVER_CORE_REQUEST_COALESCER_H_
