// A scripted ReadDialect for core/ tests: each method answers what the test
// scripted (an empty page otherwise), records the queries and deadlines it
// got, can hold its calls until the test releases them, and honours Cancel.
// Linked by tests only (perch_upstream_testing).
#ifndef PERCH_SERVER_UPSTREAM_TESTING_FAKE_READ_DIALECT_H_
#define PERCH_SERVER_UPSTREAM_TESTING_FAKE_READ_DIALECT_H_

#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/common/mutex.h"
#include "server/upstream/read_dialect.h"

namespace perch::upstream::testing {

// One method of the fake. Thread-safe; answers run on the calling thread
// (inline) or on the thread that releases or cancels.
template <typename Query, typename Page>
class FakeDialectMethod {
 public:
  using Callback = ReadDialect::Callback<Page>;

  // The answer of the next unscripted call (calls take them in order).
  void Script(absl::StatusOr<Page> answer) {
    MutexLock lock(&mu_);
    scripted_.push_back(std::move(answer));
  }

  // From now on calls wait (holding their answer) until Release().
  void Hold() {
    MutexLock lock(&mu_);
    holding_ = true;
  }

  // Answers every waiting call, in arrival order, and stops holding.
  void Release() {
    std::vector<std::shared_ptr<Call>> held;
    {
      MutexLock lock(&mu_);
      holding_ = false;
      held.swap(held_);
    }
    for (auto& call : held) call->Finish(false);
  }

  std::vector<Query> queries() const {
    MutexLock lock(&mu_);
    return queries_;
  }
  std::vector<absl::Time> deadlines() const {
    MutexLock lock(&mu_);
    return deadlines_;
  }
  size_t calls() const {
    MutexLock lock(&mu_);
    return queries_.size();
  }
  // Calls cancelled before their answer went out.
  int cancelled() const {
    MutexLock lock(&mu_);
    return cancelled_;
  }

  std::shared_ptr<ReadHandle> Run(const Query& query, absl::Time deadline,
                                  Callback done) {
    auto call = std::make_shared<Call>(this, std::move(done));
    bool hold;
    {
      MutexLock lock(&mu_);
      queries_.push_back(query);
      deadlines_.push_back(deadline);
      if (!scripted_.empty()) {
        call->answer = std::move(scripted_.front());
        scripted_.pop_front();
      }
      hold = holding_;
      if (hold) held_.push_back(call);
    }
    if (!hold) call->Finish(false);
    return call;
  }

 private:
  struct Call final : ReadHandle {
    Call(FakeDialectMethod* o, Callback d) : owner(o), done(std::move(d)) {}

    void Cancel() override { Finish(true); }

    void Finish(bool cancel) {
      Callback d;
      {
        MutexLock lock(&mu);
        if (finished) return;
        finished = true;
        d = std::move(done);
      }
      if (!cancel) return std::move(d)(std::move(answer));
      {
        MutexLock lock(&owner->mu_);
        ++owner->cancelled_;
      }
      std::move(d)(MakeError(absl::StatusCode::kCancelled,
                             "the call was cancelled", reasons::kCancelled,
                             kPerchDomain));
    }

    FakeDialectMethod* const owner;
    absl::StatusOr<Page> answer = Page();
    Mutex mu;
    bool finished ABSL_GUARDED_BY(mu) = false;
    Callback done ABSL_GUARDED_BY(mu);
  };

  mutable Mutex mu_;
  std::deque<absl::StatusOr<Page>> scripted_ ABSL_GUARDED_BY(mu_);
  bool holding_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::shared_ptr<Call>> held_ ABSL_GUARDED_BY(mu_);
  std::vector<Query> queries_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Time> deadlines_ ABSL_GUARDED_BY(mu_);
  int cancelled_ ABSL_GUARDED_BY(mu_) = 0;
};

class FakeReadDialect final : public ReadDialect {
 public:
  absl::string_view name() const override { return "fake"; }

  std::shared_ptr<ReadHandle> Timeline(const TimelineQuery& query,
                                       absl::Time deadline,
                                       Callback<TweetPage> done) override {
    return timeline_.Run(query, deadline, std::move(done));
  }
  std::shared_ptr<ReadHandle> Search(const SearchQuery& query,
                                     absl::Time deadline,
                                     Callback<TweetPage> done) override {
    return search_.Run(query, deadline, std::move(done));
  }
  std::shared_ptr<ReadHandle> Followers(const FollowersQuery& query,
                                        absl::Time deadline,
                                        Callback<FollowerPage> done) override {
    return followers_.Run(query, deadline, std::move(done));
  }
  std::shared_ptr<ReadHandle> List(const ListQuery& query, absl::Time deadline,
                                   Callback<ListPage> done) override {
    return list_.Run(query, deadline, std::move(done));
  }

  // Calls made to any method.
  size_t calls() const {
    return timeline_.calls() + search_.calls() + followers_.calls() +
           list_.calls();
  }

  FakeDialectMethod<TimelineQuery, TweetPage>& timeline() { return timeline_; }
  FakeDialectMethod<SearchQuery, TweetPage>& search() { return search_; }
  FakeDialectMethod<FollowersQuery, FollowerPage>& followers() {
    return followers_;
  }
  FakeDialectMethod<ListQuery, ListPage>& list() { return list_; }

 private:
  FakeDialectMethod<TimelineQuery, TweetPage> timeline_;
  FakeDialectMethod<SearchQuery, TweetPage> search_;
  FakeDialectMethod<FollowersQuery, FollowerPage> followers_;
  FakeDialectMethod<ListQuery, ListPage> list_;
};

}  // namespace perch::upstream::testing

#endif  // PERCH_SERVER_UPSTREAM_TESTING_FAKE_READ_DIALECT_H_
