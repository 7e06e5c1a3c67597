// The seam for "the one token perch holds", as the layers that use it see
// it: what the upstream said about a token a TokenSource gave out, and which
// token is held now. A source that only fetches (the client-credentials one)
// holds nothing, so this is a second interface beside TokenSource rather
// than more of it; CachingTokenSource implements both.
#ifndef PERCH_SERVER_AUTH_TOKEN_HOLDER_H_
#define PERCH_SERVER_AUTH_TOKEN_HOLDER_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/auth/token_source.h"

namespace perch::auth {

// Contract: thread-safe; no method blocks on I/O or calls back.
class TokenHolder {
 public:
  virtual ~TokenHolder() = default;

  // The upstream rejected `token` with `why`: if it is the one held, forget
  // it so the next Fetch obtains a new one. Callers that saw the same
  // rejected token cause one re-fetch between them, not one each. Returns
  // how long from now no fetch will start (zero: the next Fetch asks at
  // once), whether or not this call forgot anything, so every read that met
  // the same rejection can tell its caller the same thing.
  virtual absl::Duration Drop(absl::string_view token, absl::Status why) = 0;

  // The upstream answered a request made with `token` without rejecting the
  // token. Called on every read, so it must be cheap.
  virtual void ReportAccepted(absl::string_view token) = 0;

  // The token held now, if any; never fetches.
  virtual std::optional<BearerToken> Held() const = 0;
};

}  // namespace perch::auth

#endif  // PERCH_SERVER_AUTH_TOKEN_HOLDER_H_
