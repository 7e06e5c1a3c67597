// Time as an injected dependency: production code reads a Clock, tests pass
// a FakeClock they advance by hand (server/common/testing/fake_clock.h).
// Nothing here sleeps.
#ifndef PERCH_SERVER_COMMON_CLOCK_H_
#define PERCH_SERVER_COMMON_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace perch {

// Tells the current time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_CLOCK_H_
