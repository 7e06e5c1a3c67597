#include "server/auth/caching_token_source.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/common/log.h"

namespace perch::auth {
namespace {

// perch_token_fetches_total's outcome for a fetch's result: the status
// table's codes for the token endpoint (upstream_status.cc) and the
// transport's.
metrics::TokenOutcome OutcomeOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return metrics::TokenOutcome::kOk;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return metrics::TokenOutcome::kRejected;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return metrics::TokenOutcome::kUnavailable;
    case absl::StatusCode::kResourceExhausted:
      return metrics::TokenOutcome::kRateLimited;
    default:
      return metrics::TokenOutcome::kError;
  }
}
// The app has one token: one flight, under this key.
constexpr absl::string_view kTheToken = "bearer";

}  // namespace

CachingTokenSource::CachingTokenSource(std::shared_ptr<TokenSource> source,
                                       const Clock& clock, Scheduler& scheduler,
                                       TokenBackoff backoff,
                                       std::function<double()> random_unit,
                                       metrics::TokenMetrics* metrics)
    : clock_(clock),
      backoff_(backoff),
      random_unit_(std::move(random_unit)),
      metrics_(metrics),
      source_(std::move(source)),
      flights_(
          mu_, clock, scheduler,
          MakeError(absl::StatusCode::kDeadlineExceeded,
                    "the deadline passed while waiting for a bearer "
                    "token",
                    reasons::kDeadlineExceeded, kPerchDomain),
          [this](const std::string&, const absl::StatusOr<BearerToken>& result,
                 absl::Time) { return SettleLocked(result); }) {}

void CachingTokenSource::NoteHeldLocked() {
  if (metrics_ == nullptr) return;
  metrics_->SetHeld(token_.has_value() ? token_->obtained_at
                                       : absl::InfinitePast());
}

CachingTokenSource::~CachingTokenSource() = default;

void CachingTokenSource::Fetch(absl::Time deadline, TokenCallback done) {
  absl::StatusOr<BearerToken> answer;
  {
    MutexLock lock(&mu_);
    if (token_.has_value()) {
      answer = *token_;
      answer->from_cache = true;
    } else if (const absl::Time now = clock_.Now();
               !flights_.InFlight(kTheToken) && now < retry_at_) {
      answer = BackingOffLocked(now);
    } else {
      // Joins the fetch in flight, or starts one.
      flights_.Join(std::string(kTheToken), deadline, FetchFrom(source_.get()),
                    std::move(done));
      return;
    }
  }
  std::move(done)(std::move(answer));
}

CachingTokenSource::Flights::Launch CachingTokenSource::FetchFrom(
    TokenSource* source) {
  return [this, source](absl::Time deadline, Flights::Done finish) {
    source->Fetch(deadline, [this, finish = std::move(finish)](
                                absl::StatusOr<BearerToken> result) mutable {
      // Every fetch's outcome counts, a superseded one's too.
      if (metrics_ != nullptr) {
        metrics_->RecordFetch(OutcomeOf(result.status()));
      }
      std::move(finish)(std::move(result));
    });
    return nullptr;  // a token request cannot be aborted
  };
}

CachingTokenSource::Flights::Verdict CachingTokenSource::SettleLocked(
    const absl::StatusOr<BearerToken>& result) {
  if (result.ok()) {
    token_ = *result;
    NoteHeldLocked();
    if (rejected_ && metrics_ != nullptr) metrics_->RecordReobtain();
    rejected_ = false;
    return {};
  }
  RecordFailureLocked(result.status());
  if (result.status().code() != absl::StatusCode::kDeadlineExceeded) {
    return {};
  }
  // The fetch ran out of its starter's time: a failure all the same (a token
  // endpoint slower than every deadline is down for perch). Callers with
  // time left deserve a fetch of their own rather than someone else's
  // timeout (the earlier ones among them are still answered at their own
  // deadlines); while backing off they fail fast like new ones.
  const absl::Time now = clock_.Now();
  if (now < retry_at_) {
    return {.relaunch_after = now, .instead = BackingOffLocked(now)};
  }
  return {.relaunch_after = now, .instead = std::nullopt};
}

void CachingTokenSource::RecordFailureLocked(const absl::Status& status) {
  ++failures_;
  in_streak_.store(true, std::memory_order_relaxed);
  last_failure_ = status;
  const double unit =
      random_unit_ ? random_unit_() : absl::Uniform(random_, 0.0, 1.0);
  const absl::Duration delay = backoff_.Delay(failures_, unit);
  retry_at_ = clock_.Now() + delay;
  if (delay > absl::ZeroDuration()) {
    LogWarning("bearer token: ", failures_,
               " failures in a row (last: ", status.message(),
               "); no new token is requested for ",
               absl::FormatDuration(delay));
  }
}

absl::Status CachingTokenSource::BackingOffLocked(absl::Time now) const {
  const absl::Duration wait = retry_at_ - now;
  const std::string why = absl::StrCat(
      " (", failures_, " token failures in a row; perch asks again in ",
      absl::FormatDuration(absl::Ceil(wait, absl::Milliseconds(1))), ")");
  absl::Status status;
  if (last_failure_.code() == absl::StatusCode::kDeadlineExceeded) {
    // The last token request outlasted its caller's deadline, not this
    // caller's: to this caller the token endpoint is unavailable.
    status = MakeError(absl::StatusCode::kUnavailable,
                       absl::StrCat("the token endpoint did not answer in "
                                    "time",
                                    why),
                       reasons::kUpstreamUnavailable, kPerchDomain);
  } else {
    status = absl::Status(last_failure_.code(),
                          absl::StrCat(last_failure_.message(), why));
    last_failure_.ForEachPayload(
        [&status](absl::string_view url, const absl::Cord& payload) {
          status.SetPayload(url, payload);
        });
  }
  if (!GetRetryInfo(status).has_value()) AttachRetryInfo(status, wait);
  return status;
}

void CachingTokenSource::Revoke(std::string token, absl::Time deadline,
                                RevokeCallback done) {
  TokenSource* source;
  {
    MutexLock lock(&mu_);
    source = source_.get();
  }
  std::string held = token;
  source->Revoke(std::move(token), deadline,
                 [this, held = std::move(held),
                  done = std::move(done)](absl::Status status) mutable {
                   if (status.ok() && metrics_ != nullptr) {
                     metrics_->RecordInvalidation();
                   }
                   if (status.ok() ||
                       ErrorReason(status) == reasons::kTokenNotInvalidated) {
                     Forget(held);
                   }
                   std::move(done)(std::move(status));
                 });
}

void CachingTokenSource::Replace(std::shared_ptr<TokenSource> source,
                                 BearerToken token) {
  Flights::Taken waiters;
  {
    MutexLock lock(&mu_);
    retired_.push_back(std::move(source_));
    source_ = std::move(source);
    token_ = token;
    NoteHeldLocked();
    rejected_ = false;
    // A fetch in flight on the previous source is discarded when it answers.
    waiters = flights_.Supersede(kTheToken);
    failures_ = 0;
    in_streak_.store(false, std::memory_order_relaxed);
    retry_at_ = absl::InfinitePast();
  }
  std::move(waiters).Answer(token);
}

absl::Duration CachingTokenSource::Drop(absl::string_view token,
                                        absl::Status why) {
  MutexLock lock(&mu_);
  if (token_.has_value() && token_->value == token) {
    token_.reset();
    NoteHeldLocked();
    rejected_ = true;
    RecordFailureLocked(why);
  }
  // A token held (another read's re-obtain) is answered at once.
  if (token_.has_value()) return absl::ZeroDuration();
  return std::max(absl::ZeroDuration(), retry_at_ - clock_.Now());
}

void CachingTokenSource::ReportAccepted(absl::string_view token) {
  if (!in_streak_.load(std::memory_order_relaxed)) return;
  MutexLock lock(&mu_);
  if (!token_.has_value() || token_->value != token) return;
  failures_ = 0;
  in_streak_.store(false, std::memory_order_relaxed);
  retry_at_ = absl::InfinitePast();
}

void CachingTokenSource::Forget(absl::string_view token) {
  MutexLock lock(&mu_);
  if (token_.has_value() && token_->value == token) {
    token_.reset();
    NoteHeldLocked();
  }
}

std::optional<BearerToken> CachingTokenSource::Held() const {
  MutexLock lock(&mu_);
  return token_;
}

int64_t CachingTokenSource::upstream_fetches() const {
  MutexLock lock(&mu_);
  return flights_.launches();
}

}  // namespace perch::auth
