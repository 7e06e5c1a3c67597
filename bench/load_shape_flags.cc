#include "bench/load_shape_flags.h"

ABSL_FLAG(std::string, mode, "closed",
          "closed (calls in flight), open (calls per second) or burst (calls "
          "at once)");
ABSL_FLAG(int, concurrency, 1, "closed: calls in flight; burst: calls at once");
ABSL_FLAG(double, rate, 100, "open: calls per second");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1),
          "load before measuring (closed/open)");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5),
          "measured load (closed/open)");
ABSL_FLAG(std::string, screen_name, "perch_dev", "whose timeline to read");
ABSL_FLAG(int, page_size, 20, "tweets per page");
ABSL_FLAG(int, distinct_keys, 0,
          "cycle since_id over 1..K (0: identical calls)");
