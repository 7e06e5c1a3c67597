#include "bench/scenarios.h"

#include <openssl/sha.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/direct_curl.h"
#include "bench/nginx_wrk.h"
#include "bench/perch_load.h"

namespace perch::bench {
namespace {

// The example app of the application-only authentication guide, which the
// emulator accepts by default.
constexpr char kAppKey[] = "xvz1evFS4wEEPTGEFPHBog";
constexpr char kAppSecret[] = "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg";
constexpr char kTimelinePath[] = "/1.1/statuses/user_timeline.json";
constexpr char kTokenPath[] = "/oauth2/token";

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
  cold_start_calls = 100;
  coalescing_calls = 100;
  coalescing_latency = absl::Seconds(1);
}

Json BenchConfig::ToJson() const {
  Json sat = Json::MakeArray();
  for (int c : saturation_concurrency) sat.Push(c);
  Json flags = Json::MakeArray();
  for (const std::string& f : server_flags) flags.Push(f);
  return Json::MakeObject()
      .Set("smoke", smoke)
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
      .Set("load", load.ToJson())
      .Set("server", std::move(server))
      .Set("emulator_cpu_seconds", emulator_cpu_seconds)
      .Set("cpu_us_per_call_all_processes", CpuMicrosPerCall());
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
  auto emulator =
      ChildProcess::Spawn({config_.emulator_binary, "--listen=127.0.0.1:0",
                           "--max_token_requests_per_minute=100000"},
                          {}, absl::StrCat(config_.work_dir, "/emulator.log"));
  if (!emulator.ok()) return emulator.status();
  emulator_ = *std::move(emulator);
  constexpr absl::string_view kListening = "perch-emulator listening on ";
  auto line = emulator_->WaitForLine(kListening, absl::Seconds(20));
  if (!line.ok()) return line.status();
  std::string url =
      line->substr(line->find(std::string(kListening)) + kListening.size());
  while (!url.empty() && (url.back() == '\r' || url.back() == ' ')) {
    url.pop_back();
  }
  admin_ = std::make_unique<EmulatorAdmin>(url);
  // The emulator enforces the upstream's 1,500 reads per 15 minutes; a
  // benchmark makes millions.
  absl::Status limited = admin_->SetRateLimit(kTimelinePath, 2147483647);
  if (!limited.ok()) return limited;
  Say(absl::StrCat("emulator at ", url, " (pid ", emulator_->pid(), ")"));
  return SetUpCallerKey();
}

absl::StatusOr<Bench::Server> Bench::StartServer(const std::string& name) {
  std::vector<std::string> argv = {
      config_.server_binary, "--listen=127.0.0.1:0", "--shutdown_grace=2s"};
  argv.insert(argv.end(), auth_flags_.begin(), auth_flags_.end());
  argv.insert(argv.end(), config_.server_flags.begin(),
              config_.server_flags.end());
  auto process = ChildProcess::Spawn(
      argv,
      {absl::StrCat("PERCH_CONSUMER_KEY=", kAppKey),
       absl::StrCat("PERCH_CONSUMER_SECRET=", kAppSecret),
       absl::StrCat("PERCH_API_BASE_URL=", admin_->base_url())},
      absl::StrCat(config_.work_dir, "/server-", ++server_count_, "-", name,
                   ".log"));
  if (!process.ok()) return process.status();
  Server server;
  server.process = *std::move(process);
  auto line = server.process->WaitForLine("(port ", absl::Seconds(30));
  if (!line.ok()) return line.status();
  const size_t at = line->find("(port ") + 6;
  const std::string digits = line->substr(at, line->find(')', at) - at);
  if (!absl::SimpleAtoi(digits, &server.port)) {
    return absl::InternalError(absl::StrCat("no port in: ", *line));
  }
  Say(absl::StrCat("perch-server for ", name, " on port ", server.port,
                   " (pid ", server.process->pid(), ")"));
  return server;
}

absl::Status Bench::SetUpCallerKey() {
  auto help = ChildProcess::Spawn({config_.server_binary, "--help"}, {},
                                  absl::StrCat(config_.work_dir, "/help.log"));
  if (!help.ok()) return help.status();
  (void)(*help)->Wait(absl::Seconds(10));
  const std::string usage =
      ReadFileOrEmpty(absl::StrCat(config_.work_dir, "/help.log"));
  if (usage.find("--api_keys_file") == std::string::npos) {
    Say("perch-server has no caller authentication; calling without a key");
    return absl::OkStatus();
  }
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  unsigned char raw[24];
  urandom.read(reinterpret_cast<char*>(raw), sizeof(raw));
  if (!urandom) return absl::InternalError("cannot read /dev/urandom");
  api_key_ = absl::StrCat(
      "bench-", absl::BytesToHexString(absl::string_view(
                    reinterpret_cast<const char*>(raw), sizeof(raw))));
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(api_key_.data()),
         api_key_.size(), digest);
  const std::string hex = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
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
  o.page_size = config_.page_size;
  o.distinct_keys = config_.distinct_keys;
  return o;
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
  ComputeBars();
}

namespace {

// Runs `load` while sampling `server_pid` (if > 0) and the emulator.
template <typename LoadFn>
absl::StatusOr<Run> Measure(const std::string& scenario,
                            const std::string& system, const std::string& label,
                            pid_t server_pid, const ChildProcess* emulator,
                            bool keep_samples, LoadFn load) {
  Run run;
  run.scenario = scenario;
  run.system = system;
  run.label = label;
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
  Say(absl::StrCat(scenario, " / ", system, " / ", label, ": ",
                   run.load.Describe(), server_note));
  return run;
}

}  // namespace

absl::Status Bench::Overhead() {
  Say("== overhead: perch vs direct libcurl, 0 ms upstream latency");
  auto server = StartServer("overhead");
  if (!server.ok()) return server.status();
  auto token = DirectToken();
  if (!token.ok()) return token.status();
  const pid_t pid = server->process->pid();

  PerchLoadOptions p = PerchOptions(*server);
  p.warmup = config_.warmup;
  p.duration = config_.duration;
  p.distinct_keys = config_.distinct_keys;
  p.page_size = config_.page_size;
  DirectCurlOptions d;
  d.base_url = admin_->base_url();
  d.bearer_token = *token;
  d.warmup = config_.warmup;
  d.duration = config_.duration;
  d.distinct_keys = config_.distinct_keys;
  d.threads = config_.direct_threads;
  d.page_size = config_.page_size;

  auto perch_closed = [&](int c, const std::string& label) -> absl::Status {
    PerchLoadOptions o = p;
    o.concurrency = c;
    o.channels = SaturationChannels(c);
    auto run = Measure("overhead", "perch", label, pid, emulator_.get(), false,
                       [&] { return RunPerchLoad(o); });
    if (!run.ok()) return run.status();
    runs_.push_back(*std::move(run));
    return absl::OkStatus();
  };
  auto direct_closed = [&](int c, const std::string& label) -> absl::Status {
    DirectCurlOptions o = d;
    o.concurrency = c;
    o.threads = std::min(c, config_.direct_threads);
    auto run = Measure("overhead", "direct-curl", label, 0, emulator_.get(),
                       false, [&] { return RunDirectCurl(o); });
    if (!run.ok()) return run.status();
    runs_.push_back(*std::move(run));
    return absl::OkStatus();
  };
  absl::Status s = perch_closed(1, "1 in flight");
  if (s.ok()) s = direct_closed(1, "1 in flight");
  for (int c : config_.saturation_concurrency) {
    const std::string label = absl::StrCat("closed c=", c);
    if (s.ok()) s = perch_closed(c, label);
    if (s.ok()) s = direct_closed(c, label);
  }
  if (!s.ok()) return s;

  // Latency under a fixed, sustainable load: both at the same rate, a
  // fraction of the lower of the two saturation throughputs.
  const Run* perch_sat = Saturation("perch");
  const Run* direct_sat = Saturation("direct-curl");
  if (perch_sat == nullptr || direct_sat == nullptr) return absl::OkStatus();
  const double rate =
      std::max(10.0, config_.open_rate_fraction *
                         std::min(perch_sat->load.throughput(),
                                  direct_sat->load.throughput()));
  const std::string label = absl::StrFormat("open %.0f/s", rate);
  {
    PerchLoadOptions o = p;
    o.mode = LoadMode::kOpen;
    o.rate = rate;
    o.channels = 4;
    auto run = Measure("overhead", "perch", label, pid, emulator_.get(), false,
                       [&] { return RunPerchLoad(o); });
    if (!run.ok()) return run.status();
    runs_.push_back(*std::move(run));
  }
  {
    DirectCurlOptions o = d;
    o.mode = LoadMode::kOpen;
    o.rate = rate;
    auto run = Measure("overhead", "direct-curl", label, 0, emulator_.get(),
                       false, [&] { return RunDirectCurl(o); });
    if (!run.ok()) return run.status();
    runs_.push_back(*std::move(run));
  }
  server->process->Stop();
  return absl::OkStatus();
}

absl::Status Bench::Alternative() {
  Say("== alternative: nginx injecting the bearer header, driven by wrk");
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
        TimelineUrl((*proxy)->base_url(), "perch_dev", config_.page_size, 0);
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
    auto run = Measure("alternative", "nginx", label, 0, emulator_.get(), false,
                       [&] { return RunWrk(w); });
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
    auto server = StartServer("scale");
    config_.server_flags = saved;
    if (!server.ok()) return server.status();
    absl::Status faulted = admin_->AddFault(
        absl::StrCat(R"({"path_prefix":"/1.1/","latency_ms":)",
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
    auto run = Measure("scale", "perch", label, server->process->pid(),
                       emulator_.get(), !config_.smoke && variant.empty(),
                       [&] { return RunPerchLoad(o); });
    absl::Status cleared = admin_->ClearFaults();
    if (!run.ok()) return run.status();
    runs_.push_back(*std::move(run));
    server->process->Stop();
    if (!cleared.ok()) return cleared;
  }
  return absl::OkStatus();
}

absl::Status Bench::ColdStartAndCoalescing() {
  Say("== cold start: concurrent first calls on a server with no token");
  absl::Status reset = admin_->Reset();
  if (!reset.ok()) return reset;
  auto server = StartServer("cold-start");
  if (!server.ok()) return server.status();
  const pid_t pid = server->process->pid();
  PerchLoadOptions o = PerchOptions(*server);
  o.mode = LoadMode::kBurst;
  o.concurrency = config_.cold_start_calls;
  o.channels = std::max(1, config_.cold_start_calls / 100);
  o.distinct_keys = config_.distinct_keys;
  o.page_size = config_.page_size;
  auto cold = Measure("cold_start", "perch",
                      absl::StrCat("burst ", config_.cold_start_calls), pid,
                      emulator_.get(), false, [&] { return RunPerchLoad(o); });
  if (!cold.ok()) return cold.status();
  auto counts = admin_->RequestCounts();
  if (!counts.ok()) return counts.status();
  cold_start_token_requests_ = CountOf(*counts, kTokenPath);
  cold_start_errors_ = cold->load.error_count();
  counts_.Set(
      "cold_start",
      Json::MakeObject()
          .Set("calls", config_.cold_start_calls)
          .Set("errors", *cold_start_errors_)
          .Set("upstream_token_requests", *cold_start_token_requests_)
          .Set("upstream_timeline_requests", CountOf(*counts, kTimelinePath)));
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
  absl::Status faulted = admin_->AddFault(
      absl::StrCat(R"({"path_prefix":")", kTimelinePath, R"(","latency_ms":)",
                   absl::ToInt64Milliseconds(config_.coalescing_latency), "}"));
  if (!faulted.ok()) return faulted;
  reset = admin_->Reset();
  if (!reset.ok()) return reset;
  o.concurrency = config_.coalescing_calls;
  o.channels = std::max(1, config_.coalescing_calls / 100);
  o.distinct_keys = 0;
  auto coalesced =
      Measure("coalescing", "perch",
              absl::StrCat("burst ", config_.coalescing_calls, " identical"),
              pid, emulator_.get(), false, [&] { return RunPerchLoad(o); });
  absl::Status cleared = admin_->ClearFaults();
  if (!coalesced.ok()) return coalesced.status();
  counts = admin_->RequestCounts();
  if (!counts.ok()) return counts.status();
  coalescing_upstream_ = CountOf(*counts, kTimelinePath);
  coalescing_errors_ = coalesced->load.error_count();
  counts_.Set(
      "coalescing",
      Json::MakeObject()
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
                       const std::string& label) const {
  for (const Run& r : runs_) {
    if (r.scenario == scenario && r.system == system && r.label == label) {
      return &r;
    }
  }
  return nullptr;
}

const Run* Bench::Saturation(const std::string& system) const {
  const Run* best = nullptr;
  for (const Run& r : runs_) {
    if (r.system != system || r.load.mode != "closed" ||
        r.label == "1 in flight" ||
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
  auto ratio = [](double a, double b) { return b != 0 ? a / b : 0.0; };
  {
    Bar b = NewBar("overhead_latency", "median latency at 1 in flight (us)");
    b.limit = "perch p50 <= direct libcurl p50 + 150 us";
    const Run* perch = Find("overhead", "perch", "1 in flight");
    const Run* direct = Find("overhead", "direct-curl", "1 in flight");
    if (perch && direct) {
      b.measured = true;
      b.value = perch->load.latency.p50_us;
      b.baseline = direct->load.latency.p50_us;
      b.ratio = ratio(b.value, b.baseline);
      b.pass = b.value <= b.baseline + 150;
      b.note = absl::StrFormat("perch adds %.0f us", b.value - b.baseline);
    }
    bars_.push_back(b);
  }
  const Run* perch_sat = Saturation("perch");
  // perch's saturation throughput against `system`'s, as a ratio.
  auto throughput_bar = [&](absl::string_view name, absl::string_view limit,
                            absl::string_view system,
                            absl::string_view short_name, double min_ratio) {
    Bar b = NewBar(std::string(name), "saturation throughput (calls/s)");
    b.limit = std::string(limit);
    const Run* other = Saturation(std::string(system));
    if (perch_sat && other) {
      b.measured = true;
      b.value = perch_sat->load.throughput();
      b.baseline = other->load.throughput();
      b.ratio = ratio(b.value, b.baseline);
      b.pass = b.ratio >= min_ratio;
      b.note = absl::StrCat("perch at ", perch_sat->label, ", ", short_name,
                            " at ", other->label);
    }
    bars_.push_back(b);
  };
  throughput_bar("overhead_throughput", "perch >= 60% of direct libcurl",
                 "direct-curl", "direct", 0.6);
  throughput_bar("alternative_throughput",
                 "perch >= nginx header-injecting proxy", "nginx", "nginx",
                 1.0);
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
  {
    Bar b = NewBar("scale_rss", "perch-server peak RSS during Scale (MiB)");
    b.limit = "<= 512 MiB";
    if (scale && scale->server_peak_rss_mib) {
      b.measured = true;
      b.value = std::max(*scale->server_peak_rss_mib, *scale->server_hwm_mib);
      b.baseline = 512;
      b.ratio = ratio(b.value, b.baseline);
      b.pass = b.value <= 512;
      b.note = "baseline: the limit";
    }
    bars_.push_back(b);
  }
  {
    Bar b = NewBar("scale_threads",
                   "perch-server threads during Scale (max sampled)");
    b.limit = "<= 32";
    if (scale && scale->server_max_threads) {
      b.measured = true;
      b.value = static_cast<double>(*scale->server_max_threads);
      b.baseline = 32;
      b.ratio = ratio(b.value, b.baseline);
      b.pass = b.value <= 32;
      b.note = "baseline: the limit";
    }
    bars_.push_back(b);
  }
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
