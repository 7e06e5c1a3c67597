#include "server/security/caller_quotas.h"

#include <algorithm>

namespace perch::security {

absl::Duration CallerQuotas::Take(absl::string_view caller, double rate,
                                  double burst) {
  if (rate <= 0) return absl::ZeroDuration();
  burst = std::max(burst, 1.0);
  const absl::Time now = clock_.Now();
  MutexLock lock(&mu_);
  auto it = buckets_.find(caller);
  if (it == buckets_.end()) {
    it = buckets_.emplace(std::string(caller), TokenBucket(rate, burst, now))
             .first;
  } else if (it->second.rate() != rate || it->second.burst() != burst) {
    it->second.Reconfigure(rate, burst, now);
  }
  return it->second.TryTake(now);
}

}  // namespace perch::security
