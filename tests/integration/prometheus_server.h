// A real Prometheus server (Debian's `prometheus` package) as a child
// process on loopback, scraping one target every second, and the two
// things tests ask of it: its instant-query API and when its last scrape
// was. Also the plain loopback HTTP GET both it and perch's /metrics need.
#ifndef PERCH_TESTS_INTEGRATION_PROMETHEUS_SERVER_H_
#define PERCH_TESTS_INTEGRATION_PROMETHEUS_SERVER_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "tests/integration/security_test_util.h"
#include "tests/testing/child_process.h"

namespace perch::testing {

// The prometheus binary on PATH (or $PROMETHEUS_BINARY), "" when there is
// none.
std::string FindPrometheus();
// The message a test fails with when FindPrometheus() found nothing.
inline constexpr char kPrometheusMissing[] =
    "prometheus is not installed: scripts/install-deps installs it (Debian "
    "package prometheus, which also brings promtool)";

// GET http://127.0.0.1:`port``path` (HTTP/1.0); the status code and body,
// or nullopt when the connection failed. Bounded by `timeout`.
struct HttpAnswer {
  int status = 0;
  std::string body;
};
std::optional<HttpAnswer> LoopbackGet(
    int port, const std::string& path,
    absl::Duration timeout = absl::Seconds(10));

class PrometheusServer {
 public:
  // Starts prometheus on a free loopback port scraping
  // 127.0.0.1:`target_port`/metrics every second (job "perch"), and waits
  // (up to `timeout`) until it is ready. Null, with a test failure, when it
  // does not start.
  static std::unique_ptr<PrometheusServer> Start(int target_port,
                                                 absl::Duration timeout);

  // The value of the instant query `promql` summed over the series it
  // returns (0 when none), or nullopt when the query failed.
  std::optional<double> Query(const std::string& promql);

  // Waits until Prometheus holds a successful scrape of the target that
  // began after `after`; false after `timeout`.
  bool WaitForScrapeAfter(absl::Time after, absl::Duration timeout);

  int port() const { return port_; }
  std::string Output() const { return process_->Output(); }

 private:
  PrometheusServer() = default;

  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace perch::testing

#endif  // PERCH_TESTS_INTEGRATION_PROMETHEUS_SERVER_H_
