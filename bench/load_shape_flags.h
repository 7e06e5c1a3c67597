// The flags perch-load and direct-curl share: what load to make (mode,
// concurrency, rate, warmup, duration) and which timeline page to ask for
// (screen_name, page_size, distinct_keys), read into either tool's options.
// Defined once in load_shape_flags.cc, which only those two binaries link.
#ifndef PERCH_BENCH_LOAD_SHAPE_FLAGS_H_
#define PERCH_BENCH_LOAD_SHAPE_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "bench/perch_load.h"

ABSL_DECLARE_FLAG(std::string, mode);
ABSL_DECLARE_FLAG(int, concurrency);
ABSL_DECLARE_FLAG(double, rate);
ABSL_DECLARE_FLAG(absl::Duration, warmup);
ABSL_DECLARE_FLAG(absl::Duration, duration);
ABSL_DECLARE_FLAG(std::string, screen_name);
ABSL_DECLARE_FLAG(int, page_size);
ABSL_DECLARE_FLAG(int, distinct_keys);

namespace perch::bench {

// `Options` is PerchLoadOptions or DirectCurlOptions. Call after
// ParseBenchFlags.
template <typename Options>
absl::Status ReadLoadShapeFlags(Options& options) {
  absl::StatusOr<LoadMode> mode = ParseLoadMode(absl::GetFlag(FLAGS_mode));
  if (!mode.ok()) return mode.status();
  options.mode = *mode;
  options.concurrency = absl::GetFlag(FLAGS_concurrency);
  options.rate = absl::GetFlag(FLAGS_rate);
  options.warmup = absl::GetFlag(FLAGS_warmup);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.screen_name = absl::GetFlag(FLAGS_screen_name);
  options.page_size = absl::GetFlag(FLAGS_page_size);
  options.distinct_keys = absl::GetFlag(FLAGS_distinct_keys);
  return absl::OkStatus();
}

}  // namespace perch::bench

#endif  // PERCH_BENCH_LOAD_SHAPE_FLAGS_H_
