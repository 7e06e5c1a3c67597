// Holds the app's one bearer token centrally and makes every concurrent
// caller share one upstream fetch (single-flight). Decorates a TokenSource;
// knows nothing of HTTP. Drop() forgets a token the upstream rejected; after
// consecutive failures it backs off (token_backoff.h) and fails fast.
// Replace() switches to new app credentials (credentials_rotation.h).
#ifndef PERCH_SERVER_AUTH_CACHING_TOKEN_SOURCE_H_
#define PERCH_SERVER_AUTH_CACHING_TOKEN_SOURCE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "server/auth/token_backoff.h"
#include "server/auth/token_holder.h"
#include "server/auth/token_source.h"
#include "server/common/clock.h"
#include "server/common/mutex.h"
#include "server/metrics/perch_metrics.h"
#include "server/common/scheduler.h"
#include "server/common/single_flight.h"

namespace perch::auth {

// Thread-safe. Fetch() answers inline from the cache; otherwise it joins the
// fetch in flight or starts one (a flight: server/common/single_flight.h).
// Every waiter is answered by its own deadline at the latest: a timer per
// waiter answers DEADLINE_EXCEEDED when it passes, whatever the fetch is
// doing (which goes on: its token is cached for the next caller). A fetch
// carries the deadline of the caller that started it; when it runs out,
// waiters whose own deadline has not passed start a new fetch instead of
// failing, unless the backoff forbids it. A failed fetch is reported to
// every waiter (none is ever left hanging) and nothing is cached.
//
// Backoff: a failed fetch (a timed-out one too: a token endpoint that never
// answers in time must not be asked at the callers' pace) and a dropped
// token are failures; a token reported accepted ends the streak. After the
// n-th consecutive failure no fetch starts for TokenBackoff::Delay(n); a
// Fetch arriving meanwhile, with no token held, fails at once with the last
// failure's status (same code and ErrorInfo, a RetryInfo saying when perch
// asks again; after a timeout UNAVAILABLE, since that caller's deadline has
// not passed) instead of waiting or asking upstream.
class CachingTokenSource final : public TokenSource, public TokenHolder {
 public:
  // `source` does the upstream work; `clock` must outlive this object.
  // `scheduler` runs the waiters' deadline timers; it must be stopped or
  // destroyed before this object is (its callbacks reach it).
  // `random_unit` returns uniform numbers in [0, 1) for the backoff's jitter
  // (null: an internal generator). `metrics` (null: none; must outlive
  // this object) learns each fetch's outcome, re-obtains, invalidations and
  // when the held token was obtained.
  CachingTokenSource(std::shared_ptr<TokenSource> source, const Clock& clock,
                     Scheduler& scheduler, TokenBackoff backoff = {},
                     std::function<double()> random_unit = nullptr,
                     metrics::TokenMetrics* metrics = nullptr);
  ~CachingTokenSource() override;

  void Fetch(absl::Time deadline, TokenCallback done) override;

  // Revokes `token` upstream; forgets it if it is the one held, on success
  // and on TOKEN_NOT_INVALIDATED alike (either way it is of no further use).
  // An invalidation asked for is not a failure: it never causes a backoff.
  void Revoke(std::string token, absl::Time deadline,
              RevokeCallback done) override;

  // The upstream rejected `token` with `why`. Forgets it if it is the one
  // held, so the next Fetch obtains a new one, and counts one failure.
  // Concurrent callers that saw the same rejected token thus cause one
  // re-fetch and one failure, not one each: failures are counted per token,
  // not per request. Returns how long from now no fetch will start (zero: the
  // next Fetch asks at once), whether or not this call counted, so every
  // read that met the same rejections can tell its caller the same thing.
  absl::Duration Drop(absl::string_view token, absl::Status why) override;

  // The upstream answered a request made with `token` without rejecting the
  // token: if it is the one held, the failure streak ends, so the next
  // rejection re-obtains at once. Cheap when there is no streak.
  void ReportAccepted(absl::string_view token) override;

  // Switches to `source` (the source of new app credentials) and `token`,
  // which it has just issued: from now on Fetch answers `token`, and obtains
  // later tokens from `source`. Waiters get `token`; a fetch in flight on the
  // previous source is superseded (its answer is discarded); the failure
  // streak ends. The previous source lives as long as this object, for the
  // requests it may still have in flight.
  void Replace(std::shared_ptr<TokenSource> source, BearerToken token);

  // The token held now, if any; never fetches.
  std::optional<BearerToken> Held() const override;

  // Number of fetches started on the decorated source (for tests/metrics).
  int64_t upstream_fetches() const;

 private:
  using Flights = SingleFlight<BearerToken>;

  // Starts a fetch on `source` for the flight (Flights::Launch).
  Flights::Launch FetchFrom(TokenSource* source);
  // A fetch answered: keeps a token, counts a failure; a timed-out fetch is
  // retried for the waiters with time left unless perch backs off.
  Flights::Verdict SettleLocked(const absl::StatusOr<BearerToken>& result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Counts a failure and sets when the next fetch may start.
  void RecordFailureLocked(const absl::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // What a Fetch gets while perch backs off.
  absl::Status BackingOffLocked(absl::Time now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Forgets `token` if held; no failure.
  void Forget(absl::string_view token);
  // Tells the metrics which token is held now (none: nullopt).
  void NoteHeldLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  const TokenBackoff backoff_;
  const std::function<double()> random_unit_;
  metrics::TokenMetrics* const metrics_;
  mutable Mutex mu_;
  std::shared_ptr<TokenSource> source_ ABSL_GUARDED_BY(mu_);
  // Sources replaced so far (one per rotation).
  std::vector<std::shared_ptr<TokenSource>> retired_ ABSL_GUARDED_BY(mu_);
  std::optional<BearerToken> token_ ABSL_GUARDED_BY(mu_);
  // The one fetch in flight and its waiters; guarded by mu_. Replace
  // supersedes it.
  Flights flights_;
  // The failure streak: how many in a row, the last one, and when a fetch
  // may start again.
  int failures_ ABSL_GUARDED_BY(mu_) = 0;
  // The upstream rejected the held token and no new one is held yet: the
  // next token obtained is a re-obtain (perch_token_reobtains_total).
  bool rejected_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status last_failure_ ABSL_GUARDED_BY(mu_);
  absl::Time retry_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::BitGen random_ ABSL_GUARDED_BY(mu_);
  // failures_ > 0, readable without mu_: ReportAccepted runs on every read.
  std::atomic<bool> in_streak_{false};
};

}  // namespace perch::auth

#endif  // PERCH_SERVER_AUTH_CACHING_TOKEN_SOURCE_H_
