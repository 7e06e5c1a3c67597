// A scripted TokenSource for tests of what sits above it: fetches and
// revokes are held until the test answers them. Test-side only.
#ifndef PERCH_SERVER_AUTH_TESTING_FAKE_TOKEN_SOURCE_H_
#define PERCH_SERVER_AUTH_TESTING_FAKE_TOKEN_SOURCE_H_

#include <deque>
#include <string>
#include <utility>

#include "server/auth/token_source.h"
#include "server/common/mutex.h"

namespace perch::auth::testing {

class FakeTokenSource final : public TokenSource {
 public:
  void Fetch(absl::Time deadline, TokenCallback done) override {
    MutexLock lock(&mu_);
    ++fetches_;
    fetch_deadlines_.push_back(deadline);
    fetches_pending_.push_back(std::move(done));
  }
  void Revoke(std::string token, absl::Time, RevokeCallback done) override {
    MutexLock lock(&mu_);
    revoked_.push_back(token);
    revokes_pending_.push_back(std::move(done));
  }

  // Answers the oldest pending fetch; false if there is none.
  bool AnswerFetch(absl::StatusOr<BearerToken> result) {
    TokenCallback done;
    {
      MutexLock lock(&mu_);
      if (fetches_pending_.empty()) return false;
      done = std::move(fetches_pending_.front());
      fetches_pending_.pop_front();
    }
    std::move(done)(std::move(result));
    return true;
  }
  bool AnswerRevoke(absl::Status status) {
    RevokeCallback done;
    {
      MutexLock lock(&mu_);
      if (revokes_pending_.empty()) return false;
      done = std::move(revokes_pending_.front());
      revokes_pending_.pop_front();
    }
    std::move(done)(std::move(status));
    return true;
  }

  int fetches() const {
    MutexLock lock(&mu_);
    return fetches_;
  }
  std::deque<absl::Time> fetch_deadlines() const {
    MutexLock lock(&mu_);
    return fetch_deadlines_;
  }
  std::deque<std::string> revoked() const {
    MutexLock lock(&mu_);
    return revoked_;
  }

 private:
  mutable Mutex mu_;
  int fetches_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<absl::Time> fetch_deadlines_ ABSL_GUARDED_BY(mu_);
  std::deque<TokenCallback> fetches_pending_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> revoked_ ABSL_GUARDED_BY(mu_);
  std::deque<RevokeCallback> revokes_pending_ ABSL_GUARDED_BY(mu_);
};

}  // namespace perch::auth::testing

#endif  // PERCH_SERVER_AUTH_TESTING_FAKE_TOKEN_SOURCE_H_
