#include "server/common/mutex.h"

#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/common/notification.h"

namespace perch {
namespace {

// Generous: only a broken wake-up would wait this long.
constexpr absl::Duration kWait = absl::Seconds(60);

TEST(Mutex, AwaitReturnsOnceAnotherThreadMakesTheConditionTrue) {
  Mutex mu;
  bool ready = false;  // guarded by mu
  std::thread setter([&] {
    MutexLock lock(&mu);
    ready = true;
  });
  {
    MutexLock lock(&mu);
    EXPECT_TRUE(mu.AwaitWithTimeout([&] { return ready; }, kWait));
  }
  setter.join();
}

TEST(Mutex, AwaitWithTimeoutGivesUpWithFalse) {
  Mutex mu;
  MutexLock lock(&mu);
  EXPECT_FALSE(
      mu.AwaitWithTimeout([] { return false; }, absl::Milliseconds(10)));
  EXPECT_FALSE(mu.AwaitWithDeadline([] { return false; },
                                    absl::Now() - absl::Seconds(1)));
}

// Awaits `condition` on the held `mu` for kWait; true only if it held before
// kWait ran out (at the timeout the condition is checked once more, which a
// missed wake-up would pass).
template <typename Condition>
bool HeldBeforeTimeout(Mutex& mu, const Condition& condition)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
  const absl::Time give_up = absl::Now() + kWait;
  return mu.AwaitWithDeadline(condition, give_up) && absl::Now() < give_up;
}

// As with absl::Mutex, releasing the lock to wait is a release: what the
// waiting thread changed under the lock wakes the waiters it concerns. Each
// thread here changes what the other waits for, then waits itself.
TEST(Mutex, ReleasingTheLockToWaitWakesOtherWaiters) {
  Mutex mu;
  bool started = false;         // guarded by mu
  bool asked = false;           // guarded by mu
  bool answered = false;        // guarded by mu
  bool answerer_woken = false;  // guarded by mu
  std::thread answerer([&] {
    MutexLock lock(&mu);
    started = true;
    answerer_woken = HeldBeforeTimeout(mu, [&] { return asked; });
    answered = true;
  });
  {
    MutexLock lock(&mu);
    EXPECT_TRUE(HeldBeforeTimeout(mu, [&] { return started; }));
    asked = true;
    EXPECT_TRUE(mu.AwaitWithTimeout([&] { return answered; }, 2 * kWait));
    EXPECT_TRUE(answerer_woken);
  }
  answerer.join();
}

TEST(Notification, WaitersSeeTheNotificationAndWhatPrecededIt) {
  Notification notification;
  int value = 0;
  EXPECT_FALSE(notification.HasBeenNotified());
  EXPECT_FALSE(
      notification.WaitForNotificationWithTimeout(absl::Milliseconds(1)));
  std::thread notifier([&] {
    value = 42;
    notification.Notify();
  });
  EXPECT_TRUE(notification.WaitForNotificationWithTimeout(kWait));
  EXPECT_EQ(value, 42);  // a race TSan would report without the hand-over
  EXPECT_TRUE(notification.HasBeenNotified());
  notifier.join();
}

}  // namespace
}  // namespace perch
