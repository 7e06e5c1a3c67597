#include "emulator/rate_limiter.h"

#include "gtest/gtest.h"

namespace perch::emulator {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

RateLimiter MakeLimiter() {
  return RateLimiter(absl::Minutes(15), [](absl::string_view key) {
    return key == "/small" ? 2 : 900;
  });
}

TEST(RateLimiter, CountsDownWithinAWindowThenRefuses) {
  RateLimiter limiter = MakeLimiter();
  RateLimiter::Decision d = limiter.Acquire("/small", kStart);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.limit, 2);
  EXPECT_EQ(d.remaining, 1);
  EXPECT_EQ(d.reset, kStart + absl::Minutes(15));
  d = limiter.Acquire("/small", kStart + absl::Minutes(1));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 0);
  EXPECT_EQ(d.reset, kStart + absl::Minutes(15));  // the window does not slide
  d = limiter.Acquire("/small", kStart + absl::Minutes(14));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.remaining, 0);
}

TEST(RateLimiter, ANewWindowOpensAtTheReset) {
  RateLimiter limiter = MakeLimiter();
  limiter.Acquire("/small", kStart);
  limiter.Acquire("/small", kStart);
  EXPECT_FALSE(limiter.Acquire("/small", kStart).allowed);
  RateLimiter::Decision d =
      limiter.Acquire("/small", kStart + absl::Minutes(15));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 1);
  EXPECT_EQ(d.reset, kStart + absl::Minutes(30));
}

TEST(RateLimiter, KeysHaveSeparateWindows) {
  RateLimiter limiter = MakeLimiter();
  limiter.Acquire("/small", kStart);
  limiter.Acquire("/small", kStart);
  EXPECT_FALSE(limiter.Acquire("/small", kStart).allowed);
  RateLimiter::Decision d = limiter.Acquire("/other", kStart);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 899);
}

TEST(RateLimiter, SetLimitOverridesAndStartsAFreshWindow) {
  RateLimiter limiter = MakeLimiter();
  limiter.Acquire("/other", kStart);
  limiter.SetLimit("/other", 1);
  RateLimiter::Decision d = limiter.Acquire("/other", kStart);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.limit, 1);
  EXPECT_EQ(d.remaining, 0);
  EXPECT_FALSE(limiter.Acquire("/other", kStart).allowed);
  limiter.ResetWindows();
  EXPECT_TRUE(limiter.Acquire("/other", kStart).allowed);  // override kept
  EXPECT_FALSE(limiter.Acquire("/other", kStart).allowed);
}

}  // namespace
}  // namespace perch::emulator
