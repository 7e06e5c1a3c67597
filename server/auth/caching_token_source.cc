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
}  // namespace

CachingTokenSource::CachingTokenSource(std::shared_ptr<TokenSource> source,
                                       const Clock& clock, Scheduler& scheduler,
                                       TokenBackoff backoff,
                                       std::function<double()> random_unit,
                                       metrics::TokenMetrics* metrics)
    : clock_(clock),
      scheduler_(scheduler),
      backoff_(backoff),
      random_unit_(std::move(random_unit)),
      metrics_(metrics),
      source_(std::move(source)) {}

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
    } else if (fetching_) {
      AddWaiterLocked(deadline, std::move(done));
      return;
    } else if (const absl::Time now = clock_.Now(); now < retry_at_) {
      answer = BackingOffLocked(now);
    } else {
      AddWaiterLocked(deadline, std::move(done));
      StartFetchLocked(deadline);
      return;
    }
  }
  std::move(done)(std::move(answer));
}

void CachingTokenSource::AddWaiterLocked(absl::Time deadline,
                                         TokenCallback done) {
  const uint64_t id = ++next_waiter_id_;
  Scheduler::TimerId timer = 0;
  if (deadline != absl::InfiniteFuture()) {
    // Cancelled in Answer when the waiter is answered first. (The scheduler
    // never calls back inline but to cancel, which takes no lock here.)
    timer = scheduler_.RunAfter(deadline - clock_.Now(),
                                [this, id](bool cancelled) {
                                  if (!cancelled) Expire(id);
                                });
  }
  waiters_.push_back(Waiter{id, deadline, std::move(done), timer});
}

void CachingTokenSource::Answer(Waiter& waiter,
                                absl::StatusOr<BearerToken> result) {
  if (waiter.timer != 0) scheduler_.Cancel(waiter.timer);
  std::move(waiter.done)(std::move(result));
}

void CachingTokenSource::Expire(uint64_t id) {
  TokenCallback done;
  {
    MutexLock lock(&mu_);
    auto w = std::find_if(waiters_.begin(), waiters_.end(),
                          [id](const Waiter& x) { return x.id == id; });
    if (w == waiters_.end()) return;
    done = std::move(w->done);
    waiters_.erase(w);
  }
  std::move(done)(MakeError(absl::StatusCode::kDeadlineExceeded,
                            "the deadline passed while waiting for a bearer "
                            "token",
                            reasons::kDeadlineExceeded, kPerchDomain));
}

void CachingTokenSource::StartFetchLocked(absl::Time deadline) {
  fetching_ = true;
  ++upstream_fetches_;
  TokenSource* source = source_.get();
  const uint64_t epoch = epoch_;
  // The source may answer inline; OnFetched takes mu_, so release it first.
  mu_.Unlock();
  source->Fetch(deadline, [this, epoch](absl::StatusOr<BearerToken> result) {
    OnFetched(epoch, std::move(result));
  });
  mu_.Lock();
}

void CachingTokenSource::OnFetched(uint64_t epoch,
                                   absl::StatusOr<BearerToken> result) {
  std::vector<std::pair<Waiter, absl::StatusOr<BearerToken>>> answered;
  auto answer_all = [&](const absl::StatusOr<BearerToken>& with) {
    for (Waiter& w : waiters_) answered.emplace_back(std::move(w), with);
    waiters_.clear();
  };
  {
    MutexLock lock(&mu_);
    if (metrics_ != nullptr) metrics_->RecordFetch(OutcomeOf(result.status()));
    // Replace answered this fetch's waiters and cleared fetching_.
    if (epoch != epoch_) return;
    fetching_ = false;
    if (result.ok()) {
      token_ = *result;
      NoteHeldLocked();
      if (rejected_ && metrics_ != nullptr) metrics_->RecordReobtain();
      rejected_ = false;
      answer_all(result);
    } else if (result.status().code() == absl::StatusCode::kDeadlineExceeded) {
      // The fetch ran out of its starter's time: a failure all the same (a
      // token endpoint slower than every deadline is down for perch).
      RecordFailureLocked(result.status());
      const absl::Time now = clock_.Now();
      std::vector<Waiter> remaining;
      for (Waiter& w : waiters_) {
        if (w.deadline > now) {
          remaining.push_back(std::move(w));
        } else {
          answered.emplace_back(std::move(w), result);
        }
      }
      waiters_ = std::move(remaining);
      if (now < retry_at_) {
        // Backing off: callers with time left fail fast like new ones.
        answer_all(BackingOffLocked(now));
      } else if (!waiters_.empty()) {
        // Callers with time left deserve a fetch of their own rather than
        // someone else's timeout; the earlier ones among them are still
        // answered at their own deadlines (AddWaiterLocked's timers).
        absl::Time latest = waiters_.front().deadline;
        for (const Waiter& w : waiters_) latest = std::max(latest, w.deadline);
        StartFetchLocked(latest);
      }
    } else {
      RecordFailureLocked(result.status());
      answer_all(result);
    }
  }
  for (auto& [w, with] : answered) Answer(w, std::move(with));
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
  std::vector<Waiter> answered;
  {
    MutexLock lock(&mu_);
    retired_.push_back(std::move(source_));
    source_ = std::move(source);
    ++epoch_;
    token_ = token;
    NoteHeldLocked();
    rejected_ = false;
    fetching_ = false;
    answered = std::move(waiters_);
    waiters_.clear();
    failures_ = 0;
    in_streak_.store(false, std::memory_order_relaxed);
    retry_at_ = absl::InfinitePast();
  }
  for (Waiter& w : answered) Answer(w, token);
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
  return upstream_fetches_;
}

}  // namespace perch::auth
