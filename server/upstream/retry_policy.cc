#include "server/upstream/retry_policy.h"

#include <algorithm>

namespace perch::upstream {

absl::Duration RetryPolicy::Backoff(int retry, double unit) const {
  absl::Duration ceiling = initial_backoff;
  for (int i = 0; i < retry && ceiling < max_backoff; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, max_backoff);
  return ceiling * std::clamp(unit, 0.0, 1.0);
}

}  // namespace perch::upstream
