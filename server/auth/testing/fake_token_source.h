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
    return AnswerOldest(&FakeTokenSource::fetches_pending_, std::move(result));
  }
  // Answers the oldest pending revoke; false if there is none.
  bool AnswerRevoke(absl::Status status) {
    return AnswerOldest(&FakeTokenSource::revokes_pending_, std::move(status));
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
  // Runs the oldest callback of `pending` with `result`, outside the lock
  // (a callback may call back in); false if none is waiting.
  template <typename Callback, typename Result>
  bool AnswerOldest(std::deque<Callback> FakeTokenSource::*pending,
                    Result result) {
    Callback done;
    {
      MutexLock lock(&mu_);
      std::deque<Callback>& queue = this->*pending;
      if (queue.empty()) return false;
      done = std::move(queue.front());
      queue.pop_front();
    }
    std::move(done)(std::move(result));
    return true;
  }

  mutable Mutex mu_;
  int fetches_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<absl::Time> fetch_deadlines_ ABSL_GUARDED_BY(mu_);
  std::deque<TokenCallback> fetches_pending_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> revoked_ ABSL_GUARDED_BY(mu_);
  std::deque<RevokeCallback> revokes_pending_ ABSL_GUARDED_BY(mu_);
};

}  // namespace perch::auth::testing

#endif  // PERCH_SERVER_AUTH_TESTING_FAKE_TOKEN_SOURCE_H_
