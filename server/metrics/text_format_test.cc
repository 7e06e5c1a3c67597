#include "server/metrics/text_format.h"

#include "gtest/gtest.h"

namespace perch::metrics {
namespace {

TEST(TextFormat, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeHelp("a\\b\"c\nd"), "a\\\\b\"c\\nd");  // quotes stay
  Registry registry;
  registry.AddCounter("odd_total", "line one\nback\\slash", {"caller"})
      .WithLabels({"we\"ird\\name\n"})
      .Increment(3);
  EXPECT_EQ(FormatText(registry.Collect()),
            "# HELP odd_total line one\\nback\\\\slash\n"
            "# TYPE odd_total counter\n"
            "odd_total{caller=\"we\\\"ird\\\\name\\n\"} 3\n");
}

TEST(TextFormat, HistogramHasCumulativeBucketsInfSumAndCount) {
  Registry registry;
  Histogram& h =
      registry
          .AddHistogram("rpc_seconds", "latency", {0.0025, 1, 10}, {"method"})
          .WithLabels({"/a.B/C"});
  h.Observe(0.0025);
  h.Observe(0.5);
  h.Observe(20);
  EXPECT_EQ(FormatText(registry.Collect()),
            "# HELP rpc_seconds latency\n"
            "# TYPE rpc_seconds histogram\n"
            "rpc_seconds_bucket{method=\"/a.B/C\",le=\"0.0025\"} 1\n"
            "rpc_seconds_bucket{method=\"/a.B/C\",le=\"1\"} 2\n"
            "rpc_seconds_bucket{method=\"/a.B/C\",le=\"10\"} 2\n"
            "rpc_seconds_bucket{method=\"/a.B/C\",le=\"+Inf\"} 3\n"
            "rpc_seconds_sum{method=\"/a.B/C\"} 20.5025\n"
            "rpc_seconds_count{method=\"/a.B/C\"} 3\n");
}

TEST(TextFormat, UnlabelledHistogramPutsLeAlone) {
  Registry registry;
  registry.AddHistogram("h", "h", {1}).Get().Observe(2);
  EXPECT_EQ(FormatText(registry.Collect()),
            "# HELP h h\n# TYPE h histogram\n"
            "h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 1\n"
            "h_sum 2\nh_count 1\n");
}

TEST(TextFormat, ValuesRoundTripAndSpecialsAreSpelledAsPrometheusReadsThem) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(1764757000), "1764757000");  // a unix time, whole
  EXPECT_EQ(FormatValue(1764757000.25), "1764757000.25");
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(FormatValue(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
}

// Families in the order added, series sorted by label values, whatever the
// order they were first used in: two scrapes of the same state are equal.
TEST(TextFormat, OrderIsStable) {
  Registry registry;
  GaugeFamily& g = registry.AddGauge("g", "gauge", {"cache"});
  CounterFamily& c = registry.AddCounter("c_total", "counter");
  g.WithLabels({"user_id"}).Set(2);
  g.WithLabels({"list_slug"}).Set(1);
  c.Get().Increment();
  const std::string first = FormatText(registry.Collect());
  EXPECT_EQ(first,
            "# HELP g gauge\n# TYPE g gauge\n"
            "g{cache=\"list_slug\"} 1\ng{cache=\"user_id\"} 2\n"
            "# HELP c_total counter\n# TYPE c_total counter\n"
            "c_total 1\n");
  EXPECT_EQ(FormatText(registry.Collect()), first);
}

}  // namespace
}  // namespace perch::metrics
