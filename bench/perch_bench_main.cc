// perch-bench: runs the issue #6 scenarios against child processes it starts
// (perch-emulator, perch-server, nginx, wrk) and writes the results JSON, the
// markdown summary and the plots. bench/run builds and calls it for the full
// run; ctest calls it with --mode=smoke (tiny counts, seconds) and asserts
// that every scenario ran and the cold-start count held.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "tests/testing/child_process.h"
#include "bench/bench_flags.h"
#include "bench/load_result.h"
#include "bench/report.h"
#include "bench/scenarios.h"
#include "bench/upstream_timeline.h"

// Left unset, a size flag takes --mode's value (BenchConfig, Smoke()).
ABSL_FLAG(std::string, mode, "full",
          "full: the issue's sizes; smoke: tiny, seconds");
ABSL_FLAG(std::string, out_prefix, "",
          "writes PATH.json, PATH.md, PATH-*.png (empty: "
          "bench/results/<YYYY-MM-DD>; smoke: the work directory)");
ABSL_FLAG(std::string, scenarios, "",
          "comma-separated scenarios to run (empty: all)");
ABSL_FLAG(std::string, server_flags, "",
          "extra perch-server flags, space-separated (not --upstream_api)");
ABSL_FLAG(std::string, upstream_api, "v2",
          "v2 or v1.1: perch-server's dialect for alternative, scale, "
          "cold_start and coalescing; overhead runs both");
ABSL_FLAG(bool, assert_coalescing, false,
          "fail unless <= 2 upstream requests (smoke)");
ABSL_FLAG(std::string, server_binary, PERCH_SERVER_BINARY, "perch-server");
ABSL_FLAG(std::string, emulator_binary, PERCH_EMULATOR_BINARY,
          "perch-emulator");
ABSL_FLAG(std::string, nginx, "/usr/sbin/nginx", "nginx");
ABSL_FLAG(std::string, wrk, "/usr/bin/wrk", "wrk");
ABSL_FLAG(std::string, gnuplot, "/usr/bin/gnuplot",
          "gnuplot (plots; not in smoke)");
ABSL_FLAG(std::optional<int>, direct_threads, std::nullopt,
          "libcurl loops of the direct baseline (unset: the mode's, 1)");
ABSL_FLAG(std::optional<absl::Duration>, duration, std::nullopt,
          "per overhead/alternative point (unset: the mode's)");
ABSL_FLAG(std::optional<absl::Duration>, warmup, std::nullopt,
          "before each overhead/alternative point (unset: the mode's)");
ABSL_FLAG(std::optional<int>, scale_in_flight, std::nullopt,
          "calls in flight of the scale scenario (unset: the mode's)");
ABSL_FLAG(std::optional<absl::Duration>, scale_duration, std::nullopt,
          "of the scale scenario (unset: the mode's)");
ABSL_FLAG(std::optional<int>, page_size, std::nullopt,
          "tweets per GetTimeline page (unset: 20)");
ABSL_FLAG(std::string, git_rev, "unknown", "recorded in the results");
ABSL_FLAG(std::string, command, "bench/run", "recorded in the results");
ABSL_FLAG(std::string, note, "", "recorded in the results");
ABSL_FLAG(bool, keep_work_dir, false, "keep logs even on success");

namespace {

constexpr char kUsage[] = R"(usage: perch-bench [flags]
  full: the issue's sizes; smoke: tiny counts, seconds. Scenarios: overhead,
  alternative, scale, cold_start, coalescing, observability.
)";

std::string LoadAvg() {
  std::string s = perch::testing::ReadFileOrEmpty("/proc/loadavg");
  return std::string(absl::StripAsciiWhitespace(s));
}

}  // namespace

int main(int argc, char** argv) {
  perch::bench::ParseBenchFlags(argc, argv, kUsage);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode != "full" && mode != "smoke") {
    return perch::bench::UsageError(
        absl::InvalidArgumentError("--mode is full or smoke"));
  }
  perch::bench::BenchConfig config;
  if (mode == "smoke") config.Smoke();
  config.server_binary = absl::GetFlag(FLAGS_server_binary);
  config.emulator_binary = absl::GetFlag(FLAGS_emulator_binary);
  config.nginx_binary = absl::GetFlag(FLAGS_nginx);
  config.wrk_binary = absl::GetFlag(FLAGS_wrk);
  for (absl::string_view s :
       absl::StrSplit(absl::GetFlag(FLAGS_scenarios), ',', absl::SkipEmpty())) {
    config.scenarios.insert(std::string(s));
  }
  for (absl::string_view f : absl::StrSplit(absl::GetFlag(FLAGS_server_flags),
                                            ' ', absl::SkipEmpty())) {
    // Each scenario sets the dialect itself; the bench must know it to
    // build the baselines' requests and count the upstream's.
    if (absl::StartsWith(f, "--upstream_api")) {
      return perch::bench::UsageError(absl::InvalidArgumentError(
          "pass --upstream_api to perch-bench, not in --server_flags"));
    }
    config.server_flags.push_back(std::string(f));
  }
  auto api = perch::bench::ParseUpstreamApi(absl::GetFlag(FLAGS_upstream_api));
  if (!api.ok()) return perch::bench::UsageError(api.status());
  config.upstream_api = *api;
  config.direct_threads =
      absl::GetFlag(FLAGS_direct_threads).value_or(config.direct_threads);
  config.duration = absl::GetFlag(FLAGS_duration).value_or(config.duration);
  config.warmup = absl::GetFlag(FLAGS_warmup).value_or(config.warmup);
  config.scale_in_flight =
      absl::GetFlag(FLAGS_scale_in_flight).value_or(config.scale_in_flight);
  config.scale_duration =
      absl::GetFlag(FLAGS_scale_duration).value_or(config.scale_duration);
  config.page_size = absl::GetFlag(FLAGS_page_size).value_or(config.page_size);
  const bool assert_coalescing = absl::GetFlag(FLAGS_assert_coalescing);
  const bool keep = absl::GetFlag(FLAGS_keep_work_dir);

  char dir_template[] = "/tmp/perch-bench.XXXXXX";
  if (mkdtemp(dir_template) == nullptr) {
    std::perror("perch-bench: mkdtemp");
    return 1;
  }
  config.work_dir = dir_template;

  perch::bench::ReportContext context;
  const absl::Time started = absl::Now();
  context.date = absl::FormatTime("%Y-%m-%d", started, absl::LocalTimeZone());
  context.started_at = absl::FormatTime(started);
  context.git_rev = absl::GetFlag(FLAGS_git_rev);
  context.command = absl::GetFlag(FLAGS_command);
  context.note = absl::GetFlag(FLAGS_note);
  context.loadavg_start = LoadAvg();
  std::string gnuplot = absl::GetFlag(FLAGS_gnuplot);
  if (mode == "smoke" || access(gnuplot.c_str(), X_OK) != 0) gnuplot.clear();
  context.gnuplot_binary = gnuplot;
  std::string prefix = absl::GetFlag(FLAGS_out_prefix);
  if (prefix.empty()) {
    prefix = mode == "smoke" ? absl::StrCat(config.work_dir, "/smoke")
                             : absl::StrCat("bench/results/", context.date);
  }

  std::fprintf(stderr, "perch-bench: %s run, logs in %s, load average %s\n",
               mode.c_str(), config.work_dir.c_str(),
               context.loadavg_start.c_str());
  std::vector<std::string> problems;
  {
    perch::bench::Bench bench(config);
    absl::Status setup = bench.Setup();
    if (!setup.ok()) {
      std::fprintf(stderr, "perch-bench: setup failed: %s (logs in %s)\n",
                   setup.ToString().c_str(), config.work_dir.c_str());
      return 1;
    }
    bench.RunAll();
    context.loadavg_end = LoadAvg();
    context.wall_seconds = absl::ToDoubleSeconds(absl::Now() - started);
    absl::Status written = perch::bench::WriteReport(bench, context, prefix);
    if (!written.ok()) {
      std::fprintf(stderr, "perch-bench: %s\n", written.ToString().c_str());
      return 1;
    }
    for (const perch::bench::Bar& b : bench.bars()) {
      std::fprintf(stderr, "perch-bench: bar %-24s %s\n", b.name.c_str(),
                   !b.measured ? "not measured"
                   : b.pass    ? "holds"
                               : "MISSED");
    }
    problems = bench.AssertionFailures(assert_coalescing);
    if (mode == "full") {
      // The full run reports bars; only scenarios that could not run fail it.
      std::vector<std::string> kept;
      for (const auto& [name, error] : bench.failures()) {
        kept.push_back(absl::StrCat(name, " did not run: ", error));
      }
      problems = kept;
    }
  }
  std::fprintf(stderr, "perch-bench: wrote %s.json and %s.md\n", prefix.c_str(),
               prefix.c_str());
  for (const std::string& p : problems) {
    std::fprintf(stderr, "perch-bench: FAILED: %s\n", p.c_str());
  }
  if (problems.empty() && !keep && mode == "smoke") {
    std::filesystem::remove_all(config.work_dir);
  } else {
    std::fprintf(stderr, "perch-bench: logs kept in %s\n",
                 config.work_dir.c_str());
  }
  return problems.empty() ? 0 : 1;
}
