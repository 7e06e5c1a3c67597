// A token bucket: `rate` tokens per second flow into a bucket of `burst`
// tokens; each call takes one. Pure: time is a parameter, so tests step it
// by hand. Not thread-safe (caller_quotas.h locks around it).
#ifndef PERCH_SERVER_SECURITY_TOKEN_BUCKET_H_
#define PERCH_SERVER_SECURITY_TOKEN_BUCKET_H_

#include "absl/time/time.h"

namespace perch::security {

class TokenBucket {
 public:
  // Starts full. `rate` > 0 tokens per second, `burst` >= 1.
  TokenBucket(double rate, double burst, absl::Time now);

  // Takes one token and returns zero, or, when the bucket holds less than
  // one, takes nothing and returns how long until it will hold one.
  absl::Duration TryTake(absl::Time now);

  // Changes the rate and size (the callers file was edited), keeping the
  // tokens already in the bucket up to the new size.
  void Reconfigure(double rate, double burst, absl::Time now);

  double rate() const { return rate_; }
  double burst() const { return burst_; }

 private:
  void Refill(absl::Time now);

  double rate_;
  double burst_;
  double tokens_;
  absl::Time last_;
};

}  // namespace perch::security

#endif  // PERCH_SERVER_SECURITY_TOKEN_BUCKET_H_
