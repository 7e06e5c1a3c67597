// Prometheus's side of the observability scenario, without Prometheus: GETs
// perch-server's /metrics every interval on a thread of its own, so a run
// "with metrics" pays for the scrapes it would get in production.
#ifndef PERCH_BENCH_METRICS_SCRAPER_H_
#define PERCH_BENCH_METRICS_SCRAPER_H_

#include <atomic>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "server/common/mutex.h"

namespace perch::bench {

// Starts scraping at construction; stops (and joins) at destruction.
class MetricsScraper {
 public:
  MetricsScraper(int port, absl::Duration interval);
  ~MetricsScraper();
  MetricsScraper(const MetricsScraper&) = delete;
  MetricsScraper& operator=(const MetricsScraper&) = delete;

  // Scrapes answered 200, and the rest.
  int ok() const { return ok_.load(); }
  int failed() const { return failed_.load(); }

 private:
  void Loop();

  const std::string url_;
  const absl::Duration interval_;
  std::atomic<int> ok_{0};
  std::atomic<int> failed_{0};
  Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace perch::bench

#endif  // PERCH_BENCH_METRICS_SCRAPER_H_
