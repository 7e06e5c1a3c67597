#include "bench/report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tests/testing/child_process.h"

namespace perch::bench {
namespace {

absl::Status Write(const std::string& path, absl::string_view content) {
  std::ofstream out(path, std::ios::trunc);
  out << content;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

std::string Basename(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string Us(double us) {
  if (us >= 10000) return absl::StrFormat("%.1f ms", us / 1000);
  return absl::StrFormat("%.0f µs", us);
}

std::string Num(double v) {
  if (v >= 100) return absl::StrFormat("%.0f", v);
  if (v >= 10) return absl::StrFormat("%.1f", v);
  return absl::StrFormat("%.3g", v);
}

std::string Errors(const LoadResult& r) {
  if (r.errors.empty()) return "0";
  std::vector<std::string> parts;
  for (const auto& [code, n] : r.errors) {
    parts.push_back(absl::StrCat(code, " ", n));
  }
  return absl::StrJoin(parts, ", ");
}

std::string Machine() {
  utsname u{};
  uname(&u);
  return absl::StrCat(u.sysname, " ", u.release, " ", u.machine, ", ",
                      sysconf(_SC_NPROCESSORS_ONLN), " CPUs online");
}

// GetTimeline's saturation ratio per upstream dialect, and which dialect the
// other scenarios ran.
std::string DialectSection(const Bench& bench) {
  const BenchConfig& config = bench.config();
  std::string md = absl::StrCat(
      "\n## GetTimeline per upstream dialect\n\n"
      "Overhead ran one perch-server per `--upstream_api`, each against "
      "direct-curl making that dialect's requests, the dialects taking turns "
      "at each load point. Saturation: the best of the sweep. CPU/call: "
      "every process (server, emulator, load generator), perch's at its "
      "saturation point and direct-curl's at that same load point; *perch "
      "adds* is the difference, what a call through perch costs beyond the "
      "same upstream work done directly. The ratio is about CPU/call direct "
      "/ CPU/call perch when the cores are saturated: the cheaper a "
      "dialect's upstream work, the more the same *perch adds* weighs.\n\n");
  if (bench.dialects().empty()) {
    return absl::StrCat(md, "Not measured (Overhead did not run).\n");
  }
  absl::StrAppend(&md,
                  "| upstream | perch calls/s | direct-curl calls/s | "
                  "perch / direct | CPU/call perch | CPU/call direct | perch "
                  "adds | CPU/call from perch's cache |\n"
                  "|---|---|---|---|---|---|---|---|\n");
  const DialectSaturation* v1 = nullptr;
  const DialectSaturation* v2 = nullptr;
  for (const DialectSaturation& d : bench.dialects()) {
    if (d.upstream_api == UpstreamApiName(UpstreamApi::kV1_1)) v1 = &d;
    if (d.upstream_api == UpstreamApiName(UpstreamApi::kV2)) v2 = &d;
    absl::StrAppend(&md, "| ", d.upstream_api, " | ", Num(d.perch_calls_per_s),
                    " (", d.perch_at, ") | ", Num(d.direct_calls_per_s), " (",
                    d.direct_at, ") | ", absl::StrFormat("%.3f", d.ratio()),
                    " | ", Us(d.perch_cpu_us_per_call), " | ",
                    Us(d.direct_cpu_us_per_call), " (", d.direct_cpu_at, ") | ",
                    Us(d.perch_added_cpu_us_per_call()), " | ",
                    d.cached_cpu_us_per_call > 0
                        ? Us(d.cached_cpu_us_per_call)
                        : std::string("–"),
                    " |\n");
  }
  for (const Bar& b : bench.bars()) {
    if (b.name != "dialect_parity" || !b.measured) continue;
    absl::StrAppend(
        &md, "\nv2's ratio / v1.1's = ", absl::StrFormat("%.3f", b.ratio), " (",
        absl::StrFormat("%+.1f%%", (b.ratio - 1) * 100), "); ", b.limit, ": ",
        b.pass ? "**yes**" : "**NO**", ".\n");
  }
  if (v1 != nullptr && v2 != nullptr && v1->ratio() > 0 &&
      v2->cached_cpu_us_per_call > 0) {
    // With the cores saturated, a ratio is about CPU/call direct over
    // CPU/call perch: what the parity bar leaves perch to add on v2.
    const double floor_ratio =
        (1 - config.dialect_parity_tolerance) * v1->ratio();
    const double budget =
        v2->direct_cpu_us_per_call / floor_ratio - v2->direct_cpu_us_per_call;
    absl::StrAppend(
        &md, "\nFor v2's ratio to reach ", absl::StrFormat("%.3f", floor_ratio),
        " perch may add at most about ",
        budget > 0 ? Us(budget) : std::string("nothing"),
        " a call on v2 (CPU/call direct / ", absl::StrFormat("%.3f", floor_ratio),
        " − CPU/call direct). The same page answered from perch's own cache, "
        "with no upstream request and no mapping, costs ",
        Us(v2->cached_cpu_us_per_call),
        " a call (server and load generator): the least perch can add.\n");
  }
  absl::StrAppend(&md,
                  "\nAlternative, Scale, Cold start and Coalescing ran "
                  "perch-server with `--upstream_api=",
                  UpstreamApiName(config.upstream_api),
                  "`; the nginx alternative sends that dialect's requests.\n");
  return md;
}

std::string MarkdownSummary(const Bench& bench, const ReportContext& c,
                            const std::vector<std::string>& pngs) {
  std::string md;
  absl::StrAppend(&md, "# perch benchmark results, ", c.date, "\n\n");
  absl::StrAppend(
      &md, "Commit `", c.git_rev, "`, ",
      bench.config().smoke ? "SMOKE" : "full", " run, ",
      absl::StrFormat("%.0f", c.wall_seconds), " s. ", Machine(),
      "; every process (load generator, perch-server, perch-emulator, nginx) "
      "on this one machine. Load average before / after: `",
      c.loadavg_start, "` / `", c.loadavg_end, "`.");
  if (!c.note.empty()) absl::StrAppend(&md, " ", c.note);
  absl::StrAppend(&md, "\n\nReproduce: `", c.command, "`\n\n");

  absl::StrAppend(&md,
                  "## The bars\n\n"
                  "| bar | figure | perch | baseline | ratio | limit | "
                  "holds |\n|---|---|---|---|---|---|---|\n");
  for (const Bar& b : bench.bars()) {
    if (!b.measured) {
      absl::StrAppend(&md, "| ", b.name, " | ", b.figure, " | – | – | – | ",
                      b.limit, " | not measured |\n");
      continue;
    }
    absl::StrAppend(
        &md, "| ", b.name, " | ", b.figure, " | ", Num(b.value), " | ",
        Num(b.baseline), " | ", absl::StrFormat("%.3f", b.ratio), " | ",
        b.limit, " | ", b.pass ? "**yes**" : "**NO**",
        b.note.empty() ? "" : absl::StrCat(" (", b.note, ")"), " |\n");
  }
  if (!bench.failures().empty()) {
    absl::StrAppend(&md, "\nScenarios that could not run:\n\n");
    for (const auto& [name, error] : bench.failures()) {
      absl::StrAppend(&md, "- ", name, ": `", error, "`\n");
    }
  }

  absl::StrAppend(&md, DialectSection(bench));

  // perch against each baseline at the same load and dialect, run by run.
  std::string pairs;
  for (const Run& p : bench.runs()) {
    if (p.system != "perch" || p.scenario != "overhead") continue;
    for (const Run& b : bench.runs()) {
      if (b.system == "perch" || b.label != p.label ||
          b.upstream_api != p.upstream_api) {
        continue;
      }
      auto r = [](double x, double y) {
        return y > 0 ? absl::StrFormat("%.2f", x / y) : std::string("–");
      };
      absl::StrAppend(&pairs, "| ", p.upstream_api, " | ", p.label, " | ",
                      b.system, " | ",
                      r(p.load.throughput(), b.load.throughput()), " | ",
                      r(p.load.latency.p50_us, b.load.latency.p50_us), " | ",
                      r(p.load.latency.p99_us, b.load.latency.p99_us), " | ",
                      r(p.CpuMicrosPerCall(), b.CpuMicrosPerCall()), " |\n");
    }
  }
  if (!pairs.empty()) {
    absl::StrAppend(&md,
                    "\n## perch / baseline at the same load\n\n"
                    "| upstream | load | baseline | calls/s | p50 | p99 | "
                    "CPU/call |\n|---|---|---|---|---|---|---|\n",
                    pairs);
  }

  absl::StrAppend(
      &md,
      "\n## Every run\n\n"
      "Latency is client-observed (closed loop: issue to completion; open "
      "loop: from the scheduled send time). CPU/call: the CPU time of the "
      "server (or nginx), the emulator and the load generator over the whole "
      "run, warmup included, divided by every call the run made.\n\n"
      "| scenario | system | upstream | load | calls/s | p50 | p90 | p99 | "
      "p99.9 | errors | tweets/answer | server peak RSS | server threads | "
      "CPU/call |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
      "\n");
  for (const Run& r : bench.runs()) {
    const LoadResult& l = r.load;
    absl::StrAppend(
        &md, "| ", r.scenario, " | ", r.system, " | ", r.upstream_api, " | ",
        r.label, " | ", absl::StrFormat("%.0f", l.throughput()), " | ",
        Us(l.latency.p50_us), " | ", Us(l.latency.p90_us), " | ",
        Us(l.latency.p99_us), " | ", Us(l.latency.p999_us), " | ", Errors(l),
        " | ",
        r.system == "nginx"
            ? "n/a"
            : absl::StrFormat("%.1f", l.ok > 0 ? 1.0 * l.items / l.ok : 0.0),
        " | ",
        r.server_peak_rss_mib
            ? absl::StrFormat("%.1f MiB", *r.server_peak_rss_mib)
            : "",
        " | ", r.server_max_threads ? absl::StrCat(*r.server_max_threads) : "",
        " | ", Us(r.CpuMicrosPerCall()), " |\n");
  }
  if (!pngs.empty()) {
    absl::StrAppend(&md, "\n## Plots\n\n");
    for (const std::string& png : pngs) {
      absl::StrAppend(&md, "![", png, "](", png, ")\n\n");
    }
  }
  absl::StrAppend(
      &md,
      "\n## How to read this\n\n"
      "- *direct-curl* is the same upstream request made by a libcurl multi "
      "loop that parses each body into `perch.v1.Tweet` with perch_mapping "
      "(what perch does, minus gRPC and the token holder), in the dialect of "
      "the perch it is compared with: v1.1 `statuses/user_timeline` by "
      "screen name, or v2 `users/:id/tweets` by id with perch's fields and "
      "expansions (perch looks the name up once and caches the id, so the "
      "steady state is that one request per call on both sides). *nginx* is "
      "Debian's nginx injecting the bearer header, driven by wrk; it passes "
      "bytes through and parses nothing.\n"
      "- Saturation is the best closed-loop throughput over the concurrency "
      "sweep. Overhead, Alternative and Scale requests carry a cycling "
      "`since_id` so no two in-flight calls are identical (coalescing and "
      "caching cannot help); Coalescing sends identical calls with the "
      "upstream slowed so they overlap.\n"
      "- The machine has 2 cores shared by every process here and possibly "
      "other work (see the load average): absolute numbers move between "
      "runs, the ratios less so.\n"
      "- Method and architecture: docs/performance.md.\n");
  return md;
}

// gnuplot data + script -> PNGs; returns their file names.
std::vector<std::string> Plot(const Bench& bench, const ReportContext& c,
                              const std::string& prefix,
                              const std::string& work_dir) {
  std::vector<std::string> pngs;
  if (c.gnuplot_binary.empty()) return pngs;
  std::string script =
      "set terminal pngcairo size 900,540 font 'sans,10'\n"
      "set grid\nset key left top\n";
  // One plot: its file (PREFIX-NAME.png), its settings (title, axes, key; each
  // line ends in '\n'), the series it draws, and the settings to undo after
  // it, so that every plot starts from the defaults above.
  auto add_plot = [&](absl::string_view name, absl::string_view settings,
                      absl::string_view series, absl::string_view undo) {
    const std::string png = absl::StrCat(prefix, "-", name, ".png");
    absl::StrAppend(&script, "set output '", png, "'\n", settings, "plot ",
                    series, "\n", undo);
    pngs.push_back(png);
  };
  // 1. Latency CDFs at 1 in flight, and at saturation.
  std::map<std::string, std::string> files;
  auto cdf_file = [&](const Run& r) {
    std::string name = absl::StrCat(work_dir, "/cdf-", files.size(), ".dat");
    std::string data;
    for (const auto& [p, us] : r.load.latency.cdf) {
      absl::StrAppend(&data, p, " ", us, "\n");
    }
    (void)Write(name, data);
    files[name] = r.system;
    return name;
  };
  std::vector<std::string> lines;
  for (const Run& r : bench.runs()) {
    if ((r.scenario == "overhead" || r.scenario == "alternative") &&
        r.label == "1 in flight" && !r.load.latency.cdf.empty()) {
      lines.push_back(absl::StrCat("'", cdf_file(r),
                                   "' using 2:1 with "
                                   "linespoints title '",
                                   r.system, " ", r.upstream_api,
                                   " (1 in flight)'"));
    }
  }
  if (!lines.empty()) {
    add_plot("latency-1-in-flight",
             "set title 'GetTimeline latency CDF, 1 call in flight, 0 ms "
             "upstream'\nset xlabel 'latency (us, log)'\n"
             "set ylabel 'percentile'\nset logscale x\nset key right bottom\n",
             absl::StrJoin(lines, ", "), "unset logscale x\n");
  }
  // 2. Throughput vs concurrency.
  std::map<std::string, std::string> sweep;
  for (const Run& r : bench.runs()) {
    if ((r.scenario == "overhead" || r.scenario == "alternative") &&
        r.load.mode == "closed") {
      absl::StrAppend(&sweep[absl::StrCat(r.system, " ", r.upstream_api)],
                      r.load.concurrency, " ", r.load.throughput(), " ",
                      r.load.latency.p99_us, "\n");
    }
  }
  if (!sweep.empty()) {
    lines.clear();
    int sweep_files = 0;
    for (const auto& [system, data] : sweep) {
      std::string name =
          absl::StrCat(work_dir, "/sweep-", sweep_files++, ".dat");
      (void)Write(name, data);
      lines.push_back(absl::StrCat(
          "'", name, "' using 1:2 with linespoints title '", system, "'"));
    }
    add_plot("throughput",
             "set title 'Throughput vs calls in flight (closed loop, 0 ms "
             "upstream)'\nset xlabel 'calls in flight (log)'\n"
             "set ylabel 'calls/s'\nset logscale x 2\nset key left top\n",
             absl::StrJoin(lines, ", "), "unset logscale x\n");
  }
  // 3. Scale: completions/s, RSS and threads over time.
  for (const Run& r : bench.runs()) {
    if (r.scenario != "scale" || r.samples.empty()) continue;
    std::string rate;
    const double bucket_s = r.load.timeline_bucket_ms / 1000.0;
    for (size_t i = 0; i < r.load.timeline.size(); ++i) {
      absl::StrAppend(&rate, (i + 0.5) * bucket_s, " ",
                      r.load.timeline[i] / bucket_s, "\n");
    }
    std::string proc;
    for (const auto& s : r.samples) {
      absl::StrAppend(&proc, s.t_seconds, " ", s.rss_kib / 1024.0, " ",
                      s.threads, "\n");
    }
    const std::string rate_file = absl::StrCat(work_dir, "/scale-rate.dat");
    const std::string proc_file = absl::StrCat(work_dir, "/scale-proc.dat");
    (void)Write(rate_file, rate);
    (void)Write(proc_file, proc);
    add_plot(
        "scale",
        absl::StrCat("set title 'Scale: ", r.load.concurrency,
                     " calls in flight, 200 ms upstream latency'\n"
                     "set xlabel 'seconds since start'\nset ylabel 'calls/s'\n"
                     "set y2label 'RSS (MiB), threads x10'\nset y2tics\n"
                     "set ytics nomirror\nset key left bottom\n"),
        absl::StrCat(
            "'", rate_file, "' using 1:2 with lines title 'completions/s', '",
            proc_file,
            "' using 1:2 axes x1y2 with lines title 'server RSS MiB', '",
            proc_file,
            "' using 1:($3*10) axes x1y2 with lines title 'server threads "
            "x10'"),
        "unset y2tics\nunset y2label\nset ytics mirror\n");
  }
  if (pngs.empty()) return pngs;
  const std::string script_file = absl::StrCat(work_dir, "/plots.gp");
  if (!Write(script_file, script).ok()) return {};
  auto gnuplot = testing::ChildProcess::Spawn(
      {.argv = {c.gnuplot_binary, script_file},
       .output_path = absl::StrCat(work_dir, "/gnuplot.log")});
  if (!gnuplot.ok() || !(*gnuplot)->Wait(absl::Seconds(60)).ok()) {
    std::fprintf(stderr, "perch-bench: gnuplot failed; see %s/gnuplot.log\n",
                 work_dir.c_str());
    return {};
  }
  std::vector<std::string> names;
  for (const std::string& p : pngs) names.push_back(Basename(p));
  return names;
}

}  // namespace

Json BuildResultsJson(const Bench& bench, const ReportContext& c) {
  Json bars = Json::MakeArray();
  for (const Bar& b : bench.bars()) bars.Push(b.ToJson());
  Json runs = Json::MakeArray();
  for (const Run& r : bench.runs()) runs.Push(r.ToJson());
  Json failures = Json::MakeObject();
  for (const auto& [name, error] : bench.failures()) failures.Set(name, error);
  Json dialects = Json::MakeArray();
  for (const DialectSaturation& d : bench.dialects()) dialects.Push(d.ToJson());
  // Schema 2: runs name their upstream_api; the Overhead bars are per
  // dialect (overhead_latency_v2, ...), plus dialect_parity.
  return Json::MakeObject()
      .Set("schema", 2)
      .Set("date", c.date)
      .Set("started_at", c.started_at)
      .Set("git_rev", c.git_rev)
      .Set("command", c.command)
      .Set("wall_seconds", c.wall_seconds)
      .Set("machine", Json::MakeObject()
                          .Set("description", Machine())
                          .Set("loadavg_start", c.loadavg_start)
                          .Set("loadavg_end", c.loadavg_end)
                          .Set("note", c.note))
      .Set("config", bench.config().ToJson())
      .Set("bars", std::move(bars))
      .Set("dialects", std::move(dialects))
      .Set("upstream_counts", bench.counts())
      .Set("runs", std::move(runs))
      .Set("failures", std::move(failures));
}

absl::Status WriteReport(const Bench& bench, const ReportContext& context,
                         const std::string& prefix) {
  absl::Status s = Write(absl::StrCat(prefix, ".json"),
                         BuildResultsJson(bench, context).Dump());
  if (!s.ok()) return s;
  std::vector<std::string> pngs =
      Plot(bench, context, prefix, bench.config().work_dir);
  return Write(absl::StrCat(prefix, ".md"),
               MarkdownSummary(bench, context, pngs));
}

}  // namespace perch::bench
