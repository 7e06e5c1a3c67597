// The one app's bearer token: minted on first request, the same until it is
// revoked, a different one after. Tokens are deterministic from the seed and
// a generation counter and look like the upstream's (with %2F and %3D).
// Knows nothing about HTTP or app credentials; token_routes.cc does.
#ifndef PERCH_EMULATOR_TOKEN_AUTHORITY_H_
#define PERCH_EMULATOR_TOKEN_AUTHORITY_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace perch::emulator {

// Thread-safe: the loop thread issues and checks tokens while a test thread
// revokes them.
class TokenAuthority {
 public:
  explicit TokenAuthority(uint64_t seed) : seed_(seed) {}

  // The current token, minting the next generation when none is live.
  std::string IssueOrGet();

  // True if `token` is, byte for byte, the live token.
  bool IsCurrent(absl::string_view token) const;

  // Revokes the live token if it equals `token`; false (nothing changes)
  // when it does not or no token is live.
  bool InvalidateIfCurrent(absl::string_view token);

  // Revokes the live token, if any (another replica invalidated it).
  void Revoke();

  // How many distinct tokens have been minted so far.
  int64_t tokens_issued() const;
  // How many live tokens were revoked (Revoke or InvalidateIfCurrent that
  // found one): a client that obtains a token only when it has none, or
  // when its own was revoked, needs at most revocations() + 1.
  int64_t revocations() const;

 private:
  const uint64_t seed_;
  mutable absl::Mutex mu_;
  std::string current_ ABSL_GUARDED_BY(mu_);
  bool live_ ABSL_GUARDED_BY(mu_) = false;
  int64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t revocations_ ABSL_GUARDED_BY(mu_) = 0;
};

// The token of generation `generation` (0-based) for `seed`: 21 'A's like
// the upstream's, then random-looking characters with "%2F" and "%3D" inside.
std::string MakeToken(uint64_t seed, int64_t generation);

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_TOKEN_AUTHORITY_H_
