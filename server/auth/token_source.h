// The seam for "where the bearer token comes from". The client-credentials
// source talks to the upstream; CachingTokenSource holds one token and shares
// fetches; tests use fakes. Nothing here ever logs a token.
#ifndef PERCH_SERVER_AUTH_TOKEN_SOURCE_H_
#define PERCH_SERVER_AUTH_TOKEN_SOURCE_H_

#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace perch::auth {

struct BearerToken {
  // The token byte for byte as the upstream issued it (it may contain
  // percent-escapes such as %2F: they are part of the token).
  std::string value;
  // When it was obtained from the upstream.
  absl::Time obtained_at;
  // True when no upstream request was made to produce this answer.
  bool from_cache = false;
};

// Contract: thread-safe; each callback runs exactly once, possibly inline or
// on another thread, and must not block. Errors carry one ErrorInfo:
//   UNAUTHENTICATED      APP_CREDENTIALS_REJECTED, UNEXPECTED_TOKEN_TYPE
//   FAILED_PRECONDITION  TOKEN_NOT_INVALIDATED (Revoke)
//   UNAVAILABLE          upstream unreachable or 5xx
//   DEADLINE_EXCEEDED    `deadline` passed first
//   INTERNAL             UPSTREAM_MALFORMED_RESPONSE, UPSTREAM_REJECTED_REQUEST
class TokenSource {
 public:
  using TokenCallback =
      absl::AnyInvocable<void(absl::StatusOr<BearerToken>) &&>;
  using RevokeCallback = absl::AnyInvocable<void(absl::Status) &&>;

  virtual ~TokenSource() = default;

  // Produces a bearer token.
  virtual void Fetch(absl::Time deadline, TokenCallback done) = 0;

  // Invalidates `token` upstream; OK only once the upstream confirmed that
  // very token.
  virtual void Revoke(std::string token, absl::Time deadline,
                      RevokeCallback done) = 0;
};

}  // namespace perch::auth

#endif  // PERCH_SERVER_AUTH_TOKEN_SOURCE_H_
