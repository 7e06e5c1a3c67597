// What TokenService does, apart from gRPC: obtain the held token (or fetch
// one) and invalidate the app's current token, answered as perch.v1
// messages that identify the token only by fingerprint.
#ifndef PERCH_SERVER_CORE_TOKEN_OPERATIONS_H_
#define PERCH_SERVER_CORE_TOKEN_OPERATIONS_H_

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "perch/v1/token_service.pb.h"
#include "server/auth/token_holder.h"
#include "server/auth/token_source.h"
#include "server/common/clock.h"

namespace perch::core {

// Thread-safe; callbacks run exactly once, on any thread.
class TokenOperations {
 public:
  // `tokens` fetches and revokes, `holder` says which token is held (in
  // perch both are the one CachingTokenSource). All three must outlive this
  // object.
  TokenOperations(auth::TokenSource& tokens, const auth::TokenHolder& holder,
                  const Clock& clock)
      : tokens_(tokens), holder_(holder), clock_(clock) {}

  void Obtain(
      absl::Time deadline,
      absl::AnyInvocable<void(absl::StatusOr<v1::ObtainResponse>) &&> done);

  // Invalidates the token held. Holding none, answers nothing_held without
  // any upstream request: obtaining a token only to invalidate it would
  // mint one when the app has none, and spend the token endpoint's budget.
  // (A caller who means the app's token as every replica shares it calls
  // Obtain first, which fetches it.)
  void Invalidate(
      absl::Time deadline,
      absl::AnyInvocable<void(absl::StatusOr<v1::InvalidateResponse>) &&> done);

 private:
  auth::TokenSource& tokens_;
  const auth::TokenHolder& holder_;
  const Clock& clock_;
};

}  // namespace perch::core

#endif  // PERCH_SERVER_CORE_TOKEN_OPERATIONS_H_
