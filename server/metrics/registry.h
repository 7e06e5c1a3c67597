// perch's metrics: counters, gauges and fixed-bucket histograms, grouped in
// named families with a fixed list of label names, held by one Registry the
// wiring creates and hands to whoever records (no global registry). Owns
// the values and a consistent snapshot of them; how a snapshot is written
// out (Prometheus text) is text_format.h's business, serving it
// metrics_listener.h's.
//
// Label values are bounded by construction: callers pass only values from
// closed sets (a method, a status code name, an endpoint template, a caller
// name from the callers file), never a string a user sent.
#ifndef PERCH_SERVER_METRICS_REGISTRY_H_
#define PERCH_SERVER_METRICS_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/common/mutex.h"

namespace perch::metrics {

// A value that only goes up. Lock-free; thread-safe.
class Counter {
 public:
  void Increment(uint64_t n = 1) {
    value_.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down. Lock-free; thread-safe.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into fixed buckets. Each bucket is one atomic, so an
// observation never takes a lock; the +Inf bucket and the count are derived
// from the buckets at collection, so a snapshot's count always equals its
// +Inf bucket. Thread-safe.
class Histogram {
 public:
  // `bounds`: strictly increasing upper bounds, +Inf excluded; must outlive
  // the histogram (its family owns them).
  explicit Histogram(const std::vector<double>& bounds);

  // Counted in the first bucket whose bound is >= `value` (le is
  // inclusive), or only in +Inf. NaN is ignored.
  void Observe(double value);

  // Per bucket, not cumulative: bounds.size() + 1 entries, the last +Inf.
  std::vector<uint64_t> BucketCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double>& bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

enum class MetricType { kCounter, kGauge, kHistogram };

// One labelled series as it was when collected.
struct SeriesSnapshot {
  std::vector<std::string> label_values;  // in the family's label order
  double value = 0;                       // counter or gauge
  std::vector<uint64_t> buckets;          // histogram: cumulative, +Inf last
  double sum = 0;                         // histogram
  uint64_t count = 0;                     // histogram
};

struct FamilySnapshot {
  std::string name;
  std::string help;
  MetricType type = MetricType::kCounter;
  std::vector<std::string> label_names;
  std::vector<double> bounds;          // histogram: upper bounds without +Inf
  std::vector<SeriesSnapshot> series;  // sorted by label values
};

// What every family shares: its name, help and label names, and how it
// snapshots itself.
class FamilyBase {
 public:
  virtual ~FamilyBase() = default;
  virtual FamilySnapshot Collect() const = 0;
};

// The series of one metric, one per combination of label values. A series
// is created on first use and lives as long as the family: callers look it
// up once (at construction, or once per request) and keep the reference,
// so increments never look anything up. Thread-safe.
template <typename Metric>
class Family final : public FamilyBase {
 public:
  // Makes a series; gets the family's shape (a histogram's bounds).
  using Make = std::function<std::unique_ptr<Metric>(const FamilySnapshot&)>;

  Family(FamilySnapshot shape, Make make)
      : shape_(std::move(shape)), make_(std::move(make)) {}

  // The series with these label values (as many as the family has label
  // names, in that order). Takes the family's lock: look up once, keep it.
  Metric& WithLabels(std::initializer_list<absl::string_view> values) {
    return WithLabels(std::vector<std::string>(values.begin(), values.end()));
  }
  Metric& WithLabels(std::vector<std::string> values);
  // The one series of a family without labels.
  Metric& Get() { return WithLabels(std::vector<std::string>{}); }

  FamilySnapshot Collect() const override;

 private:
  // name, help, type, label names and bounds; series left empty.
  const FamilySnapshot shape_;
  const Make make_;
  mutable Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> series_
      ABSL_GUARDED_BY(mu_);
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// The families of one process, in the order they were added (the order of
// the exposition). Adding is done while wiring; recording and collecting
// are thread-safe. Names must be valid Prometheus metric names and label
// names valid label names, each name added once: a violation is a
// programming error and aborts.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string name, std::string help,
                                std::vector<double> bounds,
                                std::vector<std::string> label_names = {});
  // A gauge without labels whose value `read` gives at each collection
  // (process figures, the token's age). `read` must be thread-safe and stay
  // callable as long as anything collects.
  void AddCallbackGauge(std::string name, std::string help,
                        std::function<double()> read);

  // Every family's snapshot, in the order added.
  std::vector<FamilySnapshot> Collect() const;

 private:
  // A family whose series `make` builds from the family's shape.
  template <typename Metric>
  Family<Metric>& AddFamily(FamilySnapshot shape,
                            typename Family<Metric>::Make make);
  void Add(const std::string& name, const std::vector<std::string>& labels,
           std::unique_ptr<FamilyBase> family);

  mutable Mutex mu_;
  std::vector<std::string> names_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<FamilyBase>> families_ ABSL_GUARDED_BY(mu_);
};

// The buckets of perch's latency histograms, in seconds (METRICS.md).
const std::vector<double>& LatencyBuckets();

}  // namespace perch::metrics

#endif  // PERCH_SERVER_METRICS_REGISTRY_H_
