#include "server/auth/token_backoff.h"

#include <vector>

#include "gtest/gtest.h"

namespace perch::auth {
namespace {

TEST(TokenBackoff, TheFirstFailureAfterASuccessWaitsNothing) {
  const TokenBackoff backoff;
  EXPECT_EQ(backoff.Delay(1, 0.0), absl::ZeroDuration());
  EXPECT_EQ(backoff.Delay(1, 0.99), absl::ZeroDuration());
}

TEST(TokenBackoff, DoublesFromTheSecondFailureUpToTheCapWithEqualJitter) {
  const TokenBackoff backoff{absl::Seconds(1), absl::Seconds(4)};
  EXPECT_EQ(backoff.Delay(2, 0.0), absl::Milliseconds(500));
  EXPECT_EQ(backoff.Delay(2, 1.0), absl::Seconds(1));
  EXPECT_EQ(backoff.Delay(3, 0.0), absl::Seconds(1));
  EXPECT_EQ(backoff.Delay(4, 0.5), absl::Seconds(3));
  EXPECT_EQ(backoff.Delay(5, 1.0), absl::Seconds(4));
  EXPECT_EQ(backoff.Delay(1000, 1.0), absl::Seconds(4));
  EXPECT_EQ(backoff.Delay(1000, 0.0), absl::Seconds(2));
}

// The request times of a streak that never ends, each wait as short as the
// jitter allows, and requests answered instantly: the densest schedule.
TEST(TokenBackoff, DefaultsAllowAtMostTenRequestsInAnyTenSeconds) {
  const TokenBackoff backoff;
  std::vector<absl::Duration> times;
  absl::Duration t;
  for (int failures = 1; t < absl::Seconds(120); ++failures) {
    times.push_back(t);
    t += backoff.Delay(failures, 0.0);
  }
  for (size_t i = 0; i < times.size(); ++i) {
    size_t in_window = 0;
    for (size_t j = i;
         j < times.size() && times[j] < times[i] + absl::Seconds(10); ++j) {
      ++in_window;
    }
    EXPECT_LE(in_window, 10u) << "window from " << times[i];
  }
}

TEST(TokenBackoff, DefaultsNeverWaitLongEnoughToDelayRecoveryPastFiveSeconds) {
  const TokenBackoff backoff;
  for (int failures = 1; failures < 100; ++failures) {
    EXPECT_LT(backoff.Delay(failures, 0.999999), absl::Seconds(5));
  }
}

}  // namespace
}  // namespace perch::auth
