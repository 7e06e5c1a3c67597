// The perch_grpc_* and perch_coalesced_calls_total metrics: a CallObserver
// that counts every perch.v1 call by method and code, times it, and keeps
// the in-flight gauge. Each (method, code) series is looked up once, then
// recorded with atomics only.
#ifndef PERCH_SERVER_SERVICE_CALL_METRICS_H_
#define PERCH_SERVER_SERVICE_CALL_METRICS_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "server/metrics/lazy_series.h"
#include "server/metrics/perch_metrics.h"
#include "server/service/call_observer.h"

namespace perch::service {

// The method label: "/perch.v1.ReadService/GetTimeline", as gRPC names it.
std::string GrpcMethodLabel(security::Method method);

// Thread-safe. `metrics` must outlive it.
class CallMetrics final : public CallObserver {
 public:
  explicit CallMetrics(metrics::PerchMetrics& metrics);

  void OnCallStart(security::Method method) override;
  void OnCallDone(const CallRecord& record) override;

 private:
  // absl::StatusCode values run from 0 (OK) to 16 (UNAUTHENTICATED).
  static constexpr int kCodes = 17;
  struct PerMethod {
    metrics::Gauge& in_flight;
    metrics::Histogram& duration;
    std::array<metrics::LazySeries<metrics::Counter>, kCodes> calls;
    metrics::LazySeries<metrics::Counter> coalesced;
  };

  // Indexed by security::Method.
  std::vector<std::unique_ptr<PerMethod>> methods_;
};

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_CALL_METRICS_H_
