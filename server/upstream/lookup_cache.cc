#include "server/upstream/lookup_cache.h"

#include <utility>

#include "server/common/call_context.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/upstream/flight_waiter.h"

namespace perch::upstream {

LookupCache::LookupCache(const Clock& clock, Scheduler& scheduler,
                         absl::Duration ttl, size_t capacity,
                         std::optional<metrics::CacheMetrics> metrics)
    : clock_(clock),
      cache_(clock, ttl, capacity, metrics),
      flights_(
          mu_, clock, scheduler,
          MakeError(absl::StatusCode::kDeadlineExceeded,
                    "the deadline passed while waiting for a lookup",
                    reasons::kDeadlineExceeded, kPerchDomain),
          [this](const std::string& key, const absl::StatusOr<std::string>& id,
                 absl::Time deadline) {
            return SettleLocked(key, id, deadline);
          }) {}

std::shared_ptr<ReadHandle> LookupCache::Find(std::string key,
                                              absl::Time deadline,
                                              Lookup lookup, Done done) {
  std::optional<std::string> id;
  {
    MutexLock lock(&mu_);
    id = cache_.Get(key);
    if (!id.has_value()) {
      // Whoever's lookup answers, and whichever call is current then (the
      // starter's: the reader runs its callback in it), this caller's next
      // request goes out in its own call: its traceparent, its count.
      Done answer = [call = CallContext::Current(), done = std::move(done)](
                        absl::StatusOr<std::string> result) mutable {
        const CallContext::Scope scope(std::move(call));
        std::move(done)(std::move(result));
      };
      Flights::Ticket ticket = flights_.Join(
          std::move(key), deadline, std::move(lookup), std::move(answer));
      return std::make_shared<FlightWaiter<Flights>>(flights_,
                                                     std::move(ticket));
    }
  }
  std::move(done)(*std::move(id));
  return nullptr;
}

LookupCache::Flights::Verdict LookupCache::SettleLocked(
    const std::string& key, const absl::StatusOr<std::string>& id,
    absl::Time deadline) {
  if (id.ok()) cache_.Put(key, *id);
  return Flights::RelaunchIfOutOfTime(id, clock_.Now(), deadline);
}

}  // namespace perch::upstream
