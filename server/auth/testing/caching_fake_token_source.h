// A CachingTokenSource in front of a FakeTokenSource: what the layers above
// auth (the upstream reader, the token RPCs) are tested against. The test
// answers, through fake(), each fetch and revoke the cache makes. Test-side
// only.
#ifndef PERCH_SERVER_AUTH_TESTING_CACHING_FAKE_TOKEN_SOURCE_H_
#define PERCH_SERVER_AUTH_TESTING_CACHING_FAKE_TOKEN_SOURCE_H_

#include <memory>

#include "server/auth/caching_token_source.h"
#include "server/auth/testing/fake_token_source.h"
#include "server/common/clock.h"
#include "server/common/scheduler.h"

namespace perch::auth::testing {

class CachingFakeTokenSource {
 public:
  // `clock` and `timers` (the waiters' deadlines) must outlive this object;
  // a timer still scheduled when it goes must not fire afterwards (the
  // ManualScheduler the tests pass drops its callbacks unrun).
  CachingFakeTokenSource(const Clock& clock, Scheduler& timers)
      : fake_(std::make_shared<FakeTokenSource>()),
        cache_(fake_, clock, timers) {}

  FakeTokenSource& fake() { return *fake_; }
  CachingTokenSource& cache() { return cache_; }

 private:
  std::shared_ptr<FakeTokenSource> fake_;
  CachingTokenSource cache_;
};

}  // namespace perch::auth::testing

#endif  // PERCH_SERVER_AUTH_TESTING_CACHING_FAKE_TOKEN_SOURCE_H_
