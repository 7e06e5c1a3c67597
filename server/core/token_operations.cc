#include "server/core/token_operations.h"

#include <optional>
#include <string>
#include <utility>

#include "server/auth/token_fingerprint.h"
#include "server/common/log.h"

namespace perch::core {
namespace {

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
}

}  // namespace

void TokenOperations::Obtain(
    absl::Time deadline,
    absl::AnyInvocable<void(absl::StatusOr<v1::ObtainResponse>) &&> done) {
  tokens_.Fetch(deadline, [done = std::move(done)](
                              absl::StatusOr<auth::BearerToken> token) mutable {
    if (!token.ok()) {
      std::move(done)(token.status());
      return;
    }
    v1::ObtainResponse response;
    response.set_token_type("bearer");
    response.set_token_fingerprint(auth::TokenFingerprint(token->value));
    SetTimestamp(token->obtained_at, response.mutable_obtained_at());
    response.set_from_cache(token->from_cache);
    std::move(done)(std::move(response));
  });
}

void TokenOperations::Invalidate(
    absl::Time deadline,
    absl::AnyInvocable<void(absl::StatusOr<v1::InvalidateResponse>) &&> done) {
  std::optional<auth::BearerToken> held = holder_.Held();
  if (!held.has_value()) {
    LogInfo("invalidate: no bearer token held; nothing to invalidate");
    v1::InvalidateResponse response;
    response.set_nothing_held(true);
    std::move(done)(std::move(response));
    return;
  }
  std::string fingerprint = auth::TokenFingerprint(held->value);
  tokens_.Revoke(
      std::move(held->value), deadline,
      [this, fingerprint = std::move(fingerprint),
       done = std::move(done)](absl::Status status) mutable {
        if (!status.ok()) {
          std::move(done)(std::move(status));
          return;
        }
        LogInfo("invalidated bearer token fingerprint=", fingerprint);
        v1::InvalidateResponse response;
        response.set_token_fingerprint(fingerprint);
        SetTimestamp(clock_.Now(), response.mutable_invalidated_at());
        std::move(done)(std::move(response));
      });
}

}  // namespace perch::core
