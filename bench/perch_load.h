// perch-load's engine: drives ReadService.GetTimeline on gRPC's callback
// client API. Closed loop (N calls in flight, each completion issues the
// next), open loop (calls issued on a fixed schedule whatever the answers do;
// latency counted from the scheduled time, so a stalled server cannot hide
// its queueing), or one burst (N calls at once, for cold start and
// coalescing). Spreads calls over several channels, each with its own
// HTTP/2 connection.
#ifndef PERCH_BENCH_PERCH_LOAD_H_
#define PERCH_BENCH_PERCH_LOAD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/load_result.h"

namespace perch::bench {

enum class LoadMode { kClosed, kOpen, kBurst };

absl::StatusOr<LoadMode> ParseLoadMode(absl::string_view name);
std::string LoadModeName(LoadMode mode);

struct PerchLoadOptions {
  std::string target;  // host:port of perch-server
  // "GetTimeline", or "Obtain" (TokenService.Obtain: answered from the
  // cached token, no upstream call; the floor of a perch round trip).
  std::string rpc = "GetTimeline";
  // Sent as "authorization: Bearer <api_key>" when set (perch's caller
  // authentication); never printed.
  std::string api_key;
  LoadMode mode = LoadMode::kClosed;
  int concurrency = 1;        // closed: in flight; burst: calls issued at once
  double rate = 100;          // open: calls per second
  int max_in_flight = 20000;  // open: beyond this, calls are counted as
                              // CLIENT_OVERLOADED instead of issued
  absl::Duration warmup = absl::Seconds(1);    // closed/open: not measured
  absl::Duration duration = absl::Seconds(5);  // closed/open: measured
  int channels = 1;
  std::string screen_name = "perch_dev";
  int page_size = 20;
  // 0: every call identical. K > 0: since_id cycles through 1..K, so K
  // distinct upstream URLs (defeats coalescing and caching when the point is
  // per-request cost; every synthetic tweet id is far above K).
  int distinct_keys = 0;
  absl::Duration deadline = absl::Seconds(30);
  int timeline_bucket_ms = 0;  // > 0: record completions per bucket
};

// Connects every channel first (connection setup is not measured), then runs.
// Errors only if the target cannot be reached at all.
absl::StatusOr<LoadResult> RunPerchLoad(const PerchLoadOptions& options);

}  // namespace perch::bench

#endif  // PERCH_BENCH_PERCH_LOAD_H_
