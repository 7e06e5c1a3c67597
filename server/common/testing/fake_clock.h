// A Clock that moves only when a test advances it, so deadlines, backoff and
// expiry are tested without sleeping. Test-side only: production code reads
// a Clock (server/common/clock.h).
#ifndef PERCH_SERVER_COMMON_TESTING_FAKE_CLOCK_H_
#define PERCH_SERVER_COMMON_TESTING_FAKE_CLOCK_H_

#include "absl/time/time.h"
#include "server/common/clock.h"
#include "server/common/mutex.h"

namespace perch::testing {

// Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1700000000))
      : now_(start) {}
  absl::Time Now() const override {
    MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace perch::testing

#endif  // PERCH_SERVER_COMMON_TESTING_FAKE_CLOCK_H_
