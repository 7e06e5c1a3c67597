// What one load run measured, whichever tool drove it (perch-load over gRPC,
// direct-curl over HTTP, wrk through nginx): counts, exact latency
// percentiles, errors by status, and the rate over the measured window.
// LatencyRecorder collects the samples from many threads at once.
#ifndef PERCH_BENCH_LOAD_RESULT_H_
#define PERCH_BENCH_LOAD_RESULT_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "bench/json.h"

namespace perch::bench {

// Nanoseconds on the monotonic clock.
int64_t MonotonicNanos();

struct LatencySummary {
  int64_t count = 0;
  // Microseconds. Percentiles are exact (nearest rank over every sample).
  double min_us = 0, mean_us = 0, p50_us = 0, p90_us = 0, p99_us = 0,
         p999_us = 0, max_us = 0;
  // (percentile, microseconds) points for plotting a CDF.
  std::vector<std::pair<double, double>> cdf;

  Json ToJson() const;
};

// Thread-safe sample sink: threads append to one of a few sharded vectors
// (a shard per thread, mostly uncontended), merged once at the end.
class LatencyRecorder {
 public:
  LatencyRecorder();
  void Record(int64_t nanos);
  // Sorts every sample; call after all recording threads are done.
  LatencySummary Summarize() const;

 private:
  struct Shard {
    std::mutex mu;
    std::vector<int64_t> samples;
  };
  static constexpr int kShards = 32;
  std::unique_ptr<Shard[]> shards_;
};

// Completions per fixed interval since the run started (for plots).
class Timeline {
 public:
  Timeline(int64_t start_nanos, int64_t bucket_nanos, int buckets);
  void Add(int64_t at_nanos);
  std::vector<int64_t> Counts() const;
  int64_t bucket_nanos() const { return bucket_nanos_; }

 private:
  const int64_t start_nanos_;
  const int64_t bucket_nanos_;
  std::unique_ptr<std::atomic<int64_t>[]> counts_;
  const int buckets_;
};

struct LoadResult {
  std::string tool;        // "perch-load", "direct-curl", "wrk"
  std::string mode;        // "closed", "open", "burst"
  int concurrency = 0;     // calls in flight (closed) or issued (burst)
  double target_rate = 0;  // open loop, calls/s
  int connections = 0;     // channels / connections used
  double seconds = 0;      // the measured window
  int64_t ok = 0;
  std::map<std::string, int64_t> errors;              // status name -> count
  std::map<std::string, std::string> error_examples;  // first message each
  int64_t items = 0;  // tweets received in successful answers
  // Every call of the run, warmup and drain included (perch-load only):
  // how many succeeded, failed, or had not finished when it gave up.
  int64_t all_ok = 0;
  int64_t all_errors = 0;
  int64_t unfinished = 0;
  int64_t max_in_flight = 0;
  LatencySummary latency;
  double client_cpu_seconds = 0;  // the load generator's own CPU time
  std::vector<int64_t> timeline;  // completions per timeline_bucket_ms
  int timeline_bucket_ms = 0;

  int64_t error_count() const;
  double throughput() const { return seconds > 0 ? ok / seconds : 0; }
  Json ToJson() const;
  // One human line: "closed c=64: 5123 rps, p50 1.2 ms ...".
  std::string Describe() const;
};

}  // namespace perch::bench

#endif  // PERCH_BENCH_LOAD_RESULT_H_
