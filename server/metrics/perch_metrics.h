// The metrics perch exports (docs/observability.md, "Metrics"): every
// family's name, type, labels and help, defined here once, in the order of
// the exposition, and grouped by the layer that records them. The layers
// take the group they record into (a pointer; null in tests that do not
// look at metrics); none of them names a metric itself.
#ifndef PERCH_SERVER_METRICS_PERCH_METRICS_H_
#define PERCH_SERVER_METRICS_PERCH_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/common/clock.h"
#include "server/metrics/lazy_series.h"
#include "server/metrics/registry.h"
#include "server/metrics/series_sets.h"

namespace perch::metrics {

// perch_grpc_*: recorded by the service layer's call observer, which
// resolves each (method, code) series once.
struct GrpcFamilies {
  explicit GrpcFamilies(Registry& registry);
  CounterFamily& calls;       // method, code
  HistogramFamily& duration;  // method
  GaugeFamily& in_flight;     // method
};

// Why the upstream answered 429.
enum class ThrottleReason { kRateLimit, kUsageCap };

// perch_upstream_* for one endpoint (a route template such as
// "2/users/:id/tweets"): what the token source and the reader record about
// each request they send. Thread-safe, lock-free after each series' first
// use.
class EndpointMetrics {
 public:
  struct Families;
  EndpointMetrics(const Families& families, const std::string& endpoint);

  // A response arrived: its HTTP status, body size and how long it took.
  void RecordResponse(int http_status, size_t body_bytes,
                      absl::Duration latency);
  // No response: connect/TLS/DNS/reset failures count as connection
  // failures; every kind counts as status_class "transport_error".
  void RecordTransportError(bool connection_failure, absl::Duration latency);
  void RecordRetry() { retries_.Get().Increment(); }
  // The x-rate-limit-* headers of a response.
  void RecordRateWindow(int64_t limit, int64_t remaining,
                        int64_t reset_unix_seconds);
  void RecordThrottled(ThrottleReason reason);

 private:
  // 2xx (and anything below 300), 3xx, 4xx, 5xx (and anything above).
  std::array<LazySeries<Counter>, 4> by_class_;
  LazySeries<Counter> transport_errors_;
  LazySeries<Histogram> duration_;
  LazySeries<Counter> retries_;
  LazySeries<Counter> connection_failures_;
  LazySeries<Counter> received_bytes_;
  LazySeries<Gauge> limit_;
  LazySeries<Gauge> remaining_;
  LazySeries<Gauge> reset_;
  LazySeries<Counter> throttled_rate_limit_;
  LazySeries<Counter> throttled_usage_cap_;
};

struct EndpointMetrics::Families {
  explicit Families(Registry& registry);
  CounterFamily& requests;             // endpoint, status_class
  HistogramFamily& duration;           // endpoint
  CounterFamily& retries;              // endpoint
  CounterFamily& connection_failures;  // endpoint
  CounterFamily& received_bytes;       // endpoint
  GaugeFamily& rate_limit;             // endpoint
  GaugeFamily& rate_remaining;         // endpoint
  GaugeFamily& rate_reset;             // endpoint
  CounterFamily& throttled;            // endpoint, reason
};

// The per-endpoint metrics, one EndpointMetrics per route template, made on
// first use and kept: look one up once (per request or per construction)
// and record into it. Thread-safe.
class UpstreamMetrics {
 public:
  explicit UpstreamMetrics(Registry& registry)
      : endpoints_(EndpointMetrics::Families(registry)) {}
  // `path` is the route template as the code names it ("/oauth2/token",
  // "/2/users/:id/tweets"); the label drops the leading slash.
  EndpointMetrics& Endpoint(absl::string_view path);

 private:
  SeriesSets<EndpointMetrics> endpoints_;
};

// How a token request ended (perch_token_fetches_total's outcome).
enum class TokenOutcome { kOk, kRejected, kUnavailable, kRateLimited, kError };

// perch_token_*: recorded by the token holder. Thread-safe. The age gauge
// is read at each scrape from what SetHeld last said, on `clock`.
class TokenMetrics {
 public:
  TokenMetrics(Registry& registry, const Clock& clock);
  TokenMetrics(const TokenMetrics&) = delete;
  TokenMetrics& operator=(const TokenMetrics&) = delete;

  void RecordFetch(TokenOutcome outcome);
  void RecordReobtain() { reobtains_.Increment(); }
  void RecordInvalidation() { invalidations_.Increment(); }
  // The token held now was obtained at `at`; InfinitePast: none is held.
  void SetHeld(absl::Time at);
  // Seconds since the held token was obtained, 0 when none is held.
  double AgeSeconds(absl::Time now) const;

 private:
  CounterFamily& fetch_family_;
  std::array<LazySeries<Counter>, 5> fetches_;  // by TokenOutcome
  Counter& reobtains_;
  Counter& invalidations_;
  // Unix nanoseconds; 0: no token held.
  std::atomic<int64_t> held_since_ns_{0};
};

// One of perch's caches (label cache="user_id" / "list_slug"); the series
// belong to the registry (pointers, so that options holding them can be
// assigned).
struct CacheMetrics {
  Counter* hits;
  Counter* misses;
  Gauge* entries;
};

// perch_caller_* of one caller name: what the caller gate records about
// the calls it decides for that name. Each series appears on its first use,
// then is recorded with one atomic load, no family lock; only a denial with
// a reason other than the gate's three takes the family's lock, each time.
// Thread-safe.
class CallerSeries {
 public:
  struct Families;
  CallerSeries(const Families& families, absl::string_view caller);

  void RecordAdmitted() { calls_.Get().Increment(); }
  // A refusal with ErrorInfo `reason`; one for the quota is a throttle too.
  void RecordDenied(absl::string_view reason);

 private:
  const Families& families_;
  const std::string caller_;
  LazySeries<Counter> calls_;
  // The gate's own reasons, each a slot of denials_; any other reason is
  // looked up in the family when it happens.
  enum DenialSlot : size_t {
    kUnauthenticated,  // CALLER_UNAUTHENTICATED
    kNotPermitted,     // CALLER_NOT_PERMITTED
    kQuotaExceeded,    // CALLER_QUOTA_EXCEEDED
    kDenialSlots,
  };
  std::array<LazySeries<Counter>, kDenialSlots> denials_;
  LazySeries<Counter> throttles_;
};

struct CallerSeries::Families {
  explicit Families(Registry& registry);
  CounterFamily& calls;      // caller
  CounterFamily& denials;    // caller, reason
  CounterFamily& throttles;  // caller
};

// perch_caller_*, by caller name. Names come from the callers file (bounded
// by it), plus "unknown" for denials before a caller is identified and
// "anonymous" under --insecure_no_auth. A name's CallerSeries is resolved
// when a callers file naming it loads (security/reloading_api_keys.h) and
// kept for the process's life: a caller removed from the file keeps its
// series, one re-added counts on from them. Thread-safe.
class CallerMetrics {
 public:
  explicit CallerMetrics(Registry& registry)
      : callers_(CallerSeries::Families(registry)) {}
  // Takes a lock: ask when the name becomes known, keep the reference.
  CallerSeries& Caller(absl::string_view name) { return callers_.Get(name); }

 private:
  SeriesSets<CallerSeries> callers_;
};

// What perch_build_info says.
struct BuildInfo {
  std::string version;
  std::string commit;
  std::string dialect;  // --upstream_api
};

// Every family perch exports, registered in `registry` in the order of
// docs/observability.md's table, process metrics last. `registry` and
// `clock` must outlive it.
class PerchMetrics {
 public:
  PerchMetrics(Registry& registry, const Clock& clock, const BuildInfo& build);

  GrpcFamilies& grpc() { return grpc_; }
  UpstreamMetrics& upstream() { return upstream_; }
  TokenMetrics& token() { return token_; }
  CounterFamily& coalesced() { return coalesced_; }  // method
  // "user_id" or "list_slug".
  CacheMetrics Cache(absl::string_view name);
  CallerMetrics& callers() { return callers_; }

 private:
  GrpcFamilies grpc_;
  UpstreamMetrics upstream_;
  TokenMetrics token_;
  CounterFamily& coalesced_;
  CounterFamily& cache_requests_;
  GaugeFamily& cache_entries_;
  CallerMetrics callers_;
};

}  // namespace perch::metrics

#endif  // PERCH_SERVER_METRICS_PERCH_METRICS_H_
