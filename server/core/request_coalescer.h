// Identical reads in flight at the same time share one upstream request and
// one parsed result; with a TTL, repeats are answered from memory. Keyed by
// the caller's request, so only truly identical requests meet. Knows nothing
// of HTTP or JSON: `start` does the upstream work and mapping.
#ifndef PERCH_SERVER_CORE_REQUEST_COALESCER_H_
#define PERCH_SERVER_CORE_REQUEST_COALESCER_H_

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/common/call_context.h"
#include "server/common/clock.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/common/mutex.h"
#include "server/common/scheduler.h"
#include "server/common/single_flight.h"
#include "server/upstream/flight_waiter.h"
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
// per caller answers DEADLINE_EXCEEDED when it passes. A cancelled or
// timed-out caller leaves the flight; the upstream request is cancelled only
// when no caller is left. (The flights are server/common/single_flight.h's,
// as the token holder's are; this class adds the cache and what a result
// means.)
//
// The caller's CallContext (call_context.h), if one is current, learns how
// it was served: from the cache, or by joining a flight. The upstream work
// of a flight runs in the context of the caller that started it; launched
// again for the callers with more time, in none (single_flight.h). A
// caller's answer only finishes its RPC, which holds its own context.
template <typename Response>
class RequestCoalescer {
  using Flights = SingleFlight<Response, std::shared_ptr<upstream::ReadHandle>>;

 public:
  // A caller's answer, and the flight's: one completion type, as everywhere
  // on the read path (ReadOperations::Done).
  using Done = typename Flights::Done;
  // Starts the upstream work; calls `done` exactly once.
  using Start = typename Flights::Launch;

  // `scheduler` runs the callers' deadline timers; it must be stopped or
  // destroyed before this object is (its callbacks reach it).
  RequestCoalescer(const Clock& clock, Scheduler& scheduler,
                   CoalescerOptions options)
      : clock_(clock),
        options_(options),
        flights_(mu_, clock, scheduler,
                 MakeError(absl::StatusCode::kDeadlineExceeded,
                           "the deadline passed while waiting for the "
                           "upstream",
                           reasons::kDeadlineExceeded, kPerchDomain),
                 [this](const std::string& key,
                        const absl::StatusOr<Response>& result,
                        absl::Time deadline) {
                   return SettleLocked(key, result, deadline);
                 }) {}

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
    auto ticket = flights_.Join(std::move(key), deadline, std::move(start),
                                std::move(done));
    if (!ticket.started) {
      if (const auto& call = CallContext::Current()) call->MarkCoalesced();
    }
    return std::make_shared<upstream::FlightWaiter<Flights>>(flights_,
                                                             std::move(ticket));
  }

  // Upstream calls started so far (for tests and stats).
  int64_t upstream_calls() const {
    MutexLock lock(&mu_);
    return flights_.launches();
  }

  // Callers waiting on a flight now, its starters included (for tests and
  // stats): how a test knows every caller has joined before the upstream
  // answers.
  int64_t waiting() const {
    MutexLock lock(&mu_);
    return flights_.waiting();
  }

 private:
  struct Cached {
    Response response;
    absl::Time expires;
    typename std::list<std::string>::iterator order;
  };

  // A flight's upstream work answered: a response is cached; a failure for
  // lack of time (DEADLINE_EXCEEDED, or UNAVAILABLE after the retries that
  // fitted) is retried for the callers with more time than the work had.
  typename Flights::Verdict SettleLocked(const std::string& key,
                                         const absl::StatusOr<Response>& result,
                                         absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (result.ok() && options_.cache_ttl > absl::ZeroDuration()) {
      CacheLocked(key, *result);
    }
    return Flights::RelaunchIfOutOfTime(result, clock_.Now(), deadline);
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
  const CoalescerOptions options_;
  mutable Mutex mu_;
  // Guarded by mu_ (SingleFlight's contract).
  Flights flights_;
  absl::flat_hash_map<std::string, Cached> cache_ ABSL_GUARDED_BY(mu_);
  std::list<std::string> order_ ABSL_GUARDED_BY(mu_);  // oldest cached first
};

}  // namespace perch::core

#endif  // PERCH_SERVER_CORE_REQUEST_COALESCER_H_
