// The X API v2 read dialect (UPSTREAM-V2.md): perch's dialect-neutral
// queries as v2 requests (paths, the field lists and expansions perch maps,
// max_results ranges, next_token paging inside an opaque position), the
// v2 bodies mapped to perch.v1 pages, and v2's errors, including those
// inside a 200, mapped through mapping/upstream_status.h. Authentication,
// retries and applying the HTTP status table live in the UpstreamReader
// below it.
#ifndef PERCH_SERVER_UPSTREAM_V2_DIALECT_H_
#define PERCH_SERVER_UPSTREAM_V2_DIALECT_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "server/common/clock.h"
#include "server/common/scheduler.h"
#include "server/metrics/perch_metrics.h"
#include "server/upstream/read_dialect.h"
#include "server/upstream/upstream_reader.h"

namespace perch::upstream {

struct V2DialectOptions {
  // How long a screen name -> user id (and an owner + slug -> list id)
  // answer is reused. Ids never change, but a name can move to another
  // account; paging a timeline must not look the name up again.
  absl::Duration name_cache_ttl = absl::Hours(1);
  // Answers kept per cache (names, slugs); the least recently used go.
  size_t name_cache_capacity = 10000;
  // perch_cache_* of the two caches (cache="user_id", "list_slug"); none:
  // nullopt.
  std::optional<metrics::CacheMetrics> user_id_cache_metrics = std::nullopt;
  std::optional<metrics::CacheMetrics> list_slug_cache_metrics = std::nullopt;
};

// `reader`, `clock` and `scheduler` must outlive the dialect, and the
// dialect every read it started; the scheduler (a deadline timer per read
// that waits for a name lookup, the read that started it included) must be
// stopped or destroyed before the dialect is. `base_url` has no trailing slash
// ("https://api.x.com").
std::unique_ptr<ReadDialect> MakeV2Dialect(UpstreamReader& reader,
                                           std::string base_url,
                                           const Clock& clock,
                                           Scheduler& scheduler,
                                           V2DialectOptions options = {});

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_V2_DIALECT_H_
