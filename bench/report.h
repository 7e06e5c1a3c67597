// Writes what a Bench measured: the results JSON, the markdown summary and
// the gnuplot PNGs, under one prefix (bench/results/<date>).
#ifndef PERCH_BENCH_REPORT_H_
#define PERCH_BENCH_REPORT_H_

#include <string>

#include "absl/status/status.h"
#include "bench/json.h"
#include "bench/scenarios.h"

namespace perch::bench {

struct ReportContext {
  std::string date;           // YYYY-MM-DD
  std::string started_at;     // RFC 3339
  std::string git_rev;        // from bench/run
  std::string command;        // how to reproduce
  std::string note;           // free text (e.g. machine sharing)
  std::string loadavg_start;  // /proc/loadavg before and after
  std::string loadavg_end;
  double wall_seconds = 0;
  std::string gnuplot_binary;  // empty: no plots
};

Json BuildResultsJson(const Bench& bench, const ReportContext& context);

// Writes <prefix>.json, <prefix>.md and, with gnuplot, <prefix>-*.png.
// The markdown links the PNGs by file name (they sit beside it).
absl::Status WriteReport(const Bench& bench, const ReportContext& context,
                         const std::string& prefix);

}  // namespace perch::bench

#endif  // PERCH_BENCH_REPORT_H_
