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

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "tests/testing/child_process.h"
#include "bench/cli_flags.h"
#include "bench/load_result.h"
#include "bench/report.h"
#include "bench/scenarios.h"
#include "bench/upstream_timeline.h"

namespace {

constexpr char kUsage[] = R"(usage: perch-bench [flags]
  --mode=full|smoke          full: the issue's sizes; smoke: tiny, seconds
  --out_prefix=PATH          writes PATH.json, PATH.md, PATH-*.png
                             (default bench/results/<YYYY-MM-DD>; smoke: the
                             work directory)
  --scenarios=a,b            overhead, alternative, scale, cold_start,
                             coalescing, observability (default: all)
  --server_flags="--x=1 --y" extra perch-server flags (not --upstream_api)
  --upstream_api=v2|v1.1     perch-server's dialect for alternative, scale,
                             cold_start and coalescing (default v2, the
                             server's default); overhead runs both
  --assert_coalescing        fail unless <= 2 upstream requests (smoke)
  --server_binary= --emulator_binary= --nginx= --wrk= --gnuplot=
  --direct_threads=N         libcurl loops of the direct baseline (1)
  --duration=D --warmup=D    per overhead/alternative point
  --scale_in_flight=N --scale_duration=D
  --page_size=N              tweets per GetTimeline page (20)
  --git_rev= --command= --note=   recorded in the results
  --keep_work_dir            keep logs even on success
)";

std::string LoadAvg() {
  std::string s = perch::testing::ReadFileOrEmpty("/proc/loadavg");
  return std::string(absl::StripAsciiWhitespace(s));
}

}  // namespace

int main(int argc, char** argv) {
  using perch::bench::CliFlags;
  auto flags = CliFlags::Parse(argc, argv,
                               {"mode",
                                "out_prefix",
                                "scenarios",
                                "server_flags",
                                "upstream_api",
                                "assert_coalescing",
                                "server_binary",
                                "emulator_binary",
                                "nginx",
                                "wrk",
                                "gnuplot",
                                "direct_threads",
                                "duration",
                                "warmup",
                                "scale_in_flight",
                                "scale_duration",
                                "page_size",
                                "git_rev",
                                "command",
                                "note",
                                "keep_work_dir",
                                "help"});
  if (!flags.ok() || flags->Has("help")) {
    if (!flags.ok()) {
      std::fprintf(stderr, "perch-bench: %s\n",
                   flags.status().ToString().c_str());
    }
    std::fputs(kUsage, flags.ok() ? stdout : stderr);
    return flags.ok() ? 0 : 2;
  }
  const std::string mode = flags->String("mode", "full");
  if (mode != "full" && mode != "smoke") {
    std::fprintf(stderr, "perch-bench: --mode is full or smoke\n");
    return 2;
  }
  perch::bench::BenchConfig config;
  if (mode == "smoke") config.Smoke();
  config.server_binary = flags->String("server_binary", PERCH_SERVER_BINARY);
  config.emulator_binary =
      flags->String("emulator_binary", PERCH_EMULATOR_BINARY);
  config.nginx_binary = flags->String("nginx", "/usr/sbin/nginx");
  config.wrk_binary = flags->String("wrk", "/usr/bin/wrk");
  for (absl::string_view s :
       absl::StrSplit(flags->String("scenarios", ""), ',', absl::SkipEmpty())) {
    config.scenarios.insert(std::string(s));
  }
  for (absl::string_view f : absl::StrSplit(flags->String("server_flags", ""),
                                            ' ', absl::SkipEmpty())) {
    // Each scenario sets the dialect itself; the bench must know it to
    // build the baselines' requests and count the upstream's.
    if (absl::StartsWith(f, "--upstream_api")) {
      std::fprintf(stderr,
                   "perch-bench: pass --upstream_api to perch-bench, not in "
                   "--server_flags\n");
      return 2;
    }
    config.server_flags.push_back(std::string(f));
  }
  auto api =
      perch::bench::ParseUpstreamApi(flags->String("upstream_api", "v2"));
  if (!api.ok()) {
    std::fprintf(stderr, "perch-bench: %s\n", api.status().ToString().c_str());
    return 2;
  }
  config.upstream_api = *api;
  auto threads = flags->Int("direct_threads", config.direct_threads);
  auto duration = flags->Duration("duration", config.duration);
  auto warmup = flags->Duration("warmup", config.warmup);
  auto scale_in_flight = flags->Int("scale_in_flight", config.scale_in_flight);
  auto scale_duration =
      flags->Duration("scale_duration", config.scale_duration);
  auto assert_coalescing = flags->Bool("assert_coalescing", false);
  auto keep = flags->Bool("keep_work_dir", false);
  auto page_size = flags->Int("page_size", config.page_size);
  for (const absl::Status& s :
       {threads.status(), duration.status(), warmup.status(),
        scale_in_flight.status(), scale_duration.status(),
        assert_coalescing.status(), keep.status(), page_size.status()}) {
    if (!s.ok()) {
      std::fprintf(stderr, "perch-bench: %s\n", s.ToString().c_str());
      return 2;
    }
  }
  config.direct_threads = *threads;
  config.duration = *duration;
  config.warmup = *warmup;
  config.scale_in_flight = *scale_in_flight;
  config.scale_duration = *scale_duration;
  config.page_size = *page_size;

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
  context.git_rev = flags->String("git_rev", "unknown");
  context.command = flags->String("command", "bench/run");
  context.note = flags->String("note", "");
  context.loadavg_start = LoadAvg();
  std::string gnuplot = flags->String("gnuplot", "/usr/bin/gnuplot");
  if (mode == "smoke" || access(gnuplot.c_str(), X_OK) != 0) gnuplot.clear();
  context.gnuplot_binary = gnuplot;
  const std::string prefix = flags->String(
      "out_prefix", mode == "smoke"
                        ? absl::StrCat(config.work_dir, "/smoke")
                        : absl::StrCat("bench/results/", context.date));

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
    problems = bench.AssertionFailures(*assert_coalescing);
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
  if (problems.empty() && !*keep && mode == "smoke") {
    std::filesystem::remove_all(config.work_dir);
  } else {
    std::fprintf(stderr, "perch-bench: logs kept in %s\n",
                 config.work_dir.c_str());
  }
  return problems.empty() ? 0 : 1;
}
