// Fixed-window request budgets per key, the way the upstream counts them: a
// window opens at the first request after the previous one closed and lasts
// `window`; over the key's limit, requests are refused until it closes.
// Time is a parameter; this class never reads a clock.
#ifndef PERCH_EMULATOR_RATE_LIMITER_H_
#define PERCH_EMULATOR_RATE_LIMITER_H_

#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace perch::emulator {

// Thread-safe.
class RateLimiter {
 public:
  struct Decision {
    bool allowed = false;
    int limit = 0;
    int remaining = 0;  // after this request
    absl::Time reset;   // when the current window closes
  };

  // `default_limit(key)` gives a key's budget unless SetLimit overrode it.
  RateLimiter(absl::Duration window,
              absl::AnyInvocable<int(absl::string_view) const> default_limit)
      : window_(window), default_limit_(std::move(default_limit)) {}

  // Spends one request of `key`'s budget if any is left.
  Decision Acquire(absl::string_view key, absl::Time now);

  // Overrides `key`'s budget and starts it on a fresh window.
  void SetLimit(absl::string_view key, int limit);

  // Forgets every open window (overrides stay).
  void ResetWindows();

 private:
  struct Window {
    absl::Time reset = absl::InfinitePast();
    int used = 0;
  };

  const absl::Duration window_;
  const absl::AnyInvocable<int(absl::string_view) const> default_limit_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Window> windows_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int> overrides_ ABSL_GUARDED_BY(mu_);
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_RATE_LIMITER_H_
