#include "emulator/rate_limiter.h"

#include <algorithm>

namespace perch::emulator {

RateLimiter::Decision RateLimiter::Acquire(absl::string_view key,
                                           absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto override_it = overrides_.find(key);
  int limit = override_it != overrides_.end() ? override_it->second
                                              : default_limit_(key);
  Window& window = windows_[key];
  if (now >= window.reset) {
    window.reset = now + window_;
    window.used = 0;
  }
  Decision decision;
  decision.limit = limit;
  decision.reset = window.reset;
  if (window.used < limit) {
    ++window.used;
    decision.allowed = true;
  }
  decision.remaining = std::max(0, limit - window.used);
  return decision;
}

void RateLimiter::SetLimit(absl::string_view key, int limit) {
  absl::MutexLock lock(&mu_);
  overrides_[key] = limit;
  windows_.erase(key);
}

void RateLimiter::ResetWindows() {
  absl::MutexLock lock(&mu_);
  windows_.clear();
}

}  // namespace perch::emulator
