// direct-curl's engine: the baseline perch is measured against. It makes the
// same upstream request perch makes for GetTimeline in either upstream
// dialect (same URL and parameters, upstream_timeline.h; the bearer header
// it obtained itself) with a libcurl multi handle, and maps every body into
// perch.v1.Tweet messages with perch_mapping, exactly the work perch does
// minus gRPC, the token holder and retries. One event loop per thread;
// closed or open loop like perch-load.
#ifndef PERCH_BENCH_DIRECT_CURL_H_
#define PERCH_BENCH_DIRECT_CURL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/load_result.h"
#include "bench/perch_load.h"
#include "bench/upstream_timeline.h"

namespace perch::bench {

struct DirectCurlOptions {
  std::string base_url;      // e.g. http://127.0.0.1:8080 (no trailing slash)
  std::string bearer_token;  // never printed
  LoadMode mode = LoadMode::kClosed;  // closed or open (no burst)
  int concurrency = 1;                // closed: in flight, over all threads
  double rate = 100;                  // open: calls per second, all threads
  int max_in_flight = 20000;
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(5);
  int threads = 1;
  // The dialect perch-server speaks upstream (--upstream_api). v2 reads by
  // user id: with `user_id` empty, RunDirectCurl looks `screen_name` up once
  // before the load, as perch does once and then answers from its cache.
  UpstreamApi api = UpstreamApi::kV2;
  std::string user_id;
  std::string screen_name = "perch_dev";
  int page_size = 20;
  int distinct_keys = 0;  // as PerchLoadOptions
  absl::Duration timeout = absl::Seconds(30);
  // CURLMOPT_MAX_HOST_CONNECTIONS (0: unlimited): calls beyond it wait in
  // libcurl's own pending queue.
  long max_host_connections = 0;
  // > 0: at most this many transfers are in the multi handle at once; the
  // rest wait in a FIFO here, so libcurl only ever sees this many handles.
  // (The experiment behind the Scale recommendation in docs/performance.md.)
  int app_queue_limit = 0;
};

absl::StatusOr<LoadResult> RunDirectCurl(const DirectCurlOptions& options);

}  // namespace perch::bench

#endif  // PERCH_BENCH_DIRECT_CURL_H_
