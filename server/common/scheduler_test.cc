#include "server/common/scheduler.h"

#include <atomic>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "server/common/clock.h"
#include "server/common/notification.h"
#include "server/common/testing/fake_clock.h"
#include "server/common/testing/manual_scheduler.h"

namespace perch {
namespace {

using ::perch::testing::FakeClock;
using ::perch::testing::ManualScheduler;

TEST(ThreadScheduler, RunsCallbacksInDueOrderNotSubmissionOrder) {
  // Declared first, so they outlive the scheduler's thread (joined when it
  // is destroyed), which may still be in Notify() as the test ends.
  Mutex mu;
  std::vector<int> order;
  Notification done;
  ThreadScheduler scheduler;
  scheduler.RunAfter(absl::Milliseconds(60), [&](bool cancelled) {
    EXPECT_FALSE(cancelled);
    MutexLock lock(&mu);
    order.push_back(2);
    done.Notify();
  });
  scheduler.RunAfter(absl::Milliseconds(5), [&](bool) {
    MutexLock lock(&mu);
    order.push_back(1);
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  MutexLock lock(&mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(ThreadScheduler, DestructionCancelsWhatIsNotDueYet) {
  std::atomic<int> cancelled{0};
  {
    ThreadScheduler scheduler;
    for (int i = 0; i < 3; ++i) {
      scheduler.RunAfter(absl::Hours(1), [&](bool c) { cancelled += c; });
    }
  }
  EXPECT_EQ(cancelled.load(), 3);
}

TEST(ThreadScheduler, AfterStopCallbacksAreCancelledInline) {
  ThreadScheduler scheduler;
  scheduler.Stop();
  bool cancelled = false;
  scheduler.RunAfter(absl::Milliseconds(1), [&](bool c) { cancelled = c; });
  EXPECT_TRUE(cancelled);
}

// A deadline timer dropped once what it guards is done never runs, and its
// callback (with what it captured) is released at once; the others still
// run in due order.
TEST(ThreadScheduler, CancelledCallbacksNeverRunAndAreReleased) {
  // Declared first, as above.
  auto captured = std::make_shared<int>(0);
  std::atomic<int> ran_dropped{0};
  Notification done;
  ThreadScheduler scheduler;
  const Scheduler::TimerId dropped = scheduler.RunAfter(
      absl::Milliseconds(20),
      [&ran_dropped, captured](bool) { ++ran_dropped; });
  const Scheduler::TimerId kept = scheduler.RunAfter(
      absl::Milliseconds(40), [&](bool cancelled) {
        EXPECT_FALSE(cancelled);
        done.Notify();
      });
  EXPECT_NE(dropped, kept);
  EXPECT_TRUE(scheduler.Cancel(dropped));
  EXPECT_EQ(captured.use_count(), 1);
  EXPECT_FALSE(scheduler.Cancel(dropped));  // once only
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_FALSE(scheduler.Cancel(kept));  // it has run
  EXPECT_EQ(ran_dropped.load(), 0);
}

TEST(ManualScheduler, RunDueRunsOnlyWhatTheClockHasReached) {
  FakeClock clock;
  ManualScheduler scheduler(clock);
  std::vector<int> ran;
  scheduler.RunAfter(absl::Seconds(2), [&](bool) { ran.push_back(2); });
  const Scheduler::TimerId dropped =
      scheduler.RunAfter(absl::Seconds(1), [&](bool) { ran.push_back(-1); });
  scheduler.RunAfter(absl::Seconds(1), [&](bool) { ran.push_back(1); });
  EXPECT_TRUE(scheduler.Cancel(dropped));
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(scheduler.RunDue(), 1);
  EXPECT_EQ(ran, (std::vector<int>{1}));
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(scheduler.RunDue(), 1);
  EXPECT_EQ(ran, (std::vector<int>{1, 2}));
  EXPECT_EQ(scheduler.pending(), 0);
  EXPECT_EQ(scheduler.cancelled(), 1);
}

}  // namespace
}  // namespace perch
