#include "bench/load_result.h"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <thread>

#include "absl/strings/str_format.h"

namespace perch::bench {
namespace {

// Percentiles drawn in the CDF plots: dense in the tail.
constexpr double kCdfPoints[] = {0,  1,    5,    10,    20,    30, 40,
                                 50, 60,   70,   80,    90,    95, 97.5,
                                 99, 99.5, 99.9, 99.95, 99.99, 100};

double NearestRank(const std::vector<int64_t>& sorted, double percentile) {
  if (sorted.empty()) return 0;
  double rank = std::ceil(percentile / 100.0 * sorted.size());
  size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  index = std::min(index, sorted.size() - 1);
  return sorted[index] / 1000.0;
}

}  // namespace

int64_t MonotonicNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

LatencyRecorder::LatencyRecorder() : shards_(new Shard[kShards]) {}

void LatencyRecorder::Record(int64_t nanos) {
  static std::atomic<int> next_shard{0};
  thread_local int shard = next_shard.fetch_add(1) % kShards;
  Shard& s = shards_[shard];
  std::lock_guard<std::mutex> lock(s.mu);
  s.samples.push_back(nanos);
}

LatencySummary LatencyRecorder::Summarize() const {
  std::vector<int64_t> all;
  for (int i = 0; i < kShards; ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mu);
    all.insert(all.end(), shards_[i].samples.begin(), shards_[i].samples.end());
  }
  std::sort(all.begin(), all.end());
  LatencySummary s;
  s.count = static_cast<int64_t>(all.size());
  if (all.empty()) return s;
  double sum = 0;
  for (int64_t v : all) sum += v;
  s.mean_us = sum / all.size() / 1000.0;
  s.min_us = all.front() / 1000.0;
  s.max_us = all.back() / 1000.0;
  s.p50_us = NearestRank(all, 50);
  s.p90_us = NearestRank(all, 90);
  s.p99_us = NearestRank(all, 99);
  s.p999_us = NearestRank(all, 99.9);
  for (double p : kCdfPoints) s.cdf.emplace_back(p, NearestRank(all, p));
  s.cdf.front().second = s.min_us;
  return s;
}

Json LatencySummary::ToJson() const {
  Json cdf_points = Json::MakeArray();
  for (const auto& [p, us] : cdf) cdf_points.Push(Json::Array{p, us});
  return Json::MakeObject()
      .Set("count", count)
      .Set("min_us", min_us)
      .Set("mean_us", mean_us)
      .Set("p50_us", p50_us)
      .Set("p90_us", p90_us)
      .Set("p99_us", p99_us)
      .Set("p99_9_us", p999_us)
      .Set("max_us", max_us)
      .Set("cdf_percentile_us", std::move(cdf_points));
}

Timeline::Timeline(int64_t start_nanos, int64_t bucket_nanos, int buckets)
    : start_nanos_(start_nanos),
      bucket_nanos_(bucket_nanos),
      counts_(new std::atomic<int64_t>[buckets]),
      buckets_(buckets) {
  for (int i = 0; i < buckets; ++i) counts_[i] = 0;
}

void Timeline::Add(int64_t at_nanos) {
  int64_t bucket = (at_nanos - start_nanos_) / bucket_nanos_;
  if (bucket < 0 || bucket >= buckets_) return;
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
}

std::vector<int64_t> Timeline::Counts() const {
  std::vector<int64_t> out(buckets_);
  int last = -1;
  for (int i = 0; i < buckets_; ++i) {
    out[i] = counts_[i].load();
    if (out[i] != 0) last = i;
  }
  out.resize(last + 1);
  return out;
}

int64_t LoadResult::error_count() const {
  int64_t n = 0;
  for (const auto& [code, count] : errors) n += count;
  return n;
}

Json LoadResult::ToJson() const {
  Json errs = Json::MakeObject();
  for (const auto& [code, count] : errors) errs.Set(code, count);
  Json examples = Json::MakeObject();
  for (const auto& [code, message] : error_examples) {
    examples.Set(code, message);
  }
  Json out = Json::MakeObject();
  out.Set("tool", tool).Set("mode", mode).Set("concurrency", concurrency);
  if (target_rate > 0) out.Set("target_rate", target_rate);
  out.Set("connections", connections)
      .Set("seconds", seconds)
      .Set("ok", ok)
      .Set("errors", error_count())
      .Set("errors_by_status", std::move(errs));
  if (!error_examples.empty()) out.Set("error_examples", std::move(examples));
  out.Set("throughput_rps", throughput())
      .Set("tweets_per_answer", ok > 0 ? static_cast<double>(items) / ok : 0.0)
      .Set("max_in_flight", max_in_flight)
      .Set("all_calls", Json::MakeObject()
                            .Set("ok", all_ok)
                            .Set("errors", all_errors)
                            .Set("unfinished", unfinished))
      .Set("client_cpu_seconds", client_cpu_seconds)
      .Set("latency", latency.ToJson());
  if (!timeline.empty()) {
    Json t = Json::MakeArray();
    for (int64_t c : timeline) t.Push(c);
    out.Set("timeline_bucket_ms", timeline_bucket_ms)
        .Set("timeline_completions", std::move(t));
  }
  return out;
}

std::string LoadResult::Describe() const {
  std::string rate =
      target_rate > 0 ? absl::StrFormat(" rate=%.0f/s", target_rate) : "";
  return absl::StrFormat(
      "%s %s c=%d%s: %.0f rps, p50 %.0f us, p90 %.0f us, p99 %.0f us, "
      "p99.9 %.0f us, ok %d, errors %d, %.1f tweets/answer",
      tool, mode, concurrency, rate, throughput(), latency.p50_us,
      latency.p90_us, latency.p99_us, latency.p999_us, ok, error_count(),
      ok > 0 ? static_cast<double>(items) / ok : 0.0);
}

}  // namespace perch::bench
