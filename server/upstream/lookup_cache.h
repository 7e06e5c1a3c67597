// The answers of the lookups a read makes before it can be sent (the v2
// dialect's screen name -> user id and owner/slug -> list id): kept for a
// while (ttl_cache.h), and a missing one asked once however many reads want
// it at the same time (common/single_flight.h), so a burst of reads for one
// name spends one request of the app's rate budget. What a lookup sends and
// how its answer reads belong to the dialect.
#ifndef PERCH_SERVER_UPSTREAM_LOOKUP_CACHE_H_
#define PERCH_SERVER_UPSTREAM_LOOKUP_CACHE_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/common/clock.h"
#include "server/common/mutex.h"
#include "server/common/scheduler.h"
#include "server/common/single_flight.h"
#include "server/metrics/perch_metrics.h"
#include "server/upstream/read_handle.h"
#include "server/upstream/ttl_cache.h"

namespace perch::upstream {

// Thread-safe. A lookup's answer (an id) is cached for `ttl` (TtlCache's
// rules: `capacity` entries at most, the least recently used go first); a
// failure is not cached, and the next caller looks up again.
//
// Callers that miss the same key while its lookup is in flight join it: one
// upstream lookup, its answer or its error to every one of them. Each is
// still answered by its own deadline at the latest (DEADLINE_EXCEEDED, a
// timer per caller on `scheduler`), and a cancelled caller leaves alone: the
// lookup is aborted only when no caller is left. A lookup that ran out of
// its starter's time (DEADLINE_EXCEEDED, or UNAVAILABLE after the retries
// that fitted) is started again for the callers that have more.
//
// Calls (common/call_context.h): each caller's `done` runs in the call that
// was current when it called Find, so what it sends next carries its own
// traceparent and counts towards its own call, not the starter's. The
// lookup itself is sent in the starter's call; sent again, in none
// (single_flight.h).
class LookupCache {
 public:
  using Done = absl::AnyInvocable<void(absl::StatusOr<std::string>) &&>;
  // Starts a lookup to `deadline` and calls `done` exactly once (possibly
  // inline); the handle aborts it. Copied to start it again.
  using Lookup = std::function<std::shared_ptr<ReadHandle>(absl::Time deadline,
                                                           Done done)>;

  // `clock` and `scheduler` must outlive the cache, and the scheduler must
  // be stopped or destroyed before it is (its timers reach it). `metrics`:
  // TtlCache's.
  LookupCache(const Clock& clock, Scheduler& scheduler, absl::Duration ttl,
              size_t capacity,
              std::optional<metrics::CacheMetrics> metrics = std::nullopt);

  // Answers `done` exactly once with the id under `key`: inline from the
  // cache, else from the lookup in flight for `key`, started with `lookup`
  // if there is none. Returns a handle that withdraws this caller
  // (CANCELLED), or nullptr if it was answered inline.
  std::shared_ptr<ReadHandle> Find(std::string key, absl::Time deadline,
                                   Lookup lookup, Done done);

 private:
  using Flights = SingleFlight<std::string, std::shared_ptr<ReadHandle>>;

  Flights::Verdict SettleLocked(const std::string& key,
                                const absl::StatusOr<std::string>& id,
                                absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  // Taken before the cache's own lock: an answer is cached in step with its
  // flight's end, so a caller never misses both.
  Mutex mu_;
  TtlCache cache_;
  // Guarded by mu_ (SingleFlight's contract).
  Flights flights_;
};

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_LOOKUP_CACHE_H_
