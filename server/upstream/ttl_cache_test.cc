#include "server/upstream/ttl_cache.h"

#include "gtest/gtest.h"
#include "server/common/testing/fake_clock.h"
#include "server/metrics/text_format.h"

namespace perch::upstream {
namespace {

using ::perch::testing::FakeClock;

TEST(TtlCache, ServesAPutValueUntilItsTtlEnds) {
  FakeClock clock;
  TtlCache cache(clock, absl::Minutes(10), 8);
  EXPECT_FALSE(cache.Get("perch_dev").has_value());
  cache.Put("perch_dev", "42");
  clock.Advance(absl::Minutes(10) - absl::Seconds(1));
  EXPECT_EQ(cache.Get("perch_dev"), "42");
  clock.Advance(absl::Seconds(1));
  EXPECT_FALSE(cache.Get("perch_dev").has_value());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(TtlCache, CountsHitsAndMissesAndKeepsTheEntriesGauge) {
  FakeClock clock;
  metrics::Registry registry;
  metrics::PerchMetrics perch_metrics(registry, clock, {});
  TtlCache cache(clock, absl::Minutes(10), 2, perch_metrics.Cache("user_id"));
  EXPECT_FALSE(cache.Get("a").has_value());  // miss
  cache.Put("a", "1");
  cache.Put("b", "2");
  cache.Put("c", "3");             // "a" goes: capacity 2
  EXPECT_EQ(cache.Get("b"), "2");  // hit
  EXPECT_EQ(cache.Get("c"), "3");  // hit
  clock.Advance(absl::Minutes(10));
  EXPECT_FALSE(cache.Get("b").has_value());  // expired: miss, one entry left
  const std::string text = metrics::FormatText(registry.Collect());
  for (const char* line : {
           "perch_cache_requests_total{cache=\"user_id\",result=\"hit\"} 2\n",
           "perch_cache_requests_total{cache=\"user_id\",result=\"miss\"} 2\n",
           "perch_cache_entries{cache=\"user_id\"} 1\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
  }
}

TEST(TtlCache, UsingAnEntryDoesNotExtendItsTtlButPuttingItAgainDoes) {
  FakeClock clock;
  TtlCache cache(clock, absl::Minutes(10), 8);
  cache.Put("a", "1");
  clock.Advance(absl::Minutes(6));
  EXPECT_EQ(cache.Get("a"), "1");
  clock.Advance(absl::Minutes(6));
  EXPECT_FALSE(cache.Get("a").has_value());
  cache.Put("a", "1");
  clock.Advance(absl::Minutes(6));
  cache.Put("a", "2");
  clock.Advance(absl::Minutes(6));
  EXPECT_EQ(cache.Get("a"), "2");
}

TEST(TtlCache, BeyondCapacityTheLeastRecentlyUsedGoes) {
  FakeClock clock;
  TtlCache cache(clock, absl::Hours(1), 2);
  cache.Put("a", "1");
  cache.Put("b", "2");
  EXPECT_EQ(cache.Get("a"), "1");  // b is now the least recently used
  cache.Put("c", "3");
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Get("a"), "1");
  EXPECT_FALSE(cache.Get("b").has_value());
  EXPECT_EQ(cache.Get("c"), "3");
}

TEST(TtlCache, ReplacingAKeyDoesNotGrowIt) {
  FakeClock clock;
  TtlCache cache(clock, absl::Hours(1), 2);
  for (int i = 0; i < 10; ++i) cache.Put("a", std::to_string(i));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Get("a"), "9");
}

TEST(TtlCache, ZeroCapacityOrTtlKeepsNothing) {
  FakeClock clock;
  TtlCache no_room(clock, absl::Hours(1), 0);
  no_room.Put("a", "1");
  EXPECT_FALSE(no_room.Get("a").has_value());
  TtlCache no_time(clock, absl::ZeroDuration(), 8);
  no_time.Put("a", "1");
  EXPECT_FALSE(no_time.Get("a").has_value());
}

}  // namespace
}  // namespace perch::upstream
