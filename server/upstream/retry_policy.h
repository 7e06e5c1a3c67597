// When and how long to wait before retrying an upstream read: only
// UNAVAILABLE outcomes (5xx, connection failures) are retried, at most
// twice, with jittered exponential backoff, and never past the deadline.
#ifndef PERCH_SERVER_UPSTREAM_RETRY_POLICY_H_
#define PERCH_SERVER_UPSTREAM_RETRY_POLICY_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace perch::upstream {

struct RetryPolicy {
  int max_retries = 2;
  absl::Duration initial_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(1);

  // 429 is never retried (it would only burn the window); 401/89 has its own
  // re-obtain path; only UNAVAILABLE is worth another try.
  static bool IsRetryable(const absl::Status& status) {
    return status.code() == absl::StatusCode::kUnavailable;
  }

  // "Full jitter": uniform in [0, min(max, initial * 2^retry)]. `unit` is a
  // uniform random number in [0, 1), injected so tests are exact.
  absl::Duration Backoff(int retry, double unit) const;
};

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_RETRY_POLICY_H_
