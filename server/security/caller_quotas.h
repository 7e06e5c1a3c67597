// One token bucket per caller name, so one noisy caller exhausts its own
// quota and not the app's upstream budget the others share. Names come only
// from the callers file (the gate checks identity first), so the map is
// bounded by the file, never by what strangers send.
#ifndef PERCH_SERVER_SECURITY_CALLER_QUOTAS_H_
#define PERCH_SERVER_SECURITY_CALLER_QUOTAS_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/common/clock.h"
#include "server/common/mutex.h"
#include "server/security/token_bucket.h"

namespace perch::security {

// Thread-safe.
class CallerQuotas {
 public:
  // `clock` must outlive this object.
  explicit CallerQuotas(const Clock& clock) : clock_(clock) {}

  // Takes one call from `caller`'s bucket (created full on first use, resized
  // when `rate`/`burst` differ from last time). Zero if admitted, else how
  // long until the caller may call again. `rate` <= 0: unlimited.
  absl::Duration Take(absl::string_view caller, double rate, double burst);

 private:
  const Clock& clock_;
  Mutex mu_;
  absl::flat_hash_map<std::string, TokenBucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace perch::security

#endif  // PERCH_SERVER_SECURITY_CALLER_QUOTAS_H_
