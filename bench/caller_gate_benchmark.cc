// Micro-benchmark of what every perch.v1 call pays at the caller gate: the
// admission of an API key (callers file lookup, roles, quota) with its
// perch_caller_calls_total increment, on 1 and 2 threads. Two ways to
// count, in the same run:
//   Resolved     the gate as it is: the caller's series resolved when the
//                callers file loaded, one atomic load and add per call;
//   LabelLookup  the gate before (kept here only, as the baseline): no
//                resolved series, the family looked up by label per call
//                (Family::WithLabels: a label vector, the family's lock, a
//                map lookup), as CallerGate::Admitted did.
// Count* measures the increment alone. After the table, a line per pair
// says how many times slower the old path is per call (LabelLookup time /
// Resolved time), in real time and in CPU time.
//
//   ninja -C build -j1 caller_gate_benchmark
//   build/bench/caller_gate_benchmark --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one line)
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "benchmark/benchmark.h"
#include "server/common/clock.h"
#include "server/metrics/perch_metrics.h"
#include "server/metrics/registry.h"
#include "server/security/caller_gate.h"

namespace perch::security {
namespace {

constexpr int kCallers = 4;

std::string KeyOf(int caller) { return absl::StrCat("bench-key-", caller); }

// Sinks the audit lines of denials (none are expected: every key is known).
class NoAuditLog final : public AuditLog {
 public:
  void Record(const AuditEvent&) override {}
};

std::unique_ptr<ReloadingApiKeys> OpenOrDie(const std::string& path,
                                            const Clock& clock) {
  auto keys = ReloadingApiKeys::Open(path, absl::Hours(1), clock);
  if (!keys.ok()) {
    std::fprintf(stderr, "caller_gate_benchmark: %s\n",
                 std::string(keys.status().message()).c_str());
    std::exit(1);
  }
  return *std::move(keys);
}

// One callers file, and two gates on it: one recording into perch_caller_*
// (series resolved at load), one without metrics for the baseline, which
// then counts by label lookup into a twin family. Shared by every thread
// of a run, as the server's one gate is.
struct Fixture {
  Fixture() : metrics(registry, clock, {}) {
    path = absl::StrCat("/tmp/perch_caller_gate_benchmark_", ::getpid());
    {
      std::ofstream out(path, std::ios::trunc);
      for (int i = 0; i < kCallers; ++i) {
        const Sha256Digest d = Sha256(KeyOf(i));
        out << "caller" << i << " "
            << absl::BytesToHexString(absl::string_view(
                   reinterpret_cast<const char*>(d.data()), d.size()))
            << " reader\n";
      }
    }
    // The baseline's keys are a holder of their own: had it shared the
    // resolved gate's, their entries would carry that gate's series.
    keys = OpenOrDie(path, clock);
    baseline_keys = OpenOrDie(path, clock);
    std::remove(path.c_str());
    // Rate 0: no quota, so the quota's own lock stays out of the figures.
    resolved = std::make_unique<CallerGate>(
        GateOptions{.keys = keys.get(), .metrics = &metrics.callers()}, clock,
        audit);
    baseline = std::make_unique<CallerGate>(
        GateOptions{.keys = baseline_keys.get()}, clock, audit);
    calls = &registry.AddCounter("bench_caller_calls_total",
                                 "perch_caller_calls_total's twin", {"caller"});
  }

  std::string path;
  metrics::Registry registry;
  SystemClock clock;
  metrics::PerchMetrics metrics;
  NoAuditLog audit;
  std::unique_ptr<ReloadingApiKeys> keys;
  std::unique_ptr<ReloadingApiKeys> baseline_keys;
  std::unique_ptr<CallerGate> resolved;
  std::unique_ptr<CallerGate> baseline;
  metrics::CounterFamily* calls;
};

Fixture& Shared() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

PresentedCredentials KeyFor(const benchmark::State& state) {
  PresentedCredentials presented;
  presented.api_key = KeyOf(state.thread_index() % kCallers);
  presented.peer = "ipv4:127.0.0.1:5000";
  return presented;
}

// Admits this thread's key at `gate` every iteration, then `count`s the
// admitted caller (the old path's label lookup, or nothing).
template <typename Count>
void AdmitEveryIteration(benchmark::State& state, CallerGate& gate,
                         Count count) {
  const PresentedCredentials presented = KeyFor(state);
  for (auto _ : state) {
    auto caller = gate.Admit(presented, Method::kGetTimeline);
    if (!caller.ok()) {
      state.SkipWithError("the gate refused a known key");
      break;
    }
    count(*caller);
    benchmark::DoNotOptimize(caller);
  }
}

void BM_Gate_Resolved(benchmark::State& state) {
  AdmitEveryIteration(state, *Shared().resolved, [](const Caller&) {});
}

void BM_Gate_LabelLookup(benchmark::State& state) {
  metrics::CounterFamily& calls = *Shared().calls;
  AdmitEveryIteration(state, *Shared().baseline, [&calls](const Caller& c) {
    calls.WithLabels({c.name}).Increment();
  });
}

void BM_Count_Resolved(benchmark::State& state) {
  metrics::CallerSeries& series = Shared().metrics.callers().Caller(
      absl::StrCat("caller", state.thread_index() % kCallers));
  for (auto _ : state) series.RecordAdmitted();
}

void BM_Count_LabelLookup(benchmark::State& state) {
  metrics::CounterFamily& calls = *Shared().calls;
  const std::string name =
      absl::StrCat("caller", state.thread_index() % kCallers);
  for (auto _ : state) calls.WithLabels({name}).Increment();
}

// Real time per call over all threads: with 2 threads, half the time per
// call means the two did not wait for each other.
BENCHMARK(BM_Gate_Resolved)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_Gate_LabelLookup)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_Count_Resolved)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_Count_LabelLookup)->Threads(1)->Threads(2)->UseRealTime();

// The console table, then a "ratio LabelLookup/Resolved NAME: real X, cpu
// Y" line for each LabelLookup run and its Resolved twin (the same threads;
// the median of repetitions): how many times the new path's time per call
// the old one took.
class RatioReporter final : public benchmark::ConsoleReporter {
 public:
  // Plain text: the table is meant to be pasted into docs/performance.md.
  RatioReporter() : ConsoleReporter(OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      // Single runs, and of repetitions the median (not stddev or cv).
      if (!run.error_occurred && (run.run_type == Run::RT_Iteration ||
                                  run.aggregate_name == "median")) {
        times_[run.benchmark_name()] = {run.GetAdjustedRealTime(),
                                        run.GetAdjustedCPUTime()};
      }
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const auto& [name, old_time] : times_) {
      if (!absl::StrContains(name, "_LabelLookup")) continue;
      const auto twin = times_.find(
          absl::StrReplaceAll(name, {{"_LabelLookup", "_Resolved"}}));
      if (twin == times_.end()) continue;
      const Times& new_time = twin->second;
      if (new_time.real <= 0 || new_time.cpu <= 0) continue;
      GetOutputStream() << "ratio LabelLookup/Resolved "
                        << absl::StrReplaceAll(name, {{"_LabelLookup", ""}})
                        << ": real " << old_time.real / new_time.real
                        << ", cpu " << old_time.cpu / new_time.cpu << "\n";
    }
  }

 private:
  // Per call: real time (waiting on a lock shows here) and CPU time (what
  // the call costs; less disturbed by other processes on a shared machine).
  struct Times {
    double real;
    double cpu;
  };
  std::map<std::string, Times> times_;
};

}  // namespace
}  // namespace perch::security

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  perch::security::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
