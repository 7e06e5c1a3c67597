#include "server/auth/caching_token_source.h"

#include <algorithm>
#include <utility>

#include "server/common/errors.h"

namespace perch::auth {

CachingTokenSource::CachingTokenSource(std::unique_ptr<TokenSource> source,
                                       const Clock& clock)
    : source_(std::move(source)), clock_(clock) {}

CachingTokenSource::~CachingTokenSource() = default;

void CachingTokenSource::Fetch(absl::Time deadline, TokenCallback done) {
  BearerToken cached;
  {
    absl::MutexLock lock(&mu_);
    if (!token_.has_value()) {
      waiters_.push_back(Waiter{deadline, std::move(done)});
      if (!fetching_) StartFetchLocked(deadline);
      return;
    }
    cached = *token_;
  }
  cached.from_cache = true;
  std::move(done)(std::move(cached));
}

void CachingTokenSource::StartFetchLocked(absl::Time deadline) {
  fetching_ = true;
  ++upstream_fetches_;
  // The source may answer inline; OnFetched takes mu_, so release it first.
  mu_.Unlock();
  source_->Fetch(deadline, [this](absl::StatusOr<BearerToken> result) {
    OnFetched(std::move(result));
  });
  mu_.Lock();
}

void CachingTokenSource::OnFetched(absl::StatusOr<BearerToken> result) {
  std::vector<Waiter> answered;
  {
    absl::MutexLock lock(&mu_);
    fetching_ = false;
    if (result.ok()) {
      token_ = *result;
      answered = std::move(waiters_);
      waiters_.clear();
    } else if (result.status().code() == absl::StatusCode::kDeadlineExceeded) {
      // The fetch ran out of its starter's time. Callers with time left
      // deserve a fetch of their own rather than someone else's timeout.
      const absl::Time now = clock_.Now();
      std::vector<Waiter> remaining;
      for (Waiter& w : waiters_) {
        (w.deadline > now ? remaining : answered).push_back(std::move(w));
      }
      waiters_ = std::move(remaining);
      if (!waiters_.empty()) {
        absl::Time latest = waiters_.front().deadline;
        for (const Waiter& w : waiters_) latest = std::max(latest, w.deadline);
        StartFetchLocked(latest);
      }
    } else {
      answered = std::move(waiters_);
      waiters_.clear();
    }
  }
  for (Waiter& w : answered) std::move(w.done)(result);
}

void CachingTokenSource::Revoke(std::string token, absl::Time deadline,
                                RevokeCallback done) {
  std::string held = token;
  source_->Revoke(
      std::move(token), deadline,
      [this, held = std::move(held),
       done = std::move(done)](absl::Status status) mutable {
        if (status.ok() || ErrorReason(status) == "TOKEN_NOT_INVALIDATED") {
          Drop(held);
        }
        std::move(done)(std::move(status));
      });
}

void CachingTokenSource::Drop(absl::string_view token) {
  absl::MutexLock lock(&mu_);
  if (token_.has_value() && token_->value == token) token_.reset();
}

int64_t CachingTokenSource::upstream_fetches() const {
  absl::MutexLock lock(&mu_);
  return upstream_fetches_;
}

}  // namespace perch::auth
