#include "bench/scenarios.h"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/direct_curl.h"
#include "bench/metrics_scraper.h"
#include "bench/nginx_wrk.h"
#include "bench/perch_load.h"
#include "bench/perch_processes.h"
#include "tests/testing/child_process.h"
#include "tests/testing/perch_process_lines.h"

namespace perch::bench {

using ::perch::testing::ChildProcess;
using ::perch::testing::WaitForEmulatorUrl;
using ::perch::testing::WaitForMetricsPort;
using ::perch::testing::WaitForServerPort;

namespace {

constexpr const char* kAppKey = kEmulatorAppKey;
constexpr const char* kAppSecret = kEmulatorAppSecret;
constexpr char kTokenPath[] = "/oauth2/token";
constexpr char kScreenName[] = "perch_dev";

void Say(const std::string& line) {
  std::fprintf(stderr, "perch-bench: %s\n", line.c_str());
  std::fflush(stderr);
}

double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

// Channels for a closed loop of `c` calls: one HTTP/2 connection per 16 calls
// in flight, at most 8, as a handful of client processes would open.
int SaturationChannels(int c) { return std::clamp(c / 16, 1, 8); }

Bar NewBar(std::string name, std::string figure) {
  Bar b;
  b.name = std::move(name);
  b.figure = std::move(figure);
  return b;
}

// A bar whose limit is its baseline: `value`, when measured, passes at or
// under `limit`.
Bar CeilingBar(std::string name, std::string figure, std::string limit_text,
               double limit, std::optional<double> value) {
  Bar b = NewBar(std::move(name), std::move(figure));
  b.limit = std::move(limit_text);
  if (value) {
    b.measured = true;
    b.value = *value;
    b.baseline = limit;
    b.ratio = b.value / limit;
    b.pass = b.value <= limit;
    b.note = "baseline: the limit";
  }
  return b;
}

double EmulatorCpu(const ChildProcess* emulator) {
  if (emulator == nullptr) return 0;
  auto snap = ReadProc(emulator->pid());
  return snap.ok() ? snap->cpu_seconds : 0;
}

}  // namespace

void BenchConfig::Smoke() {
  smoke = true;
  warmup = absl::Milliseconds(200);
  duration = absl::Milliseconds(600);
  saturation_concurrency = {8};
  // Both dialects' saturation pair, but the 1-in-flight and fixed-rate
  // points only on the main one: 2 runs more than before, not 6.
  other_apis_saturation_only = true;
  // Under ASan on a busy 2-core machine perch serves about 70 calls/s, so a
  // wave of 200 took 2-2.9 s and sometimes missed a 1 s window entirely.
  scale_in_flight = 50;
  scale_channels = 4;
  scale_variants.clear();
  // Generous for sanitizer builds on a busy machine: the first wave of
  // calls must land inside the window, and every coalesced call must arrive
  // while the first upstream request is still out.
  scale_warmup = absl::Seconds(1);
  scale_duration = absl::Seconds(2);
  observability_concurrency = {8};
  observability_rounds = 1;
  cold_start_calls = 100;
  coalescing_calls = 100;
  coalescing_latency = absl::Seconds(1);
}

Json BenchConfig::ToJson() const {
  Json sat = Json::MakeArray();
  for (int c : saturation_concurrency) sat.Push(c);
  Json flags = Json::MakeArray();
  for (const std::string& f : server_flags) flags.Push(f);
  Json apis = Json::MakeArray();
  for (UpstreamApi api : overhead_apis) apis.Push(UpstreamApiName(api));
  return Json::MakeObject()
      .Set("smoke", smoke)
      .Set("upstream_api", UpstreamApiName(upstream_api))
      .Set("overhead_upstream_apis", std::move(apis))
      .Set("other_apis_saturation_only", other_apis_saturation_only)
      .Set("dialect_parity_tolerance", dialect_parity_tolerance)
      .Set("warmup_s", Seconds(warmup))
      .Set("duration_s", Seconds(duration))
      .Set("saturation_concurrency", std::move(sat))
      .Set("direct_threads", direct_threads)
      .Set("scale_in_flight", scale_in_flight)
      .Set("scale_channels", scale_channels)
      .Set("scale_latency_ms", absl::ToInt64Milliseconds(scale_latency))
      .Set("scale_warmup_s", Seconds(scale_warmup))
      .Set("scale_duration_s", Seconds(scale_duration))
      .Set("cold_start_calls", cold_start_calls)
      .Set("coalescing_calls", coalescing_calls)
      .Set("coalescing_latency_ms",
           absl::ToInt64Milliseconds(coalescing_latency))
      .Set("distinct_keys", distinct_keys)
      .Set("open_rate_fraction_of_saturation", open_rate_fraction)
      .Set("server_flags", std::move(flags))
      .Set("page_size", page_size);
}

double Run::CpuMicrosPerCall() const {
  // CPU is measured over the whole run (warmup and drain included), so it is
  // divided by every call of the run, not only the measured window's.
  int64_t calls = load.all_ok + load.all_errors;
  if (calls == 0) calls = load.ok + load.error_count();
  if (calls == 0) return 0;
  return (server_cpu_seconds + emulator_cpu_seconds + load.client_cpu_seconds) /
         calls * 1e6;
}

Json Run::ToJson() const {
  Json server = Json::MakeObject();
  if (server_peak_rss_mib) server.Set("peak_rss_mib", *server_peak_rss_mib);
  if (server_hwm_mib) server.Set("vm_hwm_mib", *server_hwm_mib);
  if (server_max_threads) server.Set("max_threads", *server_max_threads);
  server.Set("cpu_seconds", server_cpu_seconds);
  return Json::MakeObject()
      .Set("scenario", scenario)
      .Set("system", system)
      .Set("label", label)
      .Set("upstream_api", upstream_api)
      .Set("load", load.ToJson())
      .Set("server", std::move(server))
      .Set("emulator_cpu_seconds", emulator_cpu_seconds)
      .Set("cpu_us_per_call_all_processes", CpuMicrosPerCall());
}

Json DialectSaturation::ToJson() const {
  return Json::MakeObject()
      .Set("upstream_api", upstream_api)
      .Set("perch_calls_per_s", perch_calls_per_s)
      .Set("perch_at", perch_at)
      .Set("perch_cpu_us_per_call_all_processes", perch_cpu_us_per_call)
      .Set("direct_calls_per_s", direct_calls_per_s)
      .Set("direct_at", direct_at)
      .Set("direct_cpu_at", direct_cpu_at)
      .Set("direct_cpu_us_per_call_all_processes", direct_cpu_us_per_call)
      .Set("perch_added_cpu_us_per_call", perch_added_cpu_us_per_call())
      .Set("perch_cached_cpu_us_per_call_all_processes",
           cached_cpu_us_per_call)
      .Set("ratio", ratio());
}

Json Bar::ToJson() const {
  Json j = Json::MakeObject();
  j.Set("name", name).Set("figure", figure).Set("measured", measured);
  if (measured) {
    j.Set("value", value).Set("baseline", baseline).Set("ratio", ratio);
  }
  j.Set("bar", limit).Set("pass", measured && pass);
  if (!note.empty()) j.Set("note", note);
  return j;
}

std::string Bench::Server::target() const {
  return absl::StrCat("127.0.0.1:", port);
}

Bench::~Bench() {
  if (emulator_) emulator_->Stop();
}

bool Bench::Wants(const std::string& scenario) const {
  return config_.scenarios.empty() || config_.scenarios.count(scenario) > 0;
}

absl::Status Bench::Setup() {
  // Thousands of connections per process: take the whole descriptor budget
  // (children inherit it).
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  auto emulator = SpawnReady(
      {.argv = {config_.emulator_binary, "--listen=127.0.0.1:0",
                "--max_token_requests_per_minute=100000"},
       .output_path = absl::StrCat(config_.work_dir, "/emulator.log")},
      WaitForEmulatorUrl, absl::Seconds(20));
  if (!emulator.ok()) return emulator.status();
  emulator_ = std::move(emulator->process);
  const std::string url = std::move(emulator->ready);
  admin_ = std::make_unique<EmulatorAdmin>(url);
  // The emulator enforces the upstream's windows (1,500 timeline reads per
  // 15 minutes, fewer lookups); a benchmark makes millions, and 1,000 cold
  // first calls on v2 may each look the name up before one answer is cached.
  for (absl::string_view route :
       {TimelineRoute(UpstreamApi::kV1_1), TimelineRoute(UpstreamApi::kV2),
        kUserLookupRoute}) {
    absl::Status limited = admin_->SetRateLimit(route, 2147483647);
    if (!limited.ok()) return limited;
  }
  Say(absl::StrCat("emulator at ", url, " (pid ", emulator_->pid(), ")"));
  // The baselines read v2 by id, as perch does once it has looked it up.
  auto token = DirectToken();
  if (!token.ok()) return token.status();
  auto id = admin_->LookUpUserId(*token, kScreenName);
  if (!id.ok()) return id.status();
  user_id_ = *std::move(id);
  return SetUpCallerKey();
}

absl::StatusOr<Bench::Server> Bench::StartServer(
    const std::string& name, UpstreamApi api, std::vector<std::string> extra) {
  // Metrics on, as perch runs by default, but on a port of its own: several
  // servers may be up at once.
  std::vector<std::string> argv = {
      config_.server_binary, "--listen=127.0.0.1:0",
      "--metrics_listen=127.0.0.1:0", "--shutdown_grace=2s",
      absl::StrCat("--upstream_api=", UpstreamApiName(api))};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.insert(argv.end(), auth_flags_.begin(), auth_flags_.end());
  argv.insert(argv.end(), config_.server_flags.begin(),
              config_.server_flags.end());
  auto started = SpawnReady(
      {.argv = argv,
       .env = {absl::StrCat("PERCH_CONSUMER_KEY=", kAppKey),
               absl::StrCat("PERCH_CONSUMER_SECRET=", kAppSecret),
               absl::StrCat("PERCH_API_BASE_URL=", admin_->base_url())},
       .output_path =
           absl::StrCat(config_.work_dir, "/server-", ++server_count_, "-",
                        name, "-", UpstreamApiName(api), ".log")},
      WaitForServerPort, absl::Seconds(30));
  if (!started.ok()) return started.status();
  Server server;
  server.process = std::move(started->process);
  server.port = started->ready;
  Say(absl::StrCat("perch-server for ", name, " on port ", server.port,
                   " (pid ", server.process->pid(),
                   ", --upstream_api=", UpstreamApiName(api), ")"));
  return server;
}

absl::Status Bench::SetUpCallerKey() {
  auto help = ChildProcess::Spawn(
      {.argv = {config_.server_binary, "--help"},
       .output_path = absl::StrCat(config_.work_dir, "/help.log")});
  if (!help.ok()) return help.status();
  (void)(*help)->Wait(absl::Seconds(10));
  const std::string usage = (*help)->Output();
  if (usage.find("--api_keys_file") == std::string::npos) {
    Say("perch-server has no caller authentication; calling without a key");
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> key = NewApiKey("bench");
  if (!key.ok()) return key.status();
  api_key_ = *std::move(key);
  const std::string hex = Sha256Hex(api_key_);
  const std::string path = absl::StrCat(config_.work_dir, "/callers");
  {
    std::ofstream out(path, std::ios::trunc);
    // No quota: the benchmark is the only caller and must not be throttled.
    out << "# perch-bench: one caller, no quota\n"
        << "bench " << hex << " reader,admin rate=0\n";
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  chmod(path.c_str(), 0600);
  auth_flags_ = {absl::StrCat("--api_keys_file=", path)};
  Say("perch-server authenticates callers: the load carries an API key");
  return absl::OkStatus();
}

PerchLoadOptions Bench::PerchOptions(const Server& server) const {
  PerchLoadOptions o;
  o.target = server.target();
  o.api_key = api_key_;
  o.screen_name = kScreenName;
  o.page_size = config_.page_size;
  o.distinct_keys = config_.distinct_keys;
  return o;
}

TimelineTarget Bench::Target(UpstreamApi api) const {
  return TimelineTarget{api, kScreenName, user_id_};
}

absl::StatusOr<std::string> Bench::DirectToken() {
  if (token_.empty()) {
    absl::StatusOr<std::string> token =
        admin_->ObtainToken(kAppKey, kAppSecret);
    if (!token.ok()) return token.status();
    token_ = *std::move(token);
  }
  return token_;
}

void Bench::RunAll() {
  auto attempt = [this](const std::string& name, absl::Status status) {
    if (!status.ok()) {
      Say(absl::StrCat(name, " FAILED: ", status.ToString()));
      failures_[name] = status.ToString();
    }
  };
  if (Wants("overhead")) attempt("overhead", Overhead());
  if (Wants("alternative")) attempt("alternative", Alternative());
  if (Wants("scale")) attempt("scale", Scale());
  if (Wants("cold_start") || Wants("coalescing")) {
    attempt("cold_start", ColdStartAndCoalescing());
  }
  if (Wants("observability")) attempt("observability", Observability());
  ComputeBars();
}

namespace {

// A run about to be measured: what it is, before what it did.
Run NewRun(std::string scenario, std::string system, std::string label,
           UpstreamApi api) {
  Run run;
  run.scenario = std::move(scenario);
  run.system = std::move(system);
  run.label = std::move(label);
  run.upstream_api = UpstreamApiName(api);
  return run;
}

// Runs `load` while sampling `server_pid` (if > 0) and the emulator.
template <typename LoadFn>
absl::StatusOr<Run> Measure(Run run, pid_t server_pid,
                            const ChildProcess* emulator, bool keep_samples,
                            LoadFn load) {
  std::unique_ptr<ProcSampler> sampler;
  if (server_pid > 0) sampler = std::make_unique<ProcSampler>(server_pid, 50);
  const double emulator_cpu = EmulatorCpu(emulator);
  absl::StatusOr<LoadResult> result = load();
  run.emulator_cpu_seconds = EmulatorCpu(emulator) - emulator_cpu;
  if (sampler) {
    sampler->Stop();
    run.server_peak_rss_mib = sampler->peak_rss_kib() / 1024.0;
    run.server_hwm_mib = sampler->hwm_kib() / 1024.0;
    run.server_max_threads = sampler->max_threads();
    run.server_cpu_seconds = sampler->cpu_seconds();
    if (keep_samples) run.samples = sampler->samples();
  }
  if (!result.ok()) return result.status();
  run.load = *std::move(result);
  std::string server_note;
  if (run.server_peak_rss_mib) {
    server_note =
        absl::StrFormat("; server peak RSS %.1f MiB, %d threads",
                        *run.server_peak_rss_mib, *run.server_max_threads);
  }
  Say(absl::StrCat(run.scenario, " / ", run.system, " / ", run.upstream_api,
                   " / ", run.label, ": ", run.load.Describe(), server_note));
  return run;
}

}  // namespace

absl::Status Bench::Overhead() {
  Say("== overhead: perch vs direct libcurl per upstream dialect, 0 ms "
      "upstream latency");
  auto token = DirectToken();
  if (!token.ok()) return token.status();

  // One perch-server per dialect, both up for the whole scenario so that the
  // dialects take turns at each load point: whatever else the machine does
  // meanwhile falls on both ratios alike.
  struct Side {
    UpstreamApi api;
    Server server;
    bool all_points;
    PerchLoadOptions perch;
    DirectCurlOptions direct;
  };
  std::vector<Side> sides;
  for (UpstreamApi api : config_.overhead_apis) {
    auto server = StartServer("overhead", api);
    if (!server.ok()) return server.status();
    Side side{
        api,
        *std::move(server),
        !config_.other_apis_saturation_only || api == config_.upstream_api,
        {},
        {}};
    side.perch = PerchOptions(side.server);
    side.perch.warmup = config_.warmup;
    side.perch.duration = config_.duration;
    DirectCurlOptions& d = side.direct;
    d.base_url = admin_->base_url();
    d.bearer_token = *token;
    d.api = api;
    d.user_id = user_id_;
    d.screen_name = kScreenName;
    d.warmup = config_.warmup;
    d.duration = config_.duration;
    d.distinct_keys = config_.distinct_keys;
    d.threads = config_.direct_threads;
    d.page_size = config_.page_size;
    sides.push_back(std::move(side));
  }

  auto perch_run = [&](const Side& side, PerchLoadOptions o,
                       const std::string& label) -> absl::Status {
    auto run = Measure(NewRun("overhead", "perch", label, side.api),
                       side.server.process->pid(), emulator_.get(), false,
                       [&] { return RunPerchLoad(o); });
    if (!run.ok()) return run.status();
    runs_.push_back(*std::move(run));
    return absl::OkStatus();
  };
  auto direct_run = [&](const Side& side, DirectCurlOptions o,
                        const std::string& label) -> absl::Status {
    auto run =
        Measure(NewRun("overhead", "direct-curl", label, side.api), 0,
                emulator_.get(), false, [&] { return RunDirectCurl(o); });
    if (!run.ok()) return run.status();
    runs_.push_back(*std::move(run));
    return absl::OkStatus();
  };
  auto closed_pair = [&](const Side& side, int c) -> absl::Status {
    const std::string label =
        c == 1 ? "1 in flight" : absl::StrCat("closed c=", c);
    PerchLoadOptions p = side.perch;
    p.concurrency = c;
    p.channels = SaturationChannels(c);
    absl::Status s = perch_run(side, p, label);
    if (!s.ok()) return s;
    DirectCurlOptions d = side.direct;
    d.concurrency = c;
    d.threads = std::min(c, config_.direct_threads);
    return direct_run(side, d, label);
  };

  std::vector<int> points = {1};
  points.insert(points.end(), config_.saturation_concurrency.begin(),
                config_.saturation_concurrency.end());
  absl::Status s;
  for (int c : points) {
    for (const Side& side : sides) {
      if (c == 1 && !side.all_points) continue;
      if (s.ok()) s = closed_pair(side, c);
    }
  }

  // Latency under a fixed, sustainable load: both at the same rate, a
  // fraction of the lower of the dialect's two saturation throughputs.
  for (const Side& side : sides) {
    if (!s.ok() || !side.all_points) continue;
    const Run* perch_sat = Saturation("perch", side.api);
    const Run* direct_sat = Saturation("direct-curl", side.api);
    if (perch_sat == nullptr || direct_sat == nullptr) continue;
    const double rate =
        std::max(10.0, config_.open_rate_fraction *
                           std::min(perch_sat->load.throughput(),
                                    direct_sat->load.throughput()));
    const std::string label = absl::StrFormat("open %.0f/s", rate);
    PerchLoadOptions p = side.perch;
    p.mode = LoadMode::kOpen;
    p.rate = rate;
    p.channels = 4;
    s = perch_run(side, p, label);
    DirectCurlOptions d = side.direct;
    d.mode = LoadMode::kOpen;
    d.rate = rate;
    if (s.ok()) s = direct_run(side, d, label);
  }
  for (Side& side : sides) side.server.process->Stop();

  // The floor under *perch adds*: the same GetTimeline answered from perch's
  // own response cache (identical calls, --cache_ttl) at perch's saturation
  // point. No upstream request and no mapping: only the handler and carrying
  // the page through gRPC, server and client. Whatever perch does per call,
  // it cannot add less than this.
  for (const Side& side : sides) {
    if (!s.ok()) break;
    const Run* perch_sat = Saturation("perch", side.api);
    if (perch_sat == nullptr) continue;
    const std::string label = perch_sat->label;
    auto cached = StartServer("overhead-cached", side.api, {"--cache_ttl=10m"});
    if (!cached.ok()) return cached.status();
    PerchLoadOptions p = PerchOptions(*cached);
    p.warmup = config_.warmup;
    p.duration = config_.duration;
    p.concurrency = perch_sat->load.concurrency;
    p.channels = SaturationChannels(p.concurrency);
    p.distinct_keys = 0;
    auto run = Measure(NewRun("overhead", "perch-cached", label, side.api),
                       cached->process->pid(), emulator_.get(), false,
                       [&] { return RunPerchLoad(p); });
    cached->process->Stop();
    if (!run.ok()) return run.status();
    runs_.push_back(*std::move(run));
  }
  return s;
}

absl::Status Bench::Alternative() {
  Say(
      absl::StrCat("== alternative: nginx injecting the bearer header, driven "
                   "by wrk, ",
                   UpstreamApiName(config_.upstream_api), " requests"));
  auto token = DirectToken();
  if (!token.ok()) return token.status();
  const std::string upstream =
      admin_->base_url().substr(admin_->base_url().find("//") + 2);
  auto proxy = NginxProxy::Start(config_.nginx_binary, config_.work_dir,
                                 upstream, *token, "auto");
  if (!proxy.ok()) return proxy.status();
  std::vector<std::pair<int, std::string>> points = {{1, "1 in flight"}};
  for (int c : config_.saturation_concurrency) {
    points.emplace_back(c, absl::StrCat("closed c=", c));
  }
  for (const auto& [c, label] : points) {
    WrkOptions w;
    w.wrk_binary = config_.wrk_binary;
    // since_id is appended per request by the script.
    w.url_without_since_id =
        TimelineUrl((*proxy)->base_url(), Target(config_.upstream_api),
                    config_.page_size, 0);
    w.connections = c;
    w.threads = 1;
    w.warmup = config_.smoke ? absl::ZeroDuration() : absl::Seconds(1);
    w.duration = std::max(absl::Seconds(1), config_.duration);
    w.distinct_keys = config_.distinct_keys;
    w.work_dir = config_.work_dir;
    if (w.warmup > absl::ZeroDuration()) {
      // Warm up outside the measurement, so CPU per call counts only the
      // measured requests.
      WrkOptions warm = w;
      warm.duration = w.warmup;
      warm.warmup = absl::ZeroDuration();
      auto warmed = RunWrk(warm);
      if (!warmed.ok()) return warmed.status();
      w.warmup = absl::ZeroDuration();
    }
    const double proxy_cpu = (*proxy)->CpuSeconds();
    auto run =
        Measure(NewRun("alternative", "nginx", label, config_.upstream_api), 0,
                emulator_.get(), false, [&] { return RunWrk(w); });
    if (!run.ok()) return run.status();
    run->server_cpu_seconds = (*proxy)->CpuSeconds() - proxy_cpu;
    runs_.push_back(*std::move(run));
  }
  return absl::OkStatus();
}

absl::Status Bench::Scale() {
  std::vector<std::string> variants = {""};
  variants.insert(variants.end(), config_.scale_variants.begin(),
                  config_.scale_variants.end());
  for (const std::string& variant : variants) {
    Say(absl::StrCat("== scale: ", config_.scale_in_flight, " in flight, ",
                     absl::FormatDuration(config_.scale_latency),
                     " upstream latency", variant.empty() ? "" : ", ",
                     variant));
    std::vector<std::string> saved = config_.server_flags;
    if (!variant.empty()) config_.server_flags.push_back(variant);
    auto server = StartServer("scale", config_.upstream_api);
    config_.server_flags = saved;
    if (!server.ok()) return server.status();
    absl::Status faulted = admin_->AddFault(
        absl::StrCat(R"({"path_prefix":")",
                     ReadPathPrefix(config_.upstream_api), R"(","latency_ms":)",
                     absl::ToInt64Milliseconds(config_.scale_latency), "}"));
    if (!faulted.ok()) return faulted;
    PerchLoadOptions o = PerchOptions(*server);
    o.concurrency = config_.scale_in_flight;
    o.channels = config_.scale_channels;
    o.warmup = config_.scale_warmup;
    o.duration = config_.scale_duration;
    o.timeline_bucket_ms = config_.smoke ? 0 : 250;
    std::string label = absl::StrCat("closed c=", config_.scale_in_flight);
    if (!variant.empty()) absl::StrAppend(&label, ", ", variant);
    auto run = Measure(NewRun("scale", "perch", label, config_.upstream_api),
                       server->process->pid(), emulator_.get(),
                       !config_.smoke && variant.empty(),
                       [&] { return RunPerchLoad(o); });
    absl::Status cleared = admin_->ClearFaults();
    if (!run.ok()) return run.status();
    runs_.push_back(*std::move(run));
    server->process->Stop();
    if (!cleared.ok()) return cleared;
  }
  return absl::OkStatus();
}

// Issue #12's bar: what metrics and the JSON access log cost at saturation.
// Two perch-servers up side by side, one with everything on (/metrics
// scraped every second as Prometheus would, --log_format=json writing an
// access line per call) and one with both off (no --metrics_listen, so no
// layer records; text logs, no access lines). They take turns at each load
// point, the first of each round alternating, so whatever else the machine
// does meanwhile falls on both alike; the bar compares each side's best.
absl::Status Bench::Observability() {
  Say("== observability: saturation with metrics and JSON access logs on "
      "vs off");
  const UpstreamApi api = config_.upstream_api;
  struct Side {
    std::string system;
    Server server;
  };
  auto on = StartServer("observability-on", api,
                        {"--metrics_listen=127.0.0.1:0", "--log_format=json"});
  if (!on.ok()) return on.status();
  auto off = StartServer("observability-off", api,
                         {"--metrics_listen=", "--log_format=text"});
  if (!off.ok()) return off.status();
  auto metrics_port = WaitForMetricsPort(*on->process, absl::Seconds(30));
  if (!metrics_port.ok()) return metrics_port.status();
  std::vector<Side> sides;
  sides.push_back(Side{"perch-observability-on", *std::move(on)});
  sides.push_back(Side{"perch-observability-off", *std::move(off)});
  MetricsScraper scraper(*metrics_port, absl::Seconds(1));
  for (int round = 0; round < config_.observability_rounds; ++round) {
    for (int c : config_.observability_concurrency) {
      for (int i = 0; i < 2; ++i) {
        const Side& side = sides[(i + round) % 2];
        PerchLoadOptions o = PerchOptions(side.server);
        o.warmup = config_.warmup;
        o.duration = config_.duration;
        o.concurrency = c;
        o.channels = SaturationChannels(c);
        auto run = Measure(
            NewRun("observability", side.system,
                   absl::StrCat("closed c=", c, " round ", round + 1), api),
            side.server.process->pid(), emulator_.get(), false,
            [&] { return RunPerchLoad(o); });
        if (!run.ok()) return run.status();
        runs_.push_back(*std::move(run));
      }
    }
  }
  Say(absl::StrCat("observability: /metrics scraped ", scraper.ok(), " times (",
                   scraper.failed(), " failed)"));
  if (scraper.ok() == 0) {
    return absl::InternalError("no /metrics scrape succeeded");
  }
  return absl::OkStatus();
}

absl::Status Bench::ColdStartAndCoalescing() {
  Say("== cold start: concurrent first calls on a server with no token");
  absl::Status reset = admin_->Reset();
  if (!reset.ok()) return reset;
  const UpstreamApi api = config_.upstream_api;
  const std::string timeline_route(TimelineRoute(api));
  auto server = StartServer("cold-start", api);
  if (!server.ok()) return server.status();
  const pid_t pid = server->process->pid();
  PerchLoadOptions o = PerchOptions(*server);
  o.mode = LoadMode::kBurst;
  o.concurrency = config_.cold_start_calls;
  o.channels = std::max(1, config_.cold_start_calls / 100);
  o.distinct_keys = config_.distinct_keys;
  o.page_size = config_.page_size;
  auto cold =
      Measure(NewRun("cold_start", "perch",
                     absl::StrCat("burst ", config_.cold_start_calls), api),
              pid, emulator_.get(), false, [&] { return RunPerchLoad(o); });
  if (!cold.ok()) return cold.status();
  auto counts = admin_->RequestCounts();
  if (!counts.ok()) return counts.status();
  cold_start_token_requests_ = CountOf(*counts, kTokenPath);
  cold_start_errors_ = cold->load.error_count();
  Json cold_counts =
      Json::MakeObject()
          .Set("upstream_api", UpstreamApiName(api))
          .Set("calls", config_.cold_start_calls)
          .Set("errors", *cold_start_errors_)
          .Set("upstream_token_requests", *cold_start_token_requests_)
          .Set("upstream_timeline_requests", CountOf(*counts, timeline_route));
  if (api == UpstreamApi::kV2) {
    // Concurrent first calls all miss the empty name cache, and share one
    // lookup per name (server/upstream/lookup_cache.h).
    cold_counts.Set("upstream_user_lookups",
                    CountOf(*counts, kUserLookupRoute));
  }
  counts_.Set("cold_start", std::move(cold_counts));
  Say(absl::StrCat("cold start: ", *cold_start_token_requests_,
                   " upstream token request(s), ", *cold_start_errors_,
                   " caller error(s)"));
  runs_.push_back(*std::move(cold));

  if (!Wants("coalescing")) return absl::OkStatus();
  Say(absl::StrCat("== coalescing: ", config_.coalescing_calls,
                   " concurrent identical calls, ",
                   absl::FormatDuration(config_.coalescing_latency),
                   " upstream latency"));
  // The upstream answer takes a while, so every call arrives while the first
  // upstream request is still in flight: the case coalescing is for.
  // The timeline read only (on v2 not the lookup, cached by now anyway).
  absl::Status faulted = admin_->AddFault(absl::StrCat(
      R"({"path_prefix":")", TimelinePath(Target(api)), R"(","latency_ms":)",
      absl::ToInt64Milliseconds(config_.coalescing_latency), "}"));
  if (!faulted.ok()) return faulted;
  reset = admin_->Reset();
  if (!reset.ok()) return reset;
  o.concurrency = config_.coalescing_calls;
  o.channels = std::max(1, config_.coalescing_calls / 100);
  o.distinct_keys = 0;
  auto coalesced = Measure(
      NewRun("coalescing", "perch",
             absl::StrCat("burst ", config_.coalescing_calls, " identical"),
             api),
      pid, emulator_.get(), false, [&] { return RunPerchLoad(o); });
  absl::Status cleared = admin_->ClearFaults();
  if (!coalesced.ok()) return coalesced.status();
  counts = admin_->RequestCounts();
  if (!counts.ok()) return counts.status();
  coalescing_upstream_ = CountOf(*counts, timeline_route);
  coalescing_errors_ = coalesced->load.error_count();
  counts_.Set(
      "coalescing",
      Json::MakeObject()
          .Set("upstream_api", UpstreamApiName(api))
          .Set("calls", config_.coalescing_calls)
          .Set("errors", *coalescing_errors_)
          .Set("upstream_timeline_requests", *coalescing_upstream_)
          .Set("upstream_token_requests", CountOf(*counts, kTokenPath)));
  Say(absl::StrCat("coalescing: ", *coalescing_upstream_,
                   " upstream timeline request(s) for ",
                   config_.coalescing_calls, " identical calls"));
  runs_.push_back(*std::move(coalesced));
  server->process->Stop();
  return cleared;
}

const Run* Bench::Find(const std::string& scenario, const std::string& system,
                       const std::string& label, UpstreamApi api) const {
  for (const Run& r : runs_) {
    if (r.scenario == scenario && r.system == system && r.label == label &&
        r.upstream_api == UpstreamApiName(api)) {
      return &r;
    }
  }
  return nullptr;
}

const Run* Bench::Saturation(const std::string& system, UpstreamApi api) const {
  const Run* best = nullptr;
  for (const Run& r : runs_) {
    if (r.system != system || r.upstream_api != UpstreamApiName(api) ||
        r.load.mode != "closed" || r.label == "1 in flight" ||
        (r.scenario != "overhead" && r.scenario != "alternative")) {
      continue;
    }
    if (best == nullptr || r.load.throughput() > best->load.throughput()) {
      best = &r;
    }
  }
  return best;
}

void Bench::ComputeBars() {
  bars_.clear();
  dialects_.clear();
  auto ratio = [](double a, double b) { return b != 0 ? a / b : 0.0; };
  // perch's saturation throughput against `other`'s, as a ratio.
  auto throughput_bar = [&](std::string name, absl::string_view limit,
                            const Run* perch, const Run* other,
                            absl::string_view short_name, double min_ratio) {
    Bar b = NewBar(std::move(name), "saturation throughput (calls/s)");
    b.limit = std::string(limit);
    if (perch && other) {
      b.measured = true;
      b.value = perch->load.throughput();
      b.baseline = other->load.throughput();
      b.ratio = ratio(b.value, b.baseline);
      b.pass = b.ratio >= min_ratio;
      b.note =
          absl::StrCat("perch at ", perch->label, ", ", short_name, " at ",
                       other->label, ", ", perch->upstream_api, " upstream");
    }
    bars_.push_back(b);
  };
  // Overhead, once per upstream dialect, each against direct-curl making
  // that dialect's requests in the same run.
  for (UpstreamApi api : config_.overhead_apis) {
    const std::string name = UpstreamApiName(api);
    {
      Bar b = NewBar(absl::StrCat("overhead_latency_", name),
                     "median latency at 1 in flight (us)");
      b.limit = "perch p50 <= direct libcurl p50 + 150 us";
      const Run* perch = Find("overhead", "perch", "1 in flight", api);
      const Run* direct = Find("overhead", "direct-curl", "1 in flight", api);
      if (perch && direct) {
        b.measured = true;
        b.value = perch->load.latency.p50_us;
        b.baseline = direct->load.latency.p50_us;
        b.ratio = ratio(b.value, b.baseline);
        b.pass = b.value <= b.baseline + 150;
        b.note = absl::StrFormat("perch adds %.0f us, %s upstream",
                                 b.value - b.baseline, name);
      }
      bars_.push_back(b);
    }
    const Run* perch = Saturation("perch", api);
    const Run* direct = Saturation("direct-curl", api);
    throughput_bar(absl::StrCat("overhead_throughput_", name),
                   "perch >= 60% of direct libcurl", perch, direct, "direct",
                   0.6);
    if (perch && direct) {
      DialectSaturation d;
      d.upstream_api = name;
      d.perch_calls_per_s = perch->load.throughput();
      d.perch_at = perch->label;
      d.perch_cpu_us_per_call = perch->CpuMicrosPerCall();
      d.direct_calls_per_s = direct->load.throughput();
      d.direct_at = direct->label;
      // CPU per call moves with the load point (batching, queueing), so
      // what perch adds is taken against direct-curl at perch's point.
      const Run* same_load = Find("overhead", "direct-curl", perch->label, api);
      if (same_load == nullptr) same_load = direct;
      d.direct_cpu_at = same_load->label;
      d.direct_cpu_us_per_call = same_load->CpuMicrosPerCall();
      if (const Run* cached = Find("overhead", "perch-cached", perch->label, api)) {
        d.cached_cpu_us_per_call = cached->CpuMicrosPerCall();
      }
      dialects_.push_back(d);
    }
  }
  ComputeDialectParityBar();
  {
    // The best closed-loop run of each side of Observability.
    auto best = [&](const std::string& system) {
      const Run* found = nullptr;
      for (const Run& r : runs_) {
        if (r.scenario == "observability" && r.system == system &&
            (found == nullptr ||
             r.load.throughput() > found->load.throughput())) {
          found = &r;
        }
      }
      return found;
    };
    throughput_bar("observability_cost",
                   "metrics + JSON access log on >= 95% of both off",
                   best("perch-observability-on"),
                   best("perch-observability-off"), "off", 0.95);
  }
  const Run* perch_sat = Saturation("perch", config_.upstream_api);
  throughput_bar("alternative_throughput",
                 "perch >= nginx header-injecting proxy", perch_sat,
                 Saturation("nginx", config_.upstream_api), "nginx", 1.0);
  const Run* scale = nullptr;
  for (const Run& r : runs_) {
    // The run on the default configuration (variants add ", --flag").
    if (r.scenario == "scale" && r.label.find(", ") == std::string::npos) {
      scale = &r;
    }
  }
  const double ideal =
      config_.scale_in_flight / absl::ToDoubleSeconds(config_.scale_latency);
  {
    Bar b = NewBar(
        "scale_throughput",
        absl::StrFormat("throughput with %d in flight at %d ms (calls/s)",
                        config_.scale_in_flight,
                        absl::ToInt64Milliseconds(config_.scale_latency)));
    b.limit = "perch >= 80% of min(in_flight / latency, perch 0 ms saturation)";
    if (scale && perch_sat) {
      b.measured = true;
      b.value = scale->load.throughput();
      b.baseline = std::min(ideal, perch_sat->load.throughput());
      b.ratio = ratio(b.value, b.baseline);
      b.pass = b.ratio >= 0.8;
      b.note = absl::StrFormat(
          "in_flight/latency = %.0f/s, perch 0 ms saturation = %.0f/s", ideal,
          perch_sat->load.throughput());
    }
    bars_.push_back(b);
  }
  {
    Bar b = NewBar("scale_errors",
                   "failed or unfinished calls of the whole Scale run");
    b.limit = "zero, and calls complete";
    if (scale) {
      const LoadResult& l = scale->load;
      b.measured = true;
      b.value = static_cast<double>(l.all_errors + l.unfinished);
      b.baseline = static_cast<double>(l.all_ok + l.all_errors + l.unfinished);
      b.ratio = ratio(b.value, b.baseline);
      b.pass = l.all_errors == 0 && l.unfinished == 0 && l.ok > 0;
      b.note =
          absl::StrCat("baseline: every call issued; ", l.all_ok, " ok, ",
                       l.all_errors, " failed, ", l.unfinished, " unfinished, ",
                       l.ok, " completed inside the measured window");
    }
    bars_.push_back(b);
  }
  std::optional<double> scale_rss;
  std::optional<double> scale_threads;
  if (scale && scale->server_peak_rss_mib) {
    scale_rss = std::max(*scale->server_peak_rss_mib, *scale->server_hwm_mib);
  }
  if (scale && scale->server_max_threads) {
    scale_threads = static_cast<double>(*scale->server_max_threads);
  }
  bars_.push_back(CeilingBar("scale_rss",
                             "perch-server peak RSS during Scale (MiB)",
                             "<= 512 MiB", 512, scale_rss));
  bars_.push_back(CeilingBar("scale_threads",
                             "perch-server threads during Scale (max sampled)",
                             "<= 32", 32, scale_threads));
  {
    Bar b = NewBar("cold_start",
                   "upstream token requests for concurrent first calls");
    b.limit = "exactly 1, and no caller sees an error";
    if (cold_start_token_requests_) {
      b.measured = true;
      b.value = static_cast<double>(*cold_start_token_requests_);
      b.baseline = 1;
      b.ratio = b.value;
      b.pass = *cold_start_token_requests_ == 1 && *cold_start_errors_ == 0;
      b.note = absl::StrCat(config_.cold_start_calls, " calls, ",
                            *cold_start_errors_, " errors");
    }
    bars_.push_back(b);
  }
  {
    Bar b =
        NewBar("coalescing", "upstream timeline requests for identical calls");
    b.limit = "<= 2";
    if (coalescing_upstream_) {
      b.measured = true;
      b.value = static_cast<double>(*coalescing_upstream_);
      b.baseline = config_.coalescing_calls;
      b.ratio = ratio(b.value, b.baseline);
      b.pass = *coalescing_upstream_ <= 2;
      b.note = absl::StrCat("baseline: the ", config_.coalescing_calls,
                            " calls (no coalescing); ", *coalescing_errors_,
                            " errors");
    }
    bars_.push_back(b);
  }
}

void Bench::ComputeDialectParityBar() {
  const DialectSaturation* v1 = nullptr;
  const DialectSaturation* v2 = nullptr;
  for (const DialectSaturation& d : dialects_) {
    if (d.upstream_api == UpstreamApiName(UpstreamApi::kV1_1)) v1 = &d;
    if (d.upstream_api == UpstreamApiName(UpstreamApi::kV2)) v2 = &d;
  }
  Bar b = NewBar("dialect_parity",
                 "perch/direct saturation ratio: v2's (perch) against "
                 "v1.1's (baseline)");
  b.limit = absl::StrFormat("within %.0f%% of v1.1's",
                            config_.dialect_parity_tolerance * 100);
  if (v1 != nullptr && v2 != nullptr && v1->ratio() > 0) {
    b.measured = true;
    b.value = v2->ratio();
    b.baseline = v1->ratio();
    b.ratio = b.value / b.baseline;
    b.pass = std::abs(b.ratio - 1) <= config_.dialect_parity_tolerance;
    b.note = absl::StrFormat(
        "v2 %.0f / %.0f calls/s, v1.1 %.0f / %.0f calls/s; v2's ratio is "
        "%+.1f%% of v1.1's",
        v2->perch_calls_per_s, v2->direct_calls_per_s, v1->perch_calls_per_s,
        v1->direct_calls_per_s, (b.ratio - 1) * 100);
  }
  bars_.push_back(b);
}

std::vector<std::string> Bench::AssertionFailures(bool coalescing) const {
  std::vector<std::string> out;
  for (const auto& [name, error] : failures_) {
    out.push_back(absl::StrCat(name, " did not run: ", error));
  }
  for (const Run& r : runs_) {
    if (r.load.ok == 0) {
      out.push_back(absl::StrCat(r.scenario, "/", r.system, "/", r.label,
                                 ": no successful call"));
    }
  }
  if (Wants("overhead") && failures_.count("overhead") == 0) {
    for (UpstreamApi api : config_.overhead_apis) {
      bool measured = false;
      for (const DialectSaturation& d : dialects_) {
        measured |= d.upstream_api == UpstreamApiName(api);
      }
      if (!measured) {
        out.push_back(absl::StrCat("overhead: no saturation pair on ",
                                   UpstreamApiName(api)));
      }
    }
  }
  if (Wants("observability") && failures_.count("observability") == 0) {
    for (const Bar& b : bars_) {
      if (b.name == "observability_cost" && !b.measured) {
        out.push_back("observability: no on/off saturation pair");
      }
    }
  }
  if (Wants("cold_start") || Wants("coalescing")) {
    if (!cold_start_token_requests_ || *cold_start_token_requests_ != 1) {
      out.push_back(absl::StrCat(
          "cold start: expected exactly 1 upstream token request, saw ",
          cold_start_token_requests_ ? absl::StrCat(*cold_start_token_requests_)
                                     : "none measured"));
    }
    if (cold_start_errors_ && *cold_start_errors_ != 0) {
      out.push_back(absl::StrCat("cold start: ", *cold_start_errors_,
                                 " callers saw an error"));
    }
  }
  if (coalescing) {
    if (!coalescing_upstream_ || *coalescing_upstream_ > 2) {
      out.push_back(absl::StrCat(
          "coalescing: expected <= 2 upstream timeline requests, saw ",
          coalescing_upstream_ ? absl::StrCat(*coalescing_upstream_)
                               : "none measured"));
    }
  }
  return out;
}

}  // namespace perch::bench
