#include "server/common/executor.h"

#include <atomic>

#include "gtest/gtest.h"

namespace perch {
namespace {

TEST(ThreadPoolExecutor, RunsEveryTaskIncludingThoseQueuedAtDestruction) {
  std::atomic<int> ran{0};
  {
    ThreadPoolExecutor executor(2);
    for (int i = 0; i < 1000; ++i) executor.Schedule([&] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 1000);
}

TEST(ThreadPoolExecutor, RunsTasksOffTheCallingThread) {
  std::atomic<bool> other_thread{false};
  const auto caller = std::this_thread::get_id();
  {
    ThreadPoolExecutor executor(1);
    executor.Schedule(
        [&] { other_thread = std::this_thread::get_id() != caller; });
  }
  EXPECT_TRUE(other_thread.load());
}

}  // namespace
}  // namespace perch
