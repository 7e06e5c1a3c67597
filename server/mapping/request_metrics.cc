#include "server/mapping/request_metrics.h"

#include "absl/time/clock.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"

namespace perch::mapping {

void RecordUpstreamRequest(metrics::EndpointMetrics* endpoint, Endpoint kind,
                           absl::string_view path,
                           const absl::StatusOr<http::HttpResponse>& response,
                           absl::Duration latency) {
  if (endpoint == nullptr) return;
  // perch aborted it (the caller went away): no outcome to count.
  if (response.status().code() == absl::StatusCode::kCancelled) return;
  if (!response.ok()) {
    // The transport's UNAVAILABLE is exactly "no connection": refused,
    // reset, DNS, TLS (http_transport.h). A deadline is not the network's
    // failure.
    endpoint->RecordTransportError(
        response.status().code() == absl::StatusCode::kUnavailable, latency);
    return;
  }
  endpoint->RecordResponse(response->status, response->body.size(), latency);
  if (response->status == 429) {
    const std::string reason =
        ErrorReason(StatusFromResponse(kind, path, *response, absl::Now()));
    endpoint->RecordThrottled(reason == reasons::kUsageCapped
                                  ? metrics::ThrottleReason::kUsageCap
                                  : metrics::ThrottleReason::kRateLimit);
  }
}

}  // namespace perch::mapping
