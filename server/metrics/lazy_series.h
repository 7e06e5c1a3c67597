// A series of a family looked up on first use and then read with one atomic
// load: for label sets known in advance (a method and a status code, an
// endpoint and a status class) whose series should appear only once used.
#ifndef PERCH_SERVER_METRICS_LAZY_SERIES_H_
#define PERCH_SERVER_METRICS_LAZY_SERIES_H_

#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "server/metrics/registry.h"

namespace perch::metrics {

// Thread-safe. Two threads racing the first use both look the series up and
// get the same one (Family::WithLabels is idempotent).
template <typename Metric>
class LazySeries {
 public:
  LazySeries() = default;
  LazySeries(Family<Metric>& family, std::vector<std::string> labels)
      : family_(&family), labels_(std::move(labels)) {}
  LazySeries(LazySeries&& other) noexcept
      : family_(other.family_),
        labels_(std::move(other.labels_)),
        series_(other.series_.load()) {}
  LazySeries& operator=(LazySeries&& other) noexcept {
    family_ = other.family_;
    labels_ = std::move(other.labels_);
    series_.store(other.series_.load());
    return *this;
  }

  Metric& Get() {
    Metric* series = series_.load(std::memory_order_acquire);
    if (series == nullptr) {
      series = &family_->WithLabels(labels_);
      series_.store(series, std::memory_order_release);
    }
    return *series;
  }

 private:
  Family<Metric>* family_ = nullptr;
  std::vector<std::string> labels_;
  std::atomic<Metric*> series_{nullptr};
};

}  // namespace perch::metrics

#endif  // PERCH_SERVER_METRICS_LAZY_SERIES_H_
