#include "server/service/call_metrics.h"

#include "absl/strings/str_cat.h"

namespace perch::service {
namespace {

constexpr security::Method kMethods[] = {
    security::Method::kObtain,       security::Method::kInvalidate,
    security::Method::kGetTimeline,  security::Method::kSearch,
    security::Method::kGetFollowers, security::Method::kGetList,
};

}  // namespace

std::string GrpcMethodLabel(security::Method method) {
  return absl::StrCat("/", security::MethodName(method));
}

CallMetrics::CallMetrics(metrics::PerchMetrics& metrics) {
  metrics::GrpcFamilies& grpc = metrics.grpc();
  for (security::Method method : kMethods) {
    const std::string label = GrpcMethodLabel(method);
    const size_t index = static_cast<size_t>(method);
    if (methods_.size() <= index) methods_.resize(index + 1);
    // In-flight and latency exist for every method from the start (a
    // dashboard sees 0, not "no data"); counts by code appear once used.
    auto per_method = std::unique_ptr<PerMethod>(
        new PerMethod{grpc.in_flight.WithLabels({label}),
                      grpc.duration.WithLabels({label}),
                      {},
                      {metrics.coalesced(), {label}}});
    for (int code = 0; code < kCodes; ++code) {
      per_method->calls[code] = metrics::LazySeries<metrics::Counter>(
          grpc.calls, {label, absl::StatusCodeToString(
                                  static_cast<absl::StatusCode>(code))});
    }
    methods_[index] = std::move(per_method);
  }
}

void CallMetrics::OnCallStart(security::Method method) {
  methods_[static_cast<size_t>(method)]->in_flight.Add(1);
}

void CallMetrics::OnCallDone(const CallRecord& record) {
  PerMethod& m = *methods_[static_cast<size_t>(record.method)];
  m.in_flight.Add(-1);
  const int code = static_cast<int>(record.code);
  // absl has no codes beyond 16; anything else would be a bug upstream of
  // here, counted as UNKNOWN rather than dropped.
  m.calls[code >= 0 && code < kCodes ? code : 2].Get().Increment();
  m.duration.Observe(absl::ToDoubleSeconds(record.duration));
  if (record.coalesced) m.coalesced.Get().Increment();
}

}  // namespace perch::service
