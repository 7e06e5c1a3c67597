#include "server/metrics/registry.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace perch::metrics {
namespace {

using ::testing::ElementsAre;

const SeriesSnapshot& OnlySeries(const FamilySnapshot& family) {
  EXPECT_EQ(family.series.size(), 1u) << family.name;
  return family.series.front();
}

TEST(Histogram, LeIsInclusiveAndAboveTheLastBoundCountsOnlyInInf) {
  Registry registry;
  HistogramFamily& family =
      registry.AddHistogram("h_seconds", "latency", {0.1, 1, 10});
  Histogram& h = family.Get();
  h.Observe(0.1);   // exactly on a bound: that bucket
  h.Observe(0.05);  // below the first
  h.Observe(0.5);
  h.Observe(10);
  h.Observe(11);            // above every bound: +Inf only
  h.Observe(std::nan(""));  // ignored
  const auto families = registry.Collect();
  const SeriesSnapshot& s = OnlySeries(families[0]);
  EXPECT_THAT(s.buckets, ElementsAre(2, 3, 4, 5));  // cumulative
  EXPECT_EQ(s.count, 5u);
  EXPECT_DOUBLE_EQ(s.sum, 0.1 + 0.05 + 0.5 + 10 + 11);
}

TEST(Histogram, CountEqualsTheInfBucketEvenWithNoObservations) {
  Registry registry;
  registry.AddHistogram("h_seconds", "x", LatencyBuckets()).Get();
  const auto families = registry.Collect();
  const SeriesSnapshot& s = OnlySeries(families[0]);
  EXPECT_EQ(s.buckets.size(), LatencyBuckets().size() + 1);
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.buckets.back(), 0u);
}

TEST(Family, SameLabelsGiveTheSameSeriesAndSeriesAreSortedByLabels) {
  Registry registry;
  CounterFamily& calls =
      registry.AddCounter("calls_total", "calls", {"method", "code"});
  Counter& b = calls.WithLabels({"b", "OK"});
  Counter& a = calls.WithLabels({"a", "OK"});
  EXPECT_EQ(&calls.WithLabels({"b", "OK"}), &b);
  b.Increment();
  b.Increment(2);
  a.Increment();
  const FamilySnapshot f = registry.Collect()[0];
  ASSERT_EQ(f.series.size(), 2u);
  EXPECT_THAT(f.series[0].label_values, ElementsAre("a", "OK"));
  EXPECT_EQ(f.series[0].value, 1);
  EXPECT_THAT(f.series[1].label_values, ElementsAre("b", "OK"));
  EXPECT_EQ(f.series[1].value, 3);
}

TEST(Registry, FamiliesCollectInTheOrderAdded) {
  Registry registry;
  registry.AddGauge("zeta", "z");
  registry.AddCounter("alpha_total", "a");
  registry.AddCallbackGauge("middle", "m", [] { return 42.5; });
  const auto families = registry.Collect();
  ASSERT_EQ(families.size(), 3u);
  EXPECT_EQ(families[0].name, "zeta");
  EXPECT_TRUE(families[0].series.empty());  // no series used yet
  EXPECT_EQ(families[1].name, "alpha_total");
  EXPECT_EQ(families[2].name, "middle");
  EXPECT_EQ(OnlySeries(families[2]).value, 42.5);
}

TEST(Gauge, SetAndAddMoveBothWays) {
  Registry registry;
  Gauge& g = registry.AddGauge("in_flight", "x", {"method"}).WithLabels({"m"});
  g.Add(3);
  g.Add(-1);
  EXPECT_EQ(g.value(), 2);
  g.Set(-7.5);
  const auto families = registry.Collect();
  EXPECT_EQ(OnlySeries(families[0]).value, -7.5);
}

// Several threads increment the same series and create series at the same
// time: nothing is lost (the counts add up exactly).
TEST(Registry, ConcurrentIncrementsAreAllCounted) {
  Registry registry;
  CounterFamily& counters = registry.AddCounter("c_total", "c", {"k"});
  HistogramFamily& histograms =
      registry.AddHistogram("h_seconds", "h", {0.5}, {"k"});
  GaugeFamily& gauges = registry.AddGauge("g", "g", {"k"});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter& shared = counters.WithLabels({"shared"});
      Histogram& h = histograms.WithLabels({"shared"});
      Gauge& g = gauges.WithLabels({"shared"});
      for (int i = 0; i < kPerThread; ++i) {
        shared.Increment();
        h.Observe(i % 2 == 0 ? 0.25 : 1.0);
        g.Add(1);
        // A lookup racing the others' creations.
        if (i % 1000 == 0) {
          counters.WithLabels({std::to_string(t % 3)}).Increment();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto families = registry.Collect();
  double shared = 0, per_key = 0;
  for (const SeriesSnapshot& s : families[0].series) {
    (s.label_values[0] == "shared" ? shared : per_key) += s.value;
  }
  EXPECT_EQ(shared, kThreads * kPerThread);
  EXPECT_EQ(per_key, kThreads * (kPerThread / 1000));
  const SeriesSnapshot& h = OnlySeries(families[1]);
  EXPECT_EQ(h.count, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(h.buckets[0], static_cast<uint64_t>(kThreads * kPerThread / 2));
  EXPECT_DOUBLE_EQ(h.sum, kThreads * kPerThread / 2 * 1.25);
  EXPECT_EQ(OnlySeries(families[2]).value, kThreads * kPerThread);
}

TEST(RegistryDeathTest, BadOrRepeatedNamesAbort) {
  EXPECT_DEATH(
      {
        Registry r;
        r.AddCounter("bad-name", "x");
      },
      "invalid metric name");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddCounter("x_total", "x", {"__reserved"});
      },
      "invalid label name");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddGauge("x", "x");
        r.AddCounter("x", "x");
      },
      "added twice");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddCounter("x_total", "x", {"a", "b"}).WithLabels({"only one"});
      },
      "wrong number of label values");
}

}  // namespace
}  // namespace perch::metrics
