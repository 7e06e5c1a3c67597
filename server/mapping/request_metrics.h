// What one upstream request came to, in perch_upstream_* terms: its status
// class, body bytes and latency, a failure to connect, and a 429's reason as
// the status table decides it. Shared by the token source (auth) and the
// reader (upstream), the two senders of upstream requests, so it lives below
// both, beside the status table it asks (upstream_status.h).
#ifndef PERCH_SERVER_MAPPING_REQUEST_METRICS_H_
#define PERCH_SERVER_MAPPING_REQUEST_METRICS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/http/http_types.h"
#include "server/mapping/upstream_status.h"
#include "server/metrics/perch_metrics.h"

namespace perch::mapping {

// Records `response` (as the transport answered: a response of any status,
// or an error when none came) into `endpoint`; nothing when it is null or
// the request was cancelled by perch.
// `kind` and `path` are what StatusFromResponse needs to tell a usage cap
// from a rate limit. Thread-safe.
void RecordUpstreamRequest(metrics::EndpointMetrics* endpoint, Endpoint kind,
                           absl::string_view path,
                           const absl::StatusOr<http::HttpResponse>& response,
                           absl::Duration latency);

}  // namespace perch::mapping

#endif  // PERCH_SERVER_MAPPING_REQUEST_METRICS_H_
