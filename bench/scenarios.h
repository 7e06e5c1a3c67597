// The issue #6 scenarios, run against a perch-emulator and perch-server
// started here as child processes: Overhead (perch vs direct libcurl at 1 in
// flight, at saturation and at a fixed rate, once per upstream dialect),
// Alternative (nginx injecting the bearer header, driven by wrk), Scale
// (10,000 in flight at 200 ms upstream latency), Cold start (concurrent
// first calls, no token yet) and Coalescing (concurrent identical calls);
// and issue #12's Observability (metrics and JSON access logs on vs off).
// Each run keeps its baseline from the same session so every figure is
// reported as a ratio.
#ifndef PERCH_BENCH_SCENARIOS_H_
#define PERCH_BENCH_SCENARIOS_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "bench/emulator_admin.h"
#include "bench/json.h"
#include "bench/load_result.h"
#include "bench/perch_load.h"
#include "bench/proc_stats.h"
#include "bench/upstream_timeline.h"
#include "tests/testing/child_process.h"

namespace perch::bench {

struct BenchConfig {
  bool smoke = false;
  std::string server_binary;
  std::string emulator_binary;
  std::string nginx_binary = "/usr/sbin/nginx";
  std::string wrk_binary = "/usr/bin/wrk";
  std::string work_dir;  // logs and generated configs
  int page_size = 20;
  std::set<std::string> scenarios;        // empty: all
  std::vector<std::string> server_flags;  // extra perch-server flags
  // perch-server's --upstream_api for Alternative, Scale, Cold start and
  // Coalescing, and the dialect of the Overhead bars the others lean on
  // (perch's saturation). v2 is perch-server's default.
  UpstreamApi upstream_api = UpstreamApi::kV2;
  // Overhead runs each of these: perch-server with that --upstream_api
  // against direct-curl making that dialect's requests.
  std::vector<UpstreamApi> overhead_apis = {UpstreamApi::kV1_1,
                                            UpstreamApi::kV2};
  // The smoke run's economy: dialects other than `upstream_api` get only
  // the saturation sweep (no 1-in-flight or fixed-rate points).
  bool other_apis_saturation_only = false;
  // Issue #11: v2's perch/direct saturation ratio within this fraction of
  // v1.1's.
  double dialect_parity_tolerance = 0.10;

  // Sizes (full-run defaults; Smoke() shrinks them).
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration duration = absl::Seconds(8);
  std::vector<int> saturation_concurrency = {16, 64, 256};
  int direct_threads = 1;
  int scale_in_flight = 10000;
  int scale_channels = 100;
  // Extra Scale runs, each on a fresh server with these flags added (the
  // bars use the run without extra flags).
  std::vector<std::string> scale_variants = {"--upstream_max_connections=256"};
  absl::Duration scale_latency = absl::Milliseconds(200);
  absl::Duration scale_warmup = absl::Seconds(4);
  absl::Duration scale_duration = absl::Seconds(12);
  // Observability (issue 12): saturation with /metrics (scraped every
  // second) and JSON access logs on, against both off, at these closed-loop
  // concurrencies, alternating which side goes first each round.
  std::vector<int> observability_concurrency = {64, 256};
  int observability_rounds = 2;
  int cold_start_calls = 1000;
  int coalescing_calls = 1000;
  absl::Duration coalescing_latency = absl::Milliseconds(200);
  int distinct_keys = 1000000;
  double open_rate_fraction = 0.5;

  void Smoke();
  Json ToJson() const;
};

// One measured load run and what the processes under test did meanwhile.
struct Run {
  std::string scenario;
  std::string system;        // "perch", "direct-curl", "nginx"
  std::string label;         // "1 in flight", "closed c=64", ...
  std::string upstream_api;  // the dialect of its upstream requests
  LoadResult load;
  // perch-server (or nginx, summed over workers) during the run.
  std::optional<double> server_peak_rss_mib;
  std::optional<double> server_hwm_mib;
  std::optional<int64_t> server_max_threads;
  double server_cpu_seconds = 0;
  double emulator_cpu_seconds = 0;
  std::vector<ProcSampler::Sample> samples;  // scale only (for the plot)

  // Server + emulator + client CPU per successful call, microseconds.
  double CpuMicrosPerCall() const;
  Json ToJson() const;
};

// GetTimeline at saturation on one upstream dialect: perch-server (with that
// --upstream_api) and direct-curl (making that dialect's requests), the best
// of the same Overhead sweep each.
struct DialectSaturation {
  std::string upstream_api;
  double perch_calls_per_s = 0;
  std::string perch_at;  // the sweep point ("closed c=64")
  double perch_cpu_us_per_call = 0;
  double direct_calls_per_s = 0;
  std::string direct_at;
  // direct-curl's CPU at perch's load point (perch_at), not at its own
  // best: CPU per call moves with the load, and comparing two points made
  // one dialect's perch look costlier than the other's.
  std::string direct_cpu_at;
  double direct_cpu_us_per_call = 0;
  double ratio() const {
    return direct_calls_per_s > 0 ? perch_calls_per_s / direct_calls_per_s : 0;
  }
  // What perch adds to a call, in CPU of every process (server, emulator,
  // client): less sensitive than the ratio to how cheap the dialect's
  // upstream side is (v2 bodies are a third of v1.1's).
  double perch_added_cpu_us_per_call() const {
    return perch_cpu_us_per_call - direct_cpu_us_per_call;
  }
  // The same page answered from perch's response cache at perch_at: no
  // upstream work, so the least perch can add (0: not measured).
  double cached_cpu_us_per_call = 0;
  Json ToJson() const;
};

// A bar of the issue: a measured figure, its baseline and limit.
struct Bar {
  std::string name;
  std::string figure;  // what is compared, in words
  double value = 0;
  double baseline = 0;
  double ratio = 0;   // value / baseline
  std::string limit;  // the bar, in words
  bool pass = false;
  bool measured = false;  // false: the scenario did not run
  std::string note;
  Json ToJson() const;
};

class Bench {
 public:
  explicit Bench(BenchConfig config) : config_(std::move(config)) {}
  ~Bench();

  // Starts the emulator; then each scenario; failures are recorded and the
  // next scenario still runs.
  absl::Status Setup();
  void RunAll();

  const std::vector<Run>& runs() const { return runs_; }
  const std::vector<Bar>& bars() const { return bars_; }
  // Per Overhead dialect that has both saturation runs, in overhead_apis
  // order.
  const std::vector<DialectSaturation>& dialects() const { return dialects_; }
  // Scenario name -> error, for scenarios that could not run.
  const std::map<std::string, std::string>& failures() const {
    return failures_;
  }
  // Upstream counts of the cold-start and coalescing scenarios.
  const Json& counts() const { return counts_; }
  // Smoke assertions that did not hold.
  std::vector<std::string> AssertionFailures(bool coalescing) const;
  const BenchConfig& config() const { return config_; }

 private:
  struct Server {
    std::unique_ptr<testing::ChildProcess> process;
    int port = 0;
    std::string target() const;
  };

  bool Wants(const std::string& scenario) const;
  // `extra` flags come before --server_flags (which thus win).
  absl::StatusOr<Server> StartServer(const std::string& name, UpstreamApi api,
                                     std::vector<std::string> extra = {});
  // When perch-server authenticates callers (--api_keys_file), writes a
  // callers file with one fresh key (reader and admin, no quota) and makes
  // every load generator send it.
  absl::Status SetUpCallerKey();
  PerchLoadOptions PerchOptions(const Server& server) const;
  absl::StatusOr<std::string> DirectToken();
  // perch_dev's timeline in `api` (the v2 user id was looked up in Setup).
  TimelineTarget Target(UpstreamApi api) const;

  absl::Status Overhead();
  absl::Status Alternative();
  absl::Status Scale();
  absl::Status ColdStartAndCoalescing();
  absl::Status Observability();
  void ComputeBars();
  // Issue #11: v2's perch/direct ratio within the tolerance of v1.1's.
  void ComputeDialectParityBar();

  const Run* Find(const std::string& scenario, const std::string& system,
                  const std::string& label, UpstreamApi api) const;
  // Highest-throughput closed-loop run of `system` on `api` in the
  // saturation sweep (Overhead, or Alternative for nginx).
  const Run* Saturation(const std::string& system, UpstreamApi api) const;

  BenchConfig config_;
  std::unique_ptr<testing::ChildProcess> emulator_;
  std::unique_ptr<EmulatorAdmin> admin_;
  std::string token_;    // for direct-curl and nginx; never printed
  std::string user_id_;  // perch_dev's, for the v2 requests of the baselines
  std::string api_key_;  // perch's caller key, if it wants one; never printed
  std::vector<std::string> auth_flags_;
  int server_count_ = 0;
  std::vector<Run> runs_;
  std::vector<Bar> bars_;
  std::vector<DialectSaturation> dialects_;
  std::map<std::string, std::string> failures_;
  Json counts_ = Json::MakeObject();
  std::optional<int64_t> cold_start_token_requests_;
  std::optional<int64_t> cold_start_errors_;
  std::optional<int64_t> coalescing_upstream_;
  std::optional<int64_t> coalescing_errors_;
};

}  // namespace perch::bench

#endif  // PERCH_BENCH_SCENARIOS_H_
