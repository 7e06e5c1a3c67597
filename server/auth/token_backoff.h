// How long perch waits before asking for a bearer token again after
// consecutive failures (the token endpoint failing, or fresh tokens rejected
// by reads). Pure arithmetic: CachingTokenSource counts the failures and
// keeps the time.
#ifndef PERCH_SERVER_AUTH_TOKEN_BACKOFF_H_
#define PERCH_SERVER_AUTH_TOKEN_BACKOFF_H_

#include "absl/time/time.h"

namespace perch::auth {

// With the defaults a failing upstream costs at most 8 token requests in any
// 10 s (2 at once, then waits of at least 0.5, 1, 2, 2, ... s), and a token
// is asked for again at most 4 s after the last failure, so reads recover
// within 5 s of the upstream recovering.
struct TokenBackoff {
  // The wait after the second consecutive failure, before jitter; each
  // further failure doubles it up to `max`.
  absl::Duration initial = absl::Seconds(1);
  absl::Duration max = absl::Seconds(4);

  // The wait after the `failures`-th consecutive failure. The first failure
  // after a success waits nothing: one rejected token or one failed request
  // is the ordinary "token invalidated elsewhere" case and recovers at once.
  // From the second on: "equal jitter", uniform in [c/2, c) for the ceiling
  // c = min(max, initial * 2^(failures-2)), so that replicas failing together
  // spread out while no wait is ever shorter than half its ceiling (that
  // floor is what bounds the request rate). `unit` is uniform in [0, 1),
  // injected so tests are exact.
  absl::Duration Delay(int failures, double unit) const;
};

}  // namespace perch::auth

#endif  // PERCH_SERVER_AUTH_TOKEN_BACKOFF_H_
