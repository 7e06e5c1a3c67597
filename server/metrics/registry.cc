#include "server/metrics/registry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"

namespace perch::metrics {
namespace {

// A wiring mistake (a bad or repeated name): fail at start, loudly, rather
// than export something Prometheus rejects.
[[noreturn]] void Die(absl::string_view what, absl::string_view name) {
  std::fprintf(stderr, "perch metrics: %.*s: '%.*s'\n",
               static_cast<int>(what.size()), what.data(),
               static_cast<int>(name.size()), name.data());
  std::abort();
}

// [a-zA-Z_:][a-zA-Z0-9_:]* for metric names; label names the same without
// ':' and not starting with "__" (reserved by Prometheus).
bool ValidName(absl::string_view name, bool label) {
  if (name.empty()) return false;
  if (label && name.size() >= 2 && name[0] == '_' && name[1] == '_') {
    return false;
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok =
        absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_' ||
        (!label && c == ':') ||
        (i > 0 && absl::ascii_isdigit(static_cast<unsigned char>(c)));
    if (!ok) return false;
  }
  return true;
}

void Fill(const Counter& counter, SeriesSnapshot& out) {
  out.value = static_cast<double>(counter.value());
}
void Fill(const Gauge& gauge, SeriesSnapshot& out) {
  out.value = gauge.value();
}
void Fill(const Histogram& histogram, SeriesSnapshot& out) {
  out.buckets = histogram.BucketCounts();
  uint64_t running = 0;
  for (uint64_t& b : out.buckets) {
    running += b;
    b = running;
  }
  out.count = running;
  out.sum = histogram.sum();
}

FamilySnapshot Shape(std::string name, std::string help, MetricType type,
                     std::vector<std::string> label_names,
                     std::vector<double> bounds = {}) {
  FamilySnapshot shape;
  shape.name = std::move(name);
  shape.help = std::move(help);
  shape.type = type;
  shape.label_names = std::move(label_names);
  shape.bounds = std::move(bounds);
  return shape;
}

// A series that needs nothing from its family's shape (all but histograms).
template <typename Metric>
std::unique_ptr<Metric> MakeSeries(const FamilySnapshot&) {
  return std::make_unique<Metric>();
}

// A gauge read from a function at each collection.
class CallbackGauge final : public FamilyBase {
 public:
  CallbackGauge(FamilySnapshot shape, std::function<double()> read)
      : shape_(std::move(shape)), read_(std::move(read)) {}

  FamilySnapshot Collect() const override {
    FamilySnapshot out = shape_;
    SeriesSnapshot series;
    series.value = read_();
    out.series.push_back(std::move(series));
    return out;
  }

 private:
  const FamilySnapshot shape_;
  const std::function<double()> read_;
};

}  // namespace

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double value) {
  if (std::isnan(value)) return;
  const size_t bucket =
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::BucketCounts() const {
  std::vector<uint64_t> counts(bounds_.size() + 1);
  for (size_t i = 0; i < counts.size(); ++i) {
    counts[i] = counts_[i].load(std::memory_order_relaxed);
  }
  return counts;
}

template <typename Metric>
Metric& Family<Metric>::WithLabels(std::vector<std::string> values) {
  if (values.size() != shape_.label_names.size()) {
    Die("wrong number of label values for", shape_.name);
  }
  MutexLock lock(&mu_);
  auto [it, inserted] = series_.try_emplace(std::move(values));
  if (inserted) it->second = make_(shape_);
  return *it->second;
}

template <typename Metric>
FamilySnapshot Family<Metric>::Collect() const {
  FamilySnapshot out = shape_;
  MutexLock lock(&mu_);
  out.series.reserve(series_.size());
  for (const auto& [labels, metric] : series_) {
    SeriesSnapshot series;
    series.label_values = labels;
    Fill(*metric, series);
    out.series.push_back(std::move(series));
  }
  return out;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Registry::Registry() = default;
Registry::~Registry() = default;

void Registry::Add(const std::string& name,
                   const std::vector<std::string>& labels,
                   std::unique_ptr<FamilyBase> family) {
  if (!ValidName(name, /*label=*/false)) Die("invalid metric name", name);
  for (const std::string& label : labels) {
    if (!ValidName(label, /*label=*/true) || label == "le") {
      Die("invalid label name", label);
    }
  }
  MutexLock lock(&mu_);
  if (std::find(names_.begin(), names_.end(), name) != names_.end()) {
    Die("metric added twice", name);
  }
  names_.push_back(name);
  families_.push_back(std::move(family));
}

template <typename Metric>
Family<Metric>& Registry::AddFamily(FamilySnapshot shape,
                                    typename Family<Metric>::Make make) {
  const std::string name = shape.name;
  const std::vector<std::string> label_names = shape.label_names;
  auto family =
      std::make_unique<Family<Metric>>(std::move(shape), std::move(make));
  Family<Metric>& out = *family;
  Add(name, label_names, std::move(family));
  return out;
}

CounterFamily& Registry::AddCounter(std::string name, std::string help,
                                    std::vector<std::string> label_names) {
  return AddFamily<Counter>(Shape(std::move(name), std::move(help),
                                  MetricType::kCounter, std::move(label_names)),
                            &MakeSeries<Counter>);
}

GaugeFamily& Registry::AddGauge(std::string name, std::string help,
                                std::vector<std::string> label_names) {
  return AddFamily<Gauge>(Shape(std::move(name), std::move(help),
                                MetricType::kGauge, std::move(label_names)),
                          &MakeSeries<Gauge>);
}

HistogramFamily& Registry::AddHistogram(std::string name, std::string help,
                                        std::vector<double> bounds,
                                        std::vector<std::string> label_names) {
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      Die("histogram bounds must be finite and increasing", name);
    }
  }
  // A series keeps a reference to the bounds in its family's shape.
  return AddFamily<Histogram>(
      Shape(std::move(name), std::move(help), MetricType::kHistogram,
            std::move(label_names), std::move(bounds)),
      [](const FamilySnapshot& shape) {
        return std::make_unique<Histogram>(shape.bounds);
      });
}

void Registry::AddCallbackGauge(std::string name, std::string help,
                                std::function<double()> read) {
  Add(name, {},
      std::make_unique<CallbackGauge>(
          Shape(name, std::move(help), MetricType::kGauge, {}),
          std::move(read)));
}

std::vector<FamilySnapshot> Registry::Collect() const {
  MutexLock lock(&mu_);
  std::vector<FamilySnapshot> out;
  out.reserve(families_.size());
  for (const auto& family : families_) out.push_back(family->Collect());
  return out;
}

const std::vector<double>& LatencyBuckets() {
  static const auto* buckets = new std::vector<double>{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

}  // namespace perch::metrics
