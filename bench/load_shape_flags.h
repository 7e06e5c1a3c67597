// The flags perch-load and direct-curl share: what load to make (mode,
// concurrency, rate, warmup, duration) and which timeline page to ask for
// (screen_name, page_size, distinct_keys), read into either tool's options.
#ifndef PERCH_BENCH_LOAD_SHAPE_FLAGS_H_
#define PERCH_BENCH_LOAD_SHAPE_FLAGS_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "bench/cli_flags.h"
#include "bench/perch_load.h"

namespace perch::bench {

// `Options` is PerchLoadOptions or DirectCurlOptions; the defaults here are
// theirs. The first bad flag's error is returned and `options` left partly
// set.
template <typename Options>
absl::Status ReadLoadShapeFlags(const CliFlags& flags, Options& options) {
  auto mode = ParseLoadMode(flags.String("mode", "closed"));
  auto concurrency = flags.Int("concurrency", 1);
  auto rate = flags.Double("rate", 100);
  auto warmup = flags.Duration("warmup", absl::Seconds(1));
  auto duration = flags.Duration("duration", absl::Seconds(5));
  auto page_size = flags.Int("page_size", 20);
  auto distinct = flags.Int("distinct_keys", 0);
  for (const absl::Status& s :
       {mode.status(), concurrency.status(), rate.status(), warmup.status(),
        duration.status(), page_size.status(), distinct.status()}) {
    if (!s.ok()) return s;
  }
  options.mode = *mode;
  options.concurrency = *concurrency;
  options.rate = *rate;
  options.warmup = *warmup;
  options.duration = *duration;
  options.screen_name = flags.String("screen_name", "perch_dev");
  options.page_size = *page_size;
  options.distinct_keys = *distinct;
  return absl::OkStatus();
}

}  // namespace perch::bench

#endif  // PERCH_BENCH_LOAD_SHAPE_FLAGS_H_
