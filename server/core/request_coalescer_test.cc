#include "server/core/request_coalescer.h"

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "perch/v1/read_service.pb.h"
#include "server/common/errors.h"
#include "server/common/mutex.h"
#include "server/common/scheduler.h"
#include "server/common/testing/fake_clock.h"
#include "server/common/testing/manual_scheduler.h"
#include "tests/testing/answered.h"

namespace perch::core {
namespace {

using ::perch::testing::Answered;
using ::perch::testing::FakeClock;
using ::perch::testing::ManualScheduler;

using Response = v1::GetTimelineResponse;
using Coalescer = RequestCoalescer<Response>;

// An upstream whose calls the test finishes by hand.
class FakeUpstream {
 public:
  struct Call : upstream::ReadHandle {
    void Cancel() override { cancelled = true; }
    bool cancelled = false;
    absl::Time deadline;
    Coalescer::Done finish;
    std::shared_ptr<CallContext> context;  // current when it was started
  };

  Coalescer::Start Start() {
    return [this](absl::Time deadline, Coalescer::Done finish) {
      auto call = std::make_shared<Call>();
      call->deadline = deadline;
      call->finish = std::move(finish);
      call->context = CallContext::Current();
      calls.push_back(call);
      return call;
    };
  }
  static Response Page(std::string id) {
    Response r;
    r.add_tweets()->set_id(std::move(id));
    return r;
  }
  std::vector<std::shared_ptr<Call>> calls;
};

struct Result {
  std::optional<absl::StatusOr<Response>> value;
};

class RequestCoalescerTest : public ::testing::Test {
 protected:
  std::shared_ptr<Result> Run(Coalescer& c, std::string key,
                              absl::Duration timeout = absl::Seconds(10)) {
    auto result = std::make_shared<Result>();
    handles_.push_back(c.Run(std::move(key), clock_.Now() + timeout,
                             upstream_.Start(),
                             [result](absl::StatusOr<Response> r) {
                               result->value = std::move(r);
                             }));
    return result;
  }
  FakeClock clock_;
  ManualScheduler scheduler_{clock_};
  FakeUpstream upstream_;
  std::vector<std::shared_ptr<upstream::ReadHandle>> handles_;
};

TEST_F(RequestCoalescerTest, IdenticalConcurrentCallsShareOneUpstreamCall) {
  Coalescer c(clock_, scheduler_, {});
  std::vector<std::shared_ptr<Result>> results;
  for (int i = 0; i < 1000; ++i) results.push_back(Run(c, "same"));
  ASSERT_EQ(upstream_.calls.size(), 1u);
  EXPECT_EQ(c.waiting(), 1000);
  std::move(upstream_.calls[0]->finish)(FakeUpstream::Page("42"));
  EXPECT_EQ(c.waiting(), 0);
  for (const auto& r : results) {
    ASSERT_THAT(r->value, Answered());
    EXPECT_EQ((*r->value)->tweets(0).id(), "42");
    EXPECT_FALSE((*r->value)->from_cache());
  }
  EXPECT_EQ(c.upstream_calls(), 1);
}

TEST_F(RequestCoalescerTest, DifferentKeysDoNotMeetAndLaterCallsGoUpstream) {
  Coalescer c(clock_, scheduler_, {});
  Run(c, "a");
  Run(c, "b");
  EXPECT_EQ(upstream_.calls.size(), 2u);
  EXPECT_EQ(c.waiting(), 2);
  std::move(upstream_.calls[0]->finish)(FakeUpstream::Page("1"));
  EXPECT_EQ(c.waiting(), 1);
  Run(c, "a");  // no cache: a finished flight is not reused
  EXPECT_EQ(upstream_.calls.size(), 3u);
}

TEST_F(RequestCoalescerTest, ErrorsReachEveryCaller) {
  Coalescer c(clock_, scheduler_, {});
  auto r1 = Run(c, "k");
  auto r2 = Run(c, "k");
  std::move(upstream_.calls[0]->finish)(absl::UnavailableError("down"));
  ASSERT_TRUE(r1->value.has_value() && r2->value.has_value());
  EXPECT_THAT(r1->value, Answered(absl::StatusCode::kUnavailable));
  EXPECT_THAT(r2->value, Answered(absl::StatusCode::kUnavailable));
}

TEST_F(RequestCoalescerTest, OneCancelledCallerLeavesTheOthersTheirAnswer) {
  Coalescer c(clock_, scheduler_, {});
  auto r1 = Run(c, "k");
  auto r2 = Run(c, "k");
  handles_[0]->Cancel();
  ASSERT_THAT(r1->value, Answered(absl::StatusCode::kCancelled));
  EXPECT_FALSE(upstream_.calls[0]->cancelled);
  std::move(upstream_.calls[0]->finish)(FakeUpstream::Page("7"));
  ASSERT_THAT(r2->value, Answered());
}

TEST_F(RequestCoalescerTest, LastCallerCancellingAbortsTheUpstreamCall) {
  Coalescer c(clock_, scheduler_, {});
  auto r1 = Run(c, "k");
  handles_[0]->Cancel();
  EXPECT_TRUE(upstream_.calls[0]->cancelled);
  // The abandoned call's late answer goes nowhere; a new caller starts fresh.
  auto r2 = Run(c, "k");
  std::move(upstream_.calls[0]->finish)(FakeUpstream::Page("old"));
  EXPECT_FALSE(r2->value.has_value());
  std::move(upstream_.calls[1]->finish)(FakeUpstream::Page("new"));
  ASSERT_TRUE(r2->value.has_value());
  EXPECT_EQ((*r2->value)->tweets(0).id(), "new");
}

TEST_F(RequestCoalescerTest, TimedOutFlightIsRelaunchedForCallersWithTimeLeft) {
  Coalescer c(clock_, scheduler_, {});
  auto quick = Run(c, "k", absl::Seconds(1));
  auto patient = Run(c, "k", absl::Seconds(30));
  clock_.Advance(absl::Seconds(2));
  std::move(upstream_.calls[0]->finish)(absl::DeadlineExceededError("slow"));
  ASSERT_THAT(quick->value, Answered(absl::StatusCode::kDeadlineExceeded));
  EXPECT_FALSE(patient->value.has_value());
  ASSERT_EQ(upstream_.calls.size(), 2u);
  EXPECT_EQ(upstream_.calls[1]->deadline,
            clock_.Now() - absl::Seconds(2) + absl::Seconds(30));
  std::move(upstream_.calls[1]->finish)(FakeUpstream::Page("9"));
  ASSERT_THAT(patient->value, Answered());
}

// The answer that runs out of the starter's time arrives in the starter's
// call (the reader runs it there); the flight launched again for the others
// is not that call's work and runs in none.
TEST_F(RequestCoalescerTest, ARelaunchedFlightRunsInNoCall) {
  Coalescer c(clock_, scheduler_, {});
  auto starter = std::make_shared<CallContext>(TraceContext{});
  auto joiner = std::make_shared<CallContext>(TraceContext{});
  {
    const CallContext::Scope scope(starter);
    Run(c, "k", absl::Seconds(1));
  }
  std::shared_ptr<Result> patient;
  {
    const CallContext::Scope scope(joiner);
    patient = Run(c, "k", absl::Seconds(30));
  }
  clock_.Advance(absl::Seconds(2));
  {
    const CallContext::Scope scope(starter);
    std::move(upstream_.calls[0]->finish)(absl::DeadlineExceededError("slow"));
  }
  ASSERT_EQ(upstream_.calls.size(), 2u);
  EXPECT_EQ(upstream_.calls[0]->context, starter);
  EXPECT_EQ(upstream_.calls[1]->context, nullptr);
  std::move(upstream_.calls[1]->finish)(FakeUpstream::Page("9"));
  ASSERT_THAT(patient->value, Answered());
}

// A flight works to its starter's deadline; a caller who joined with less
// time is answered when its own deadline passes, and the flight goes on for
// the others. Answered callers' timers are dropped.
TEST_F(RequestCoalescerTest, ACallerIsAnsweredAtItsOwnDeadlineNotTheFlights) {
  Coalescer c(clock_, scheduler_, {});
  auto patient = Run(c, "k", absl::Seconds(3));
  auto quick = Run(c, "k", absl::Seconds(1));
  clock_.Advance(absl::Milliseconds(999));
  scheduler_.RunDue();
  EXPECT_FALSE(quick->value.has_value());
  clock_.Advance(absl::Milliseconds(1));
  scheduler_.RunDue();
  ASSERT_THAT(quick->value, Answered(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(ErrorReason(quick->value->status()), "DEADLINE_EXCEEDED");
  EXPECT_FALSE(upstream_.calls[0]->cancelled);
  std::move(upstream_.calls[0]->finish)(FakeUpstream::Page("5"));
  ASSERT_THAT(patient->value, Answered());
  EXPECT_EQ(scheduler_.pending(), 0);
  EXPECT_EQ(scheduler_.cancelled(), 1);  // patient's
}

// The flight timed out and was launched again with the latest deadline: a
// caller in between is answered at its own deadline, not the latest; when
// the last caller's deadline passes the upstream call is cancelled.
TEST_F(RequestCoalescerTest,
       ACallerOfARelaunchedFlightIsAnsweredAtItsDeadline) {
  Coalescer c(clock_, scheduler_, {});
  const absl::Time t0 = clock_.Now();
  auto starter = Run(c, "k", absl::Seconds(1));
  auto middle = Run(c, "k", absl::Seconds(2));
  auto latest = Run(c, "k", absl::Seconds(3));
  clock_.Advance(absl::Seconds(1));
  std::move(upstream_.calls[0]->finish)(absl::DeadlineExceededError("slow"));
  ASSERT_EQ(upstream_.calls.size(), 2u);
  EXPECT_EQ(upstream_.calls[1]->deadline, t0 + absl::Seconds(3));
  clock_.Advance(absl::Seconds(1));
  scheduler_.RunDue();
  ASSERT_THAT(middle->value, Answered(absl::StatusCode::kDeadlineExceeded));
  EXPECT_FALSE(latest->value.has_value());
  clock_.Advance(absl::Seconds(1));
  scheduler_.RunDue();
  ASSERT_THAT(latest->value, Answered(absl::StatusCode::kDeadlineExceeded));
  EXPECT_TRUE(upstream_.calls[1]->cancelled);
}

TEST_F(RequestCoalescerTest, UnavailableIsRelaunchedOnlyForLaterDeadlines) {
  Coalescer c(clock_, scheduler_, {});
  auto starter = Run(c, "k", absl::Seconds(1));
  auto same = Run(c, "k", absl::Seconds(1));
  auto patient = Run(c, "k", absl::Seconds(30));
  std::move(upstream_.calls[0]->finish)(absl::UnavailableError("503"));
  ASSERT_THAT(starter->value, Answered(absl::StatusCode::kUnavailable));
  ASSERT_TRUE(same->value.has_value());
  EXPECT_FALSE(patient->value.has_value());
  ASSERT_EQ(upstream_.calls.size(), 2u);
  std::move(upstream_.calls[1]->finish)(absl::UnavailableError("503"));
  ASSERT_THAT(patient->value, Answered(absl::StatusCode::kUnavailable));
  EXPECT_EQ(upstream_.calls.size(), 2u);  // no caller left with more time
}

TEST_F(RequestCoalescerTest, CacheServesRepeatsWithinTheTtlMarkedFromCache) {
  Coalescer c(clock_, scheduler_, {absl::Seconds(5), 100});
  Run(c, "k");
  std::move(upstream_.calls[0]->finish)(FakeUpstream::Page("1"));
  auto hit = Run(c, "k");
  ASSERT_TRUE(hit->value.has_value());
  EXPECT_TRUE((*hit->value)->from_cache());
  EXPECT_EQ((*hit->value)->tweets(0).id(), "1");
  EXPECT_EQ(upstream_.calls.size(), 1u);
  clock_.Advance(absl::Seconds(6));
  auto miss = Run(c, "k");
  EXPECT_FALSE(miss->value.has_value());
  EXPECT_EQ(upstream_.calls.size(), 2u);
}

TEST_F(RequestCoalescerTest, CacheKeepsErrorsOutAndStaysBounded) {
  Coalescer c(clock_, scheduler_, {absl::Seconds(60), 2});
  Run(c, "err");
  std::move(upstream_.calls[0]->finish)(absl::UnavailableError("down"));
  Run(c, "err");
  EXPECT_EQ(upstream_.calls.size(), 2u);  // errors are never cached
  for (const char* k : {"a", "b", "c"}) {
    Run(c, k);
    std::move(upstream_.calls.back()->finish)(FakeUpstream::Page(k));
  }
  // Capacity 2: "a", the oldest, was evicted.
  const size_t before = upstream_.calls.size();
  Run(c, "c");
  Run(c, "a");
  EXPECT_EQ(upstream_.calls.size(), before + 1);
}

// Each caller's CallContext learns how it was served: the first starts the
// flight (and its upstream work runs in its context), the second joins it,
// a repeat within the TTL comes from the cache.
TEST_F(RequestCoalescerTest, EachCallersContextLearnsHowItWasServed) {
  Coalescer c(clock_, scheduler_, {.cache_ttl = absl::Seconds(5)});
  auto first = std::make_shared<CallContext>(TraceContext{});
  auto joiner = std::make_shared<CallContext>(TraceContext{});
  auto repeat = std::make_shared<CallContext>(TraceContext{});
  std::shared_ptr<CallContext> starter_seen;
  {
    const CallContext::Scope scope(first);
    handles_.push_back(c.Run(
        "same", clock_.Now() + absl::Seconds(10),
        [&](absl::Time deadline, Coalescer::Done finish) {
          starter_seen = CallContext::Current();
          return upstream_.Start()(deadline, std::move(finish));
        },
        [](absl::StatusOr<Response>) {}));
  }
  {
    const CallContext::Scope scope(joiner);
    Run(c, "same");
  }
  std::move(upstream_.calls[0]->finish)(FakeUpstream::Page("42"));
  {
    const CallContext::Scope scope(repeat);
    Run(c, "same");
  }
  EXPECT_EQ(starter_seen, first);
  EXPECT_FALSE(first->coalesced());
  EXPECT_FALSE(first->from_cache());
  EXPECT_TRUE(joiner->coalesced());
  EXPECT_FALSE(joiner->from_cache());
  EXPECT_FALSE(repeat->coalesced());
  EXPECT_TRUE(repeat->from_cache());
  EXPECT_EQ(upstream_.calls.size(), 1u);
}

// Callers on several threads run (and some withdraw at once) while another
// thread finishes the upstream calls, with a cache whose entries keep
// expiring: every caller is answered exactly once. Under ThreadSanitizer
// (PERCH_SANITIZE=thread) this also checks that flights and the cache are
// touched only under the coalescer's lock.
TEST(RequestCoalescerThreadsTest, CallersOnManyThreadsAreEachAnsweredOnce) {
  constexpr int kCallers = 4;
  constexpr int kRunsPerCaller = 250;
  SystemClock clock;
  Mutex mu;
  std::deque<Coalescer::Done> unfinished;  // guarded by mu
  int answered = 0;                        // guarded by mu
  Coalescer::Start start = [&](absl::Time, Coalescer::Done finish) {
    MutexLock lock(&mu);
    unfinished.push_back(std::move(finish));
    return std::shared_ptr<upstream::ReadHandle>();
  };
  // Real timers: their callbacks and cancels race the callers too.
  ThreadScheduler scheduler;
  Coalescer coalescer(clock, scheduler, {absl::Milliseconds(1), 2});

  std::atomic<bool> stop{false};
  std::thread finisher([&] {
    while (!stop.load()) {
      Coalescer::Done finish;
      {
        MutexLock lock(&mu);
        if (!unfinished.empty()) {
          finish = std::move(unfinished.front());
          unfinished.pop_front();
        }
      }
      if (finish) {
        std::move(finish)(FakeUpstream::Page("1"));
      } else {
        absl::SleepFor(absl::Microseconds(100));
      }
    }
  });
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&] {
      for (int n = 1; n <= kRunsPerCaller; ++n) {
        auto handle = coalescer.Run(absl::StrCat("k", n % 3),
                                    absl::Now() + absl::Hours(1), start,
                                    [&](absl::StatusOr<Response>) {
                                      MutexLock lock(&mu);
                                      ++answered;
                                    });
        if (handle != nullptr && n % 10 == 0) handle->Cancel();
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
  {
    MutexLock lock(&mu);
    mu.AwaitWithTimeout([&] { return answered == kCallers * kRunsPerCaller; },
                        absl::Seconds(60));
    EXPECT_EQ(answered, kCallers * kRunsPerCaller);
  }
  stop = true;
  finisher.join();
}

}  // namespace
}  // namespace perch::core
