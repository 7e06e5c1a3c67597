#include "server/auth/token_backoff.h"

#include <algorithm>

namespace perch::auth {

absl::Duration TokenBackoff::Delay(int failures, double unit) const {
  if (failures <= 1) return absl::ZeroDuration();
  absl::Duration ceiling = initial;
  for (int i = 2; i < failures && ceiling < max; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, max);
  return ceiling * (0.5 + 0.5 * std::clamp(unit, 0.0, 1.0));
}

}  // namespace perch::auth
