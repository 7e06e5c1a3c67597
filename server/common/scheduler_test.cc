#include "server/common/scheduler.h"

#include <atomic>
#include <vector>

#include "gtest/gtest.h"
#include "server/common/notification.h"

namespace perch {
namespace {

TEST(ThreadScheduler, RunsCallbacksInDueOrderNotSubmissionOrder) {
  ThreadScheduler scheduler;
  Mutex mu;
  std::vector<int> order;
  Notification done;
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

}  // namespace
}  // namespace perch
