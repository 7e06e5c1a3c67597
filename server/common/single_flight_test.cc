#include "server/common/single_flight.h"

#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "server/common/mutex.h"
#include "server/common/scheduler.h"
#include "server/common/testing/fake_clock.h"
#include "server/common/testing/manual_scheduler.h"
#include "tests/testing/status_matchers.h"

namespace perch {
namespace {

using ::perch::testing::FakeClock;
using ::perch::testing::ManualScheduler;
using ::perch::testing::StatusIs;

// What a launch returns to abort its work.
struct Work {
  void Cancel() { aborted = true; }
  bool aborted = false;
};
using Flights = SingleFlight<std::string, std::shared_ptr<Work>>;

// Launches the test finishes by hand.
struct Launched {
  std::string key;
  absl::Time deadline;
  Flights::Done finish;
  std::shared_ptr<Work> work;
};

// A waiter's answers (one, if all is well) and when they came.
struct Answers {
  std::vector<absl::StatusOr<std::string>> got;
  std::vector<absl::Time> at;
};

absl::Status Expired() {
  return absl::DeadlineExceededError("the deadline passed while waiting");
}

class SingleFlightTest : public ::testing::Test {
 protected:
  // The owner's side: what Settle says comes from `verdict_`, and every
  // settled result is recorded.
  SingleFlightTest()
      : flights_(mu_, clock_, scheduler_, Expired(),
                 [this](const std::string& key,
                        const absl::StatusOr<std::string>& result,
                        absl::Time deadline) {
                   settled_.push_back(result);
                   settled_deadlines_.push_back(deadline);
                   (void)key;
                   return verdict_;
                 }) {}

  // A launch recording itself in launched_; `abortable`: it returns a Work.
  Flights::Launch Launch(bool abortable = true) {
    return [this, abortable](absl::Time deadline, Flights::Done finish) {
      auto work = abortable ? std::make_shared<Work>() : nullptr;
      launched_.push_back(Launched{"", deadline, std::move(finish), work});
      return work;
    };
  }

  // Joins `key` with `timeout` from now; the answers land in the result.
  std::shared_ptr<Answers> Join(const std::string& key, absl::Duration timeout,
                                bool abortable = true) {
    auto answers = std::make_shared<Answers>();
    MutexLock lock(&mu_);
    tickets_.push_back(
        flights_.Join(key, clock_.Now() + timeout, Launch(abortable),
                      [this, answers](absl::StatusOr<std::string> r) {
                        answers->got.push_back(std::move(r));
                        answers->at.push_back(clock_.Now());
                      }));
    return answers;
  }

  void Finish(size_t launch, absl::StatusOr<std::string> result) {
    std::move(launched_[launch].finish)(std::move(result));
  }
  // Moves the clock on and fires the timers due.
  void Advance(absl::Duration d) {
    clock_.Advance(d);
    scheduler_.RunDue();
  }
  bool InFlight(const std::string& key) {
    MutexLock lock(&mu_);
    return flights_.InFlight(key);
  }
  int64_t Waiting() {
    MutexLock lock(&mu_);
    return flights_.waiting();
  }
  int64_t Launches() {
    MutexLock lock(&mu_);
    return flights_.launches();
  }

  FakeClock clock_;
  ManualScheduler scheduler_{clock_};
  Mutex mu_;
  Flights::Verdict verdict_;
  std::vector<absl::StatusOr<std::string>> settled_;
  std::vector<absl::Time> settled_deadlines_;
  std::vector<Launched> launched_;
  std::vector<Flights::Ticket> tickets_;
  Flights flights_;
};

TEST_F(SingleFlightTest, JoinersShareOneLaunchAndEachGetsTheResultOnce) {
  std::vector<std::shared_ptr<Answers>> all;
  for (int i = 0; i < 100; ++i) all.push_back(Join("k", absl::Seconds(10)));
  ASSERT_EQ(launched_.size(), 1u);
  EXPECT_TRUE(tickets_[0].started);
  EXPECT_FALSE(tickets_[1].started);
  EXPECT_EQ(Waiting(), 100);
  Finish(0, "R");
  for (const auto& a : all) {
    ASSERT_EQ(a->got.size(), 1u);
    EXPECT_EQ(*a->got[0], "R");
  }
  EXPECT_EQ(settled_.size(), 1u);
  EXPECT_FALSE(InFlight("k"));
  EXPECT_EQ(Launches(), 1);
  // Every timer went with its answer.
  EXPECT_EQ(scheduler_.pending(), 0);
  EXPECT_EQ(scheduler_.cancelled(), 100);
}

TEST_F(SingleFlightTest, DifferentKeysFlySeparately) {
  auto a = Join("a", absl::Seconds(10));
  auto b = Join("b", absl::Seconds(10));
  ASSERT_EQ(launched_.size(), 2u);
  Finish(1, "B");
  EXPECT_TRUE(a->got.empty());
  ASSERT_EQ(b->got.size(), 1u);
  EXPECT_EQ(*b->got[0], "B");
  EXPECT_TRUE(InFlight("a"));
}

// The work runs to its starter's (later) deadline; the other waiter is
// answered `expired` exactly when its own deadline passes, and once only.
TEST_F(SingleFlightTest, AWaiterIsAnsweredAtItsOwnDeadline) {
  const absl::Time t0 = clock_.Now();
  auto patient = Join("k", absl::Seconds(3));
  auto quick = Join("k", absl::Seconds(1));
  EXPECT_EQ(launched_[0].deadline, t0 + absl::Seconds(3));
  Advance(absl::Milliseconds(999));
  EXPECT_TRUE(quick->got.empty());
  Advance(absl::Milliseconds(1));
  ASSERT_EQ(quick->got.size(), 1u);
  EXPECT_EQ(quick->at[0], t0 + absl::Seconds(1));
  EXPECT_EQ(quick->got[0].status(), Expired());
  EXPECT_FALSE(launched_[0].work->aborted);
  Finish(0, "R");
  EXPECT_EQ(quick->got.size(), 1u);
  ASSERT_EQ(patient->got.size(), 1u);
  EXPECT_EQ(*patient->got[0], "R");
}

// Settle says the work ran out of time: waiters with more time get a new
// launch to the latest of their deadlines, the others the result; a waiter
// in between is still answered at its own deadline.
TEST_F(SingleFlightTest, WaitersWithTimeLeftGetARelaunch) {
  const absl::Time t0 = clock_.Now();
  auto starter = Join("k", absl::Seconds(1));
  auto middle = Join("k", absl::Seconds(2));
  auto latest = Join("k", absl::Seconds(3));
  clock_.Advance(absl::Seconds(1));
  verdict_.relaunch_after = clock_.Now();
  Finish(0, absl::DeadlineExceededError("slow"));
  ASSERT_EQ(starter->got.size(), 1u);
  EXPECT_THAT(starter->got[0].status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(settled_deadlines_[0], t0 + absl::Seconds(1));
  ASSERT_EQ(launched_.size(), 2u);
  EXPECT_EQ(launched_[1].deadline, t0 + absl::Seconds(3));
  EXPECT_EQ(Launches(), 2);
  Advance(absl::Seconds(1));
  ASSERT_EQ(middle->got.size(), 1u);
  EXPECT_EQ(middle->at[0], t0 + absl::Seconds(2));
  EXPECT_EQ(middle->got[0].status(), Expired());
  verdict_ = {};
  Finish(1, "R");
  ASSERT_EQ(latest->got.size(), 1u);
  EXPECT_EQ(*latest->got[0], "R");
  EXPECT_EQ(middle->got.size(), 1u);
}

TEST_F(SingleFlightTest, TheOwnerMayRefuseTheRelaunch) {
  auto starter = Join("k", absl::Seconds(1));
  auto patient = Join("k", absl::Seconds(30));
  clock_.Advance(absl::Seconds(1));
  verdict_.relaunch_after = clock_.Now();
  verdict_.instead = absl::UnavailableError("backing off");
  Finish(0, absl::DeadlineExceededError("slow"));
  EXPECT_EQ(launched_.size(), 1u);
  ASSERT_EQ(patient->got.size(), 1u);
  EXPECT_EQ(patient->got[0].status().message(), "backing off");
  ASSERT_EQ(starter->got.size(), 1u);
  EXPECT_THAT(starter->got[0].status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_FALSE(InFlight("k"));
}

TEST_F(SingleFlightTest, AWithdrawnWaiterGetsItsStatusAndTheOthersTheResult) {
  auto leaving = Join("k", absl::Seconds(10));
  auto staying = Join("k", absl::Seconds(10));
  flights_.Withdraw(tickets_[0], absl::CancelledError("gone"));
  ASSERT_EQ(leaving->got.size(), 1u);
  EXPECT_THAT(leaving->got[0].status(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_FALSE(launched_[0].work->aborted);
  // Withdrawing again, or after the answer, changes nothing.
  flights_.Withdraw(tickets_[0], absl::CancelledError("again"));
  Finish(0, "R");
  flights_.Withdraw(tickets_[1], absl::CancelledError("late"));
  EXPECT_EQ(leaving->got.size(), 1u);
  ASSERT_EQ(staying->got.size(), 1u);
  EXPECT_EQ(*staying->got[0], "R");
}

// The last waiter leaving aborts the work and forgets the flight: its late
// answer goes nowhere, a new caller launches afresh.
TEST_F(SingleFlightTest, TheLastWaiterLeavingAbortsTheWork) {
  auto only = Join("k", absl::Seconds(1));
  Advance(absl::Seconds(1));
  ASSERT_EQ(only->got.size(), 1u);
  EXPECT_TRUE(launched_[0].work->aborted);
  EXPECT_FALSE(InFlight("k"));
  auto next = Join("k", absl::Seconds(10));
  ASSERT_EQ(launched_.size(), 2u);
  Finish(0, "old");
  EXPECT_TRUE(next->got.empty());
  EXPECT_TRUE(settled_.empty());
  Finish(1, "new");
  ASSERT_EQ(next->got.size(), 1u);
  EXPECT_EQ(*next->got[0], "new");
}

// Work that cannot be aborted goes on without waiters: a later caller joins
// it, and its result is settled (the token holder keeps such a token).
TEST_F(SingleFlightTest, WorkThatCannotBeAbortedGoesOnWithoutWaiters) {
  auto first = Join("k", absl::Seconds(1), /*abortable=*/false);
  Advance(absl::Seconds(1));
  ASSERT_EQ(first->got.size(), 1u);
  EXPECT_TRUE(InFlight("k"));
  EXPECT_EQ(Waiting(), 0);
  auto later = Join("k", absl::Seconds(10), /*abortable=*/false);
  EXPECT_EQ(launched_.size(), 1u);
  Finish(0, "R");
  ASSERT_EQ(settled_.size(), 1u);
  ASSERT_EQ(later->got.size(), 1u);
  EXPECT_EQ(*later->got[0], "R");
  EXPECT_EQ(first->got.size(), 1u);
}

// The only waiter's deadline passes while its launch is still starting
// (the lock is released around it): the work is aborted as soon as the
// launch returns its handle.
TEST_F(SingleFlightTest, WorkAbandonedWhileStartingIsAbortedWhenItStarts) {
  std::shared_ptr<Work> work;
  auto answers = std::make_shared<Answers>();
  {
    MutexLock lock(&mu_);
    flights_.Join(
        "k", clock_.Now() + absl::Seconds(1),
        [&](absl::Time, Flights::Done) {
          Advance(absl::Seconds(1));  // the waiter expires here
          work = std::make_shared<Work>();
          return work;
        },
        [answers](absl::StatusOr<std::string> r) {
          answers->got.push_back(std::move(r));
        });
  }
  ASSERT_EQ(answers->got.size(), 1u);
  EXPECT_EQ(answers->got[0].status(), Expired());
  ASSERT_NE(work, nullptr);
  EXPECT_TRUE(work->aborted);
  EXPECT_FALSE(InFlight("k"));
}

TEST_F(SingleFlightTest, ALaunchThatFinishesInlineAnswersBeforeJoinReturns) {
  auto answers = std::make_shared<Answers>();
  MutexLock lock(&mu_);
  const Flights::Ticket ticket = flights_.Join(
      "k", clock_.Now() + absl::Seconds(1),
      [](absl::Time, Flights::Done finish) {
        std::move(finish)("inline");
        return std::shared_ptr<Work>();
      },
      [answers](absl::StatusOr<std::string> r) {
        answers->got.push_back(std::move(r));
      });
  EXPECT_TRUE(ticket.started);
  ASSERT_EQ(answers->got.size(), 1u);
  EXPECT_EQ(*answers->got[0], "inline");
  EXPECT_FALSE(flights_.InFlight("k"));
  EXPECT_EQ(scheduler_.pending(), 0);
}

TEST_F(SingleFlightTest, SupersedeHandsOverTheWaitersAndDiscardsTheWork) {
  auto a = Join("k", absl::Seconds(10));
  auto b = Join("k", absl::Seconds(10));
  Flights::Taken taken;
  {
    MutexLock lock(&mu_);
    taken = flights_.Supersede("k");
    EXPECT_FALSE(flights_.InFlight("k"));
  }
  EXPECT_TRUE(a->got.empty());  // not under the lock
  std::move(taken).Answer("instead");
  for (const auto& w : {a, b}) {
    ASSERT_EQ(w->got.size(), 1u);
    EXPECT_EQ(*w->got[0], "instead");
  }
  EXPECT_TRUE(launched_[0].work->aborted);
  Finish(0, "late");
  EXPECT_TRUE(settled_.empty());
  EXPECT_EQ(a->got.size(), 1u);
  EXPECT_EQ(scheduler_.pending(), 0);
}

// Callers on several threads join (some withdraw at once, all with real
// deadline timers racing them) while another thread finishes the launches,
// and Settle keeps asking for relaunches: every waiter is answered exactly
// once. Under ThreadSanitizer (PERCH_SANITIZE=thread) this also checks that
// the flights are touched only under the owner's lock.
TEST(SingleFlightThreadsTest, WaitersOnManyThreadsAreEachAnsweredOnce) {
  constexpr int kCallers = 4;
  constexpr int kJoinsPerCaller = 300;
  SystemClock clock;
  ThreadScheduler scheduler;
  Mutex mu;         // the owner's lock
  int settled = 0;  // guarded by mu
  // The test's side: launches waiting for the finisher, answers counted.
  Mutex test_mu;
  std::deque<Flights::Done> unfinished;                  // guarded by test_mu
  std::vector<int> answers(kCallers * kJoinsPerCaller);  // guarded by test_mu
  int answered = 0;                                      // guarded by test_mu
  bool stop = false;                                     // guarded by test_mu
  Flights flights(
      mu, clock, scheduler, Expired(),
      [&](const std::string&, const absl::StatusOr<std::string>&, absl::Time) {
        // Every other result asks for a relaunch for the waiters
        // with more time (all of them: they wait an hour).
        Flights::Verdict verdict;
        if (++settled % 2 == 0) {
          verdict.relaunch_after = clock.Now();
        }
        return verdict;
      });
  Flights::Launch launch = [&](absl::Time, Flights::Done finish) {
    MutexLock lock(&test_mu);
    unfinished.push_back(std::move(finish));
    return std::make_shared<Work>();
  };
  // Finishes launches as they come, until told to stop and none is left.
  std::thread finisher([&] {
    for (;;) {
      Flights::Done finish;
      {
        MutexLock lock(&test_mu);
        test_mu.Await([&] { return stop || !unfinished.empty(); });
        if (unfinished.empty()) return;
        finish = std::move(unfinished.front());
        unfinished.pop_front();
      }
      std::move(finish)("R");
    }
  });
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      for (int n = 0; n < kJoinsPerCaller; ++n) {
        const int index = c * kJoinsPerCaller + n;
        // Some waiters' deadlines pass at once, on the scheduler's thread.
        const absl::Duration timeout =
            n % 7 == 0 ? absl::Microseconds(50) : absl::Hours(1);
        Flights::Ticket ticket;
        {
          MutexLock lock(&mu);
          ticket =
              flights.Join(absl::StrCat("k", n % 3), absl::Now() + timeout,
                           launch, [&, index](absl::StatusOr<std::string>) {
                             MutexLock lock(&test_mu);
                             ++answers[index];
                             ++answered;
                           });
        }
        if (n % 10 == 0) flights.Withdraw(ticket, absl::CancelledError(""));
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
  bool all_answered;
  {
    MutexLock lock(&test_mu);
    all_answered = test_mu.AwaitWithTimeout(
        [&] { return answered == kCallers * kJoinsPerCaller; },
        absl::Seconds(60));
    stop = true;
  }
  finisher.join();
  scheduler.Stop();  // its timers reach `flights`
  MutexLock lock(&test_mu);
  EXPECT_TRUE(all_answered) << answered;
  for (int n : answers) EXPECT_EQ(n, 1);
}

}  // namespace
}  // namespace perch
