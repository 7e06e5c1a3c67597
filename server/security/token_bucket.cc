#include "server/security/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace perch::security {

TokenBucket::TokenBucket(double rate, double burst, absl::Time now)
    : rate_(rate), burst_(burst), tokens_(burst), last_(now) {}

void TokenBucket::Refill(absl::Time now) {
  // A clock that steps back adds nothing (and takes nothing away).
  if (now > last_) {
    tokens_ =
        std::min(burst_, tokens_ + absl::ToDoubleSeconds(now - last_) * rate_);
    last_ = now;
  }
}

absl::Duration TokenBucket::TryTake(absl::Time now) {
  Refill(now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return absl::ZeroDuration();
  }
  // Rounded up to a whole millisecond, so a client that waits exactly this
  // long finds a token (the epsilon keeps float noise from adding one).
  const double millis = (1.0 - tokens_) / rate_ * 1000.0;
  return absl::Milliseconds(std::max(1.0, std::ceil(millis - 1e-6)));
}

void TokenBucket::Reconfigure(double rate, double burst, absl::Time now) {
  Refill(now);
  rate_ = rate;
  burst_ = burst;
  tokens_ = std::min(tokens_, burst_);
}

}  // namespace perch::security
