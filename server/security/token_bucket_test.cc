#include "server/security/token_bucket.h"

#include "gtest/gtest.h"
#include "server/common/clock.h"
#include "server/common/testing/fake_clock.h"
#include "server/security/caller_quotas.h"

namespace perch::security {
namespace {

using ::perch::testing::FakeClock;

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

TEST(TokenBucket, StartsFullThenRefillsAtTheRate) {
  TokenBucket bucket(/*rate=*/2, /*burst=*/3, kStart);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(bucket.TryTake(kStart), absl::ZeroDuration()) << i;
  }
  // Empty: one token comes in half a second at 2/s.
  EXPECT_EQ(bucket.TryTake(kStart), absl::Milliseconds(500));
  EXPECT_EQ(bucket.TryTake(kStart + absl::Milliseconds(499)),
            absl::Milliseconds(1));
  EXPECT_EQ(bucket.TryTake(kStart + absl::Milliseconds(500)),
            absl::ZeroDuration());
  // Never more than `burst`, however long it idles.
  const absl::Time later = kStart + absl::Hours(1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(bucket.TryTake(later), absl::ZeroDuration()) << i;
  }
  EXPECT_GT(bucket.TryTake(later), absl::ZeroDuration());
}

TEST(TokenBucket, AClockSteppingBackNeitherAddsNorTakes) {
  TokenBucket bucket(1, 1, kStart);
  EXPECT_EQ(bucket.TryTake(kStart), absl::ZeroDuration());
  EXPECT_GT(bucket.TryTake(kStart - absl::Minutes(5)), absl::ZeroDuration());
  EXPECT_EQ(bucket.TryTake(kStart + absl::Seconds(1)), absl::ZeroDuration());
}

TEST(TokenBucket, ReconfigureKeepsTokensUpToTheNewSize) {
  TokenBucket bucket(1, 10, kStart);
  bucket.Reconfigure(1, 2, kStart);
  EXPECT_EQ(bucket.TryTake(kStart), absl::ZeroDuration());
  EXPECT_EQ(bucket.TryTake(kStart), absl::ZeroDuration());
  EXPECT_GT(bucket.TryTake(kStart), absl::ZeroDuration());
}

TEST(CallerQuotas, EachCallerHasItsOwnBucket) {
  FakeClock clock(kStart);
  CallerQuotas quotas(clock);
  EXPECT_EQ(quotas.Take("noisy", 1, 2), absl::ZeroDuration());
  EXPECT_EQ(quotas.Take("noisy", 1, 2), absl::ZeroDuration());
  EXPECT_EQ(quotas.Take("noisy", 1, 2), absl::Seconds(1));
  EXPECT_EQ(quotas.Take("quiet", 1, 2), absl::ZeroDuration());
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(quotas.Take("noisy", 1, 2), absl::ZeroDuration());
}

TEST(CallerQuotas, RateZeroIsUnlimited) {
  FakeClock clock(kStart);
  CallerQuotas quotas(clock);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(quotas.Take("bench", 0, 1), absl::ZeroDuration());
  }
}

}  // namespace
}  // namespace perch::security
