#include "server/mapping/request_metrics.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/common/testing/fake_clock.h"
#include "server/http/testing/http_response.h"
#include "server/metrics/testing/endpoint_samples.h"
#include "server/metrics/text_format.h"

namespace perch::mapping {
namespace {

using ::perch::http::testing::Response;
using ::perch::metrics::testing::HasEndpointSamples;
using ::perch::testing::FakeClock;

// What the transport answered, as perch_upstream_* count it: a 429 by the
// reason the status table gives it (a usage cap is told apart from a rate
// limit by the body), no response as transport_error (and a connection
// failure only for UNAVAILABLE), and nothing for a request perch cancelled.
TEST(RecordUpstreamRequest, ClassifiesEachOutcome) {
  metrics::Registry registry;
  FakeClock clock;
  metrics::PerchMetrics perch_metrics(registry, clock, {});
  metrics::EndpointMetrics& e =
      perch_metrics.upstream().Endpoint("/2/users/:id/tweets");
  const absl::Duration latency = absl::Milliseconds(2);
  RecordUpstreamRequest(
      &e, Endpoint::kRead, "/2/users/:id/tweets",
      Response(429,
               R"({"title":"UsageCapExceeded","detail":"Usage cap exceeded",)"
               R"("type":"https://api.x.com/2/problems/usage-capped"})"),
      latency);
  RecordUpstreamRequest(
      &e, Endpoint::kRead, "/2/users/:id/tweets",
      Response(429,
               R"({"title":"Too Many Requests","detail":"Too Many Requests",)"
               R"("type":"about:blank","status":429})"),
      latency);
  RecordUpstreamRequest(&e, Endpoint::kRead, "/2/users/:id/tweets",
                        absl::UnavailableError("connection refused"), latency);
  RecordUpstreamRequest(&e, Endpoint::kRead, "/2/users/:id/tweets",
                        absl::DeadlineExceededError("deadline"), latency);
  RecordUpstreamRequest(&e, Endpoint::kRead, "/2/users/:id/tweets",
                        absl::CancelledError("cancelled"), latency);
  RecordUpstreamRequest(nullptr, Endpoint::kRead, "/2/users/:id/tweets",
                        Response(200, "{}"), latency);  // no metrics: no-op

  const std::string text = metrics::FormatText(registry.Collect());
  EXPECT_TRUE(HasEndpointSamples(
      text, "2/users/:id/tweets",
      {
          {"perch_upstream_throttled_total", "reason=\"rate_limit\"", "1"},
          {"perch_upstream_throttled_total", "reason=\"usage_cap\"", "1"},
          {"perch_upstream_requests_total", "status_class=\"4xx\"", "2"},
          {"perch_upstream_requests_total", "status_class=\"transport_error\"",
           "2"},
          {"perch_upstream_connection_failures_total", "", "1"},
          {"perch_upstream_request_duration_seconds_count", "", "4"},
      }));
  EXPECT_FALSE(absl::StrContains(text, "status_class=\"2xx\""));
}

}  // namespace
}  // namespace perch::mapping
