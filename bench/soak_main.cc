// perch-soak: runs perch-server against perch-emulator (HTTPS, the test CA)
// under steady mixed load from several callers with API keys, while the
// emulator's fault schedule rotates through every fault class; then drains
// perch with SIGTERM. Prints the per-fault table and the checks, writes the
// resource samples for plotting, and exits 1 on any violation.
// scripts/soak builds and runs it; docs/reliability.md explains the output.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <random>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "bench/bench_flags.h"
#include "bench/emulator_admin.h"
#include "bench/perch_processes.h"
#include "bench/proc_stats.h"
#include "bench/soak_check.h"
#include "bench/soak_faults.h"
#include "bench/soak_load.h"
#include "tests/testing/child_process.h"
#include "tests/testing/perch_process_lines.h"

// Left unset, the phase lengths follow --minutes (see Run).
ABSL_FLAG(double, minutes, 2, "load with faults this long (decimals ok)");
ABSL_FLAG(std::string, upstream_api, "v2",
          "perch-server's dialect: v2 or v1.1");
ABSL_FLAG(std::string, work_dir, "/tmp/perch-soak",
          "logs, callers file, samples");
ABSL_FLAG(std::string, samples, "",
          "resource samples for plotting (empty: WORK_DIR/samples.tsv)");
ABSL_FLAG(int, callers, 4, "callers with API keys, the first an admin");
ABSL_FLAG(int, workers_per_caller, 3, "calls in flight per caller");
ABSL_FLAG(int, think_ms, 20, "pause between a worker's calls");
ABSL_FLAG(std::optional<double>, warmup_seconds, std::nullopt,
          "calm load before the faults (unset: min(20, total/6))");
ABSL_FLAG(std::optional<double>, fault_seconds, std::nullopt,
          "each fault phase (unset: 8 up to 5 minutes, 20 beyond)");
ABSL_FLAG(std::optional<double>, calm_seconds, std::nullopt,
          "each calm phase after a fault (unset: 3 up to 5 minutes, 10 "
          "beyond)");
ABSL_FLAG(int, margin_ms, 1000, "how late past its deadline a call may end");
ABSL_FLAG(int, seed, 1,
          "the emulator's world and fault rolls, the load's choices");
ABSL_FLAG(std::string, server_binary, PERCH_SERVER_BINARY, "perch-server");
ABSL_FLAG(std::string, emulator_binary, PERCH_EMULATOR_BINARY,
          "perch-emulator");
ABSL_FLAG(std::string, cert_dir, PERCH_TEST_CERT_DIR,
          "the test CA and server certificate");

namespace perch::bench {
namespace {

using ::perch::testing::WaitForEmulatorUrl;
using ::perch::testing::WaitForServerPort;

constexpr char kUsage[] =
    "perch-soak: perch-server under load and rotating upstream faults\n";

constexpr absl::Duration kDeadline = absl::Seconds(2);
constexpr absl::Duration kMaxCallTime = absl::Seconds(3);
// No more than perch's upstream connections to an https host (8, and the
// emulator speaks HTTP/1.1): each call is then in flight upstream, not
// queued behind another, when SIGTERM comes.
constexpr int kDrainCalls = 8;

void Say(const std::string& line) {
  std::fprintf(stderr, "perch-soak: %s\n", line.c_str());
  std::fflush(stderr);
}

struct Sample {
  absl::Time at;
  int64_t rss_kib = 0;
  int64_t fds = 0;
  int64_t threads = 0;
  int64_t token_requests = 0;
};

// Samples perch-server's /proc and the emulator's counters every `period`.
class Monitor {
 public:
  Monitor(pid_t server, EmulatorAdmin& admin, absl::Duration period)
      : server_(server), admin_(admin), period_(period) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Monitor() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<Sample> samples() {
    absl::MutexLock lock(&mu_);
    return samples_;
  }

 private:
  void Run() {
    while (!stop_) {
      Sample s;
      s.at = absl::Now();
      auto proc = ReadProc(server_);
      auto fds = CountOpenFds(server_);
      auto stats = admin_.Stats();
      if (proc.ok() && fds.ok() && stats.ok()) {
        s.rss_kib = proc->rss_kib;
        s.threads = proc->threads;
        s.fds = *fds;
        s.token_requests = CountOf(stats->requests, "/oauth2/token");
        absl::MutexLock lock(&mu_);
        samples_.push_back(s);
      }
      absl::SleepFor(period_);
    }
  }

  const pid_t server_;
  EmulatorAdmin& admin_;
  const absl::Duration period_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  std::vector<Sample> samples_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

struct Growth {
  int64_t baseline = 0;
  int64_t peak = 0;
  int64_t last = 0;
};

// Baseline: the largest value of the last 5 s before `from`; peak: the
// largest from `from` to `until`.
template <typename Field>
Growth GrowthOf(const std::vector<Sample>& samples, absl::Time from,
                absl::Time until, Field field) {
  Growth g;
  for (const Sample& s : samples) {
    if (s.at >= from - absl::Seconds(5) && s.at < from) {
      g.baseline = std::max(g.baseline, field(s));
    } else if (s.at >= from && s.at <= until) {
      g.peak = std::max(g.peak, field(s));
      g.last = field(s);
    }
  }
  return g;
}

// The most token requests in any 10 s inside a phase of `phases` (each
// window widened to the samples around it, so never an undercount).
int64_t MaxTokenRequestsPer10s(const std::vector<Sample>& samples,
                               const std::vector<TimedPhase>& phases) {
  int64_t worst = 0;
  for (const TimedPhase& p : phases) {
    for (absl::Time w = p.start; w < p.end; w += absl::Milliseconds(500)) {
      const absl::Time w_end = std::min(w + absl::Seconds(10), p.end);
      int64_t before = -1, after = -1;
      for (const Sample& s : samples) {
        if (s.at <= w) before = s.token_requests;
        if (s.at >= w_end && after < 0) after = s.token_requests;
      }
      if (before >= 0 && after >= 0) worst = std::max(worst, after - before);
      if (w_end >= p.end) break;
    }
  }
  return worst;
}

std::string PhaseAt(const std::vector<TimedPhase>& phases,
                    const std::vector<FaultClass>& classes, absl::Time t) {
  for (const TimedPhase& p : phases) {
    if (t >= p.start && t < p.end) {
      return p.fault < 0 ? "calm" : classes[p.fault].name;
    }
  }
  return "-";
}

absl::Status WriteCallers(const std::string& path,
                          std::vector<SoakCaller>& callers, int count) {
  std::ofstream out(path, std::ios::trunc);
  out << "# perch-soak: its callers, no quota (the load must not be "
         "throttled by perch itself)\n";
  for (int i = 0; i < count; ++i) {
    SoakCaller c;
    c.admin = i == 0;
    c.name = c.admin ? "soak-admin" : absl::StrCat("soak-reader-", i);
    absl::StatusOr<std::string> key = NewApiKey("soak");
    if (!key.ok()) return key.status();
    c.api_key = *std::move(key);
    out << c.name << " " << Sha256Hex(c.api_key) << " "
        << (c.admin ? "reader,admin" : "reader") << " rate=0\n";
    callers.push_back(std::move(c));
  }
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  chmod(path.c_str(), 0600);
  return absl::OkStatus();
}

int Run() {
  const double minutes = absl::GetFlag(FLAGS_minutes);
  auto api = ParseUpstreamApi(absl::GetFlag(FLAGS_upstream_api));
  if (!api.ok()) return UsageError(api.status());
  const int callers_n = absl::GetFlag(FLAGS_callers);
  const int workers = absl::GetFlag(FLAGS_workers_per_caller);
  const int think_ms = absl::GetFlag(FLAGS_think_ms);
  const int margin_ms = absl::GetFlag(FLAGS_margin_ms);
  const int seed = absl::GetFlag(FLAGS_seed);
  const absl::Duration total = absl::Seconds(minutes * 60);
  const bool short_run = total <= absl::Minutes(5);
  const double warmup =
      absl::GetFlag(FLAGS_warmup_seconds)
          .value_or(std::min(20.0, absl::ToDoubleSeconds(total) / 6));
  const double fault_s =
      absl::GetFlag(FLAGS_fault_seconds).value_or(short_run ? 8 : 20);
  const double calm_s =
      absl::GetFlag(FLAGS_calm_seconds).value_or(short_run ? 3 : 10);
  if (callers_n < 1) {
    return UsageError(absl::InvalidArgumentError("--callers must be >= 1"));
  }
  const std::string work_dir = absl::GetFlag(FLAGS_work_dir);
  mkdir(work_dir.c_str(), 0700);
  std::string samples_path = absl::GetFlag(FLAGS_samples);
  if (samples_path.empty()) {
    samples_path = absl::StrCat(work_dir, "/samples.tsv");
  }
  const std::string cert_dir = absl::GetFlag(FLAGS_cert_dir);
  const std::string ca_file = absl::StrCat(cert_dir, "/ca.pem");

  // The upstream: HTTPS, as api.x.com is, with the test CA.
  auto emulator = SpawnReady(
      {.argv = {absl::GetFlag(FLAGS_emulator_binary), "--listen=127.0.0.1:0",
                absl::StrCat("--seed=", seed),
                absl::StrCat("--tls_cert_file=", cert_dir, "/server.pem"),
                absl::StrCat("--tls_key_file=", cert_dir, "/server.key")},
       .output_path = absl::StrCat(work_dir, "/emulator.log")},
      WaitForEmulatorUrl, absl::Seconds(30));
  if (!emulator.ok()) {
    Say(absl::StrCat("emulator: ", emulator.status().ToString()));
    return 1;
  }
  const std::string url = emulator->ready;
  EmulatorAdmin admin(url, ca_file);
  // The soak makes far more reads than the upstream's 15-minute windows
  // allow; its 429s come from the schedule, not from the windows.
  for (const char* route :
       {"/2/users/by/username/:username", "/2/users/:id/tweets",
        "/2/tweets/search/recent", "/2/users/:id/followers", "/2/lists/:id",
        "/2/lists/:id/tweets", "/2/lists/:id/members",
        "/2/users/:id/owned_lists", "/1.1/statuses/user_timeline.json",
        "/1.1/search/tweets.json", "/1.1/followers/list.json",
        "/1.1/followers/ids.json", "/1.1/lists/show.json",
        "/1.1/lists/statuses.json", "/1.1/lists/members.json"}) {
    if (absl::Status s = admin.SetRateLimit(route, 2147483647); !s.ok()) {
      Say(s.ToString());
      return 1;
    }
  }

  std::vector<SoakCaller> callers;
  const std::string callers_path = absl::StrCat(work_dir, "/callers");
  if (absl::Status s = WriteCallers(callers_path, callers, callers_n);
      !s.ok()) {
    Say(s.ToString());
    return 1;
  }
  auto server = SpawnReady(
      {.argv = {absl::GetFlag(FLAGS_server_binary), "--listen=127.0.0.1:0",
                "--metrics_listen=127.0.0.1:0",
                absl::StrCat("--upstream_api=", UpstreamApiName(*api)),
                absl::StrCat("--api_keys_file=", callers_path),
                absl::StrCat("--ca_file=", ca_file),
                absl::StrCat("--max_call_time=",
                             absl::ToInt64Seconds(kMaxCallTime), "s"),
                "--shutdown_grace=20s"},
       .env = {absl::StrCat("PERCH_CONSUMER_KEY=", kEmulatorAppKey),
               absl::StrCat("PERCH_CONSUMER_SECRET=", kEmulatorAppSecret),
               absl::StrCat("PERCH_API_BASE_URL=", url)},
       .output_path = absl::StrCat(work_dir, "/server.log")},
      WaitForServerPort, absl::Seconds(30));
  if (!server.ok()) {
    Say(absl::StrCat("perch-server: ", server.status().ToString()));
    return 1;
  }
  const pid_t server_pid = server->process->pid();
  const std::string target = absl::StrCat("127.0.0.1:", server->ready);
  Say(absl::StrCat("emulator at ", url, ", perch-server (pid ", server_pid,
                   ", --upstream_api=", UpstreamApiName(*api), ") at ", target,
                   "; logs in ", work_dir));

  const std::vector<FaultClass> classes = SoakFaultClasses(*api, kMaxCallTime);
  const std::vector<SoakPhase> rotation = SoakRotation(
      classes.size(), absl::Seconds(fault_s), absl::Seconds(calm_s));

  Monitor monitor(server_pid, admin, absl::Milliseconds(250));
  SoakLoadOptions load_options;
  load_options.target = target;
  load_options.callers = callers;
  load_options.workers_per_caller = workers;
  load_options.think = absl::Milliseconds(think_ms);
  load_options.deadline = kDeadline;
  load_options.max_call_time = kMaxCallTime;
  load_options.seed = static_cast<uint64_t>(seed);
  SoakLoad load(load_options);
  const absl::Time load_start = absl::Now();
  load.Start();
  absl::SleepFor(absl::Seconds(warmup));

  // Whole milliseconds, as the emulator reads them.
  const absl::Time faults_start =
      absl::FromUnixMillis(absl::ToUnixMillis(absl::Now()));
  const absl::Time faults_end = load_start + total;
  auto set = admin.SetSchedule(ScheduleJson(classes, rotation, faults_start));
  if (!set.ok()) {
    Say(absl::StrCat("schedule: ", set.status().ToString()));
    return 1;
  }
  const std::vector<TimedPhase> phases =
      LayOut(rotation, faults_start, faults_end);
  Say(absl::StrCat("faults from now until ", absl::FormatTime(faults_end), ": ",
                   *set));
  while (absl::Now() < faults_end) {
    absl::SleepFor(std::min(absl::Seconds(30), faults_end - absl::Now()));
    auto s = ReadProc(server_pid);
    Say(absl::StrFormat("%.0f s: %d calls; phase %s; server RSS %.1f MiB",
                        absl::ToDoubleSeconds(absl::Now() - load_start),
                        load.calls(), PhaseAt(phases, classes, absl::Now()),
                        s.ok() ? s->rss_kib / 1024.0 : -1.0));
  }
  (void)admin.ClearSchedule();
  load.Stop();
  const absl::Time load_end = absl::Now();
  std::vector<SoakCall> calls = load.TakeCalls();

  // SIGTERM with calls in flight: each held upstream 1 s, all of them
  // accepted (the emulator has seen every one) before the signal.
  const std::string search_route = api.value() == UpstreamApi::kV2
                                       ? "/2/tweets/search/recent"
                                       : "/1.1/search/tweets.json";
  (void)admin.AddFault(absl::StrCat(R"({"path_prefix":")", search_route,
                                    R"(","latency_ms":1000})"));
  auto before = admin.Stats();
  const int64_t searches_before =
      before.ok() ? CountOf(before->requests, search_route) : 0;
  SoakClient drain_client(target, callers.front());
  std::vector<SoakCall> drained(kDrainCalls);
  std::vector<std::thread> drainers;
  for (int i = 0; i < kDrainCalls; ++i) {
    drainers.emplace_back([&, i] {
      std::mt19937_64 rng(static_cast<uint64_t>(seed) * 1000 + i);
      drained[i] =
          drain_client.Call(SoakRpc::kSearch, /*distinct=*/true, rng,
                            absl::Seconds(15), kMaxCallTime, absl::Seconds(10));
      drained[i].drain = true;
      drained[i].budget = absl::Seconds(15);
    });
  }
  bool all_accepted = false;
  for (absl::Time give_up = absl::Now() + absl::Seconds(20);
       absl::Now() < give_up && !all_accepted;
       absl::SleepFor(absl::Milliseconds(20))) {
    auto now = admin.Stats();
    all_accepted =
        now.ok() &&
        CountOf(now->requests, search_route) - searches_before >= kDrainCalls;
  }
  server->process->Signal(SIGTERM);
  const absl::Time sigterm_at = absl::Now();
  for (std::thread& t : drainers) t.join();
  auto exit_code = server->process->Wait(absl::Seconds(40));
  const absl::Duration exit_after = absl::Now() - sigterm_at;
  monitor.Stop();
  auto final_stats = admin.Stats();
  emulator->process->Stop();

  // Judge.
  SoakChecker checker(classes, phases, absl::Milliseconds(margin_ms));
  for (const SoakCall& c : calls) checker.Add(c);
  int64_t drained_ok = 0;
  for (const SoakCall& c : drained) {
    checker.Add(c);
    drained_ok += c.code == grpc::StatusCode::OK;
  }
  std::vector<std::string> violations = checker.Violations();
  std::vector<std::string> checks;
  auto check = [&](bool ok, std::string what) {
    checks.push_back(absl::StrCat(ok ? "PASS  " : "FAIL  ", what));
    if (!ok) violations.push_back(std::move(what));
  };

  const std::vector<Sample> samples = monitor.samples();
  const absl::Time warm = faults_start;
  const Growth rss = GrowthOf(samples, warm, load_end,
                              [](const Sample& s) { return s.rss_kib; });
  const Growth fds =
      GrowthOf(samples, warm, load_end, [](const Sample& s) { return s.fds; });
  const Growth threads = GrowthOf(samples, warm, load_end,
                                  [](const Sample& s) { return s.threads; });
  std::vector<TimedPhase> outages;
  for (const TimedPhase& p : phases) {
    if (p.fault >= 0 && classes[p.fault].token_endpoint_down) {
      outages.push_back(p);
    }
  }
  const int64_t token_burst = MaxTokenRequestsPer10s(samples, outages);

  check(!calls.empty() && checker.Violations().empty(),
        absl::StrCat(calls.size(), " calls: each ended within its deadline + ",
                     margin_ms, " ms with a code its fault maps to"));
  if (final_stats.ok()) {
    check(final_stats->tokens_issued <= final_stats->revocations + 1,
          absl::StrCat("tokens obtained ", final_stats->tokens_issued,
                       " <= revocations ", final_stats->revocations, " + 1"));
  } else {
    check(false, "emulator stats at the end");
  }
  check(!outages.empty() && token_burst <= 10,
        absl::StrCat("token requests while the token endpoint was down: at "
                     "most ",
                     token_burst, " in any 10 s (bound 10; ", outages.size(),
                     " outages)"));
  check(rss.peak - rss.baseline <= 20 * 1024,
        absl::StrFormat("RSS after warm-up: %.1f MiB, peak %.1f, last %.1f "
                        "(growth bound +20 MB)",
                        rss.baseline / 1024.0, rss.peak / 1024.0,
                        rss.last / 1024.0));
  check(fds.peak - fds.baseline <= 16,
        absl::StrCat("open fds after warm-up: ", fds.baseline, ", peak ",
                     fds.peak, ", last ", fds.last, " (growth bound +16)"));
  check(threads.peak - threads.baseline <= 4,
        absl::StrCat("threads after warm-up: ", threads.baseline, ", peak ",
                     threads.peak, ", last ", threads.last,
                     " (growth bound +4)"));
  check(all_accepted && drained_ok == kDrainCalls,
        absl::StrCat("SIGTERM with ", kDrainCalls,
                     " calls in flight upstream: ", drained_ok, " ended OK",
                     all_accepted ? "" : " (not all were in flight)"));
  check(exit_code.ok() && *exit_code == 0,
        absl::StrCat("perch-server exited ",
                     exit_code.ok() ? absl::StrCat(*exit_code)
                                    : exit_code.status().ToString(),
                     absl::StrFormat(" %.1f s after SIGTERM (want 0)",
                                     absl::ToDoubleSeconds(exit_after))));

  // Samples for the plots: seconds since the load started.
  std::ofstream out(samples_path, std::ios::trunc);
  out << "# t_s rss_mib fds threads token_requests phase (faults from t="
      << absl::ToDoubleSeconds(faults_start - load_start) << ")\n";
  for (const Sample& s : samples) {
    out << absl::StrFormat("%.2f %.2f %d %d %d %s\n",
                           absl::ToDoubleSeconds(s.at - load_start),
                           s.rss_kib / 1024.0, s.fds, s.threads,
                           s.token_requests, PhaseAt(phases, classes, s.at));
  }

  std::printf(
      "\nperch-soak: %.1f min, --upstream_api=%s, %d callers x %d workers, "
      "deadline %s (%.0f%% of calls without one: perch's --max_call_time=%s)"
      "\n\n%s\n",
      absl::ToDoubleMinutes(load_end - load_start),
      UpstreamApiName(*api).c_str(), callers_n, workers,
      absl::FormatDuration(kDeadline).c_str(),
      load_options.no_deadline_fraction * 100,
      absl::FormatDuration(kMaxCallTime).c_str(),
      FormatSoakTable(checker.Rows()).c_str());
  for (const std::string& c : checks) std::printf("%s\n", c.c_str());
  if (!violations.empty()) {
    std::printf("\nVIOLATIONS:\n");
    for (const std::string& v : violations) std::printf("  %s\n", v.c_str());
  }
  std::printf("\nsamples: %s\n", samples_path.c_str());
  return violations.empty() ? 0 : 1;
}

}  // namespace
}  // namespace perch::bench

int main(int argc, char** argv) {
  perch::bench::ParseBenchFlags(argc, argv, perch::bench::kUsage);
  return perch::bench::Run();
}
