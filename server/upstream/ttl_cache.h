// A small bounded map with a time-to-live, for answers that are cheap to
// keep and costly to ask again (the v2 dialect's screen name -> user id and
// owner/slug -> list id lookups). Knows nothing about what it holds.
#ifndef PERCH_SERVER_UPSTREAM_TTL_CACHE_H_
#define PERCH_SERVER_UPSTREAM_TTL_CACHE_H_

#include <cstddef>
#include <list>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/common/clock.h"
#include "server/common/mutex.h"
#include "server/metrics/perch_metrics.h"

namespace perch::upstream {

// Thread-safe. An entry is served for `ttl` after it was put, then dropped;
// beyond `capacity` entries the least recently used goes first. A zero
// capacity or a non-positive ttl keeps nothing. `clock` must outlive it.
class TtlCache {
 public:
  // `metrics` (none: nullopt) counts each Get as a hit or a miss and keeps
  // the entries gauge; its series must outlive the cache.
  TtlCache(const Clock& clock, absl::Duration ttl, size_t capacity,
           std::optional<metrics::CacheMetrics> metrics = std::nullopt)
      : clock_(clock), ttl_(ttl), capacity_(capacity), metrics_(metrics) {}

  // The live value under `key`, if any (and marks it recently used).
  std::optional<std::string> Get(absl::string_view key);

  // Stores or replaces `key`, live for a whole ttl from now.
  void Put(absl::string_view key, std::string value);

  size_t size() const;

 private:
  struct Entry {
    std::string key;
    std::string value;
    absl::Time expires;
  };
  using Order = std::list<Entry>;  // most recently used first

  // Counts a lookup and sets the entries gauge.
  void NoteLocked(bool hit) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  const absl::Duration ttl_;
  const size_t capacity_;
  const std::optional<metrics::CacheMetrics> metrics_;

  mutable Mutex mu_;
  Order order_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Order::iterator> index_ ABSL_GUARDED_BY(mu_);
};

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_TTL_CACHE_H_
