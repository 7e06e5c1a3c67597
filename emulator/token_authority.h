// Each app's bearer token (one app, or two for rotation tests): minted on
// first request, the same until it is revoked, a different one after. Tokens
// are deterministic from the seed, the app and a generation counter and look
// like the upstream's (with %2F and %3D). Knows nothing about HTTP or app
// credentials; token_routes.cc does.
#ifndef PERCH_EMULATOR_TOKEN_AUTHORITY_H_
#define PERCH_EMULATOR_TOKEN_AUTHORITY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace perch::emulator {

// Thread-safe: the loop thread issues and checks tokens while a test thread
// revokes them.
class TokenAuthority {
 public:
  // Apps are numbered from 0; app 0's tokens depend on `seed` alone.
  explicit TokenAuthority(uint64_t seed, int apps = 1);

  // App `app`'s current token, minting its next generation when none is
  // live.
  std::string IssueOrGet(int app = 0);

  // True if `token` is, byte for byte, a live token of any app. Counts a
  // use of that app's token (reads check their token here).
  bool IsCurrent(absl::string_view token) const;

  // Revokes app `app`'s live token if it equals `token`; false (nothing
  // changes) when it does not or no token is live.
  bool InvalidateIfCurrent(absl::string_view token, int app = 0);

  // Revokes every live token (another replica invalidated it).
  void Revoke();

  // How many distinct tokens have been minted so far, all apps together.
  int64_t tokens_issued() const;
  // How many live tokens were revoked (Revoke or InvalidateIfCurrent that
  // found one): a client that obtains a token only when it has none, or
  // when its own was revoked, needs at most revocations() + 1.
  int64_t revocations() const;

  struct AppStats {
    int64_t tokens_issued = 0;
    int64_t token_uses = 0;  // IsCurrent checks this app's tokens passed
  };
  std::vector<AppStats> app_stats() const;

 private:
  struct App {
    uint64_t seed = 0;
    std::string current;
    bool live = false;
    int64_t generation = 0;
    mutable int64_t uses = 0;
  };
  mutable absl::Mutex mu_;
  std::vector<App> apps_ ABSL_GUARDED_BY(mu_);
  int64_t revocations_ ABSL_GUARDED_BY(mu_) = 0;
};

// The token of generation `generation` (0-based) for `seed`: 21 'A's like
// the upstream's, then random-looking characters with "%2F" and "%3D" inside.
std::string MakeToken(uint64_t seed, int64_t generation);

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_TOKEN_AUTHORITY_H_
