// Holds the app's one bearer token centrally and makes every concurrent
// caller share one upstream fetch (single-flight). Decorates a TokenSource;
// knows nothing of HTTP. Drop() forgets a token the upstream rejected.
#ifndef PERCH_SERVER_AUTH_CACHING_TOKEN_SOURCE_H_
#define PERCH_SERVER_AUTH_CACHING_TOKEN_SOURCE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "server/auth/token_source.h"
#include "server/common/clock.h"

namespace perch::auth {

// Thread-safe. Fetch() answers inline from the cache; otherwise it joins the
// fetch in flight or starts one. A fetch carries the deadline of the caller
// that started it; when it runs out, waiters whose own deadline has not
// passed start a new fetch instead of failing. A failed fetch is reported to
// every waiter (none is ever left hanging) and nothing is cached.
class CachingTokenSource final : public TokenSource {
 public:
  // `source` does the upstream work; `clock` must outlive this object.
  CachingTokenSource(std::unique_ptr<TokenSource> source, const Clock& clock);
  ~CachingTokenSource() override;

  void Fetch(absl::Time deadline, TokenCallback done) override;

  // Revokes `token` upstream; drops it if it is the one held, on success and
  // on TOKEN_NOT_INVALIDATED alike (either way it is of no further use).
  void Revoke(std::string token, absl::Time deadline,
              RevokeCallback done) override;

  // Forgets `token` if it is the one held, so the next Fetch obtains a new
  // one. Concurrent callers that saw the same rejected token thus cause one
  // re-fetch, not one each.
  void Drop(absl::string_view token);

  // Number of fetches started on the decorated source (for tests/metrics).
  int64_t upstream_fetches() const;

 private:
  struct Waiter {
    absl::Time deadline;
    TokenCallback done;
  };

  // Starts a fetch for the current waiters. Requires !fetching_.
  void StartFetchLocked(absl::Time deadline) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnFetched(absl::StatusOr<BearerToken> result);

  const std::unique_ptr<TokenSource> source_;
  const Clock& clock_;
  mutable absl::Mutex mu_;
  std::optional<BearerToken> token_ ABSL_GUARDED_BY(mu_);
  bool fetching_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  int64_t upstream_fetches_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace perch::auth

#endif  // PERCH_SERVER_AUTH_CACHING_TOKEN_SOURCE_H_
