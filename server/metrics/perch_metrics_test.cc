#include "server/metrics/perch_metrics.h"

#include <unistd.h>

#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "server/common/testing/fake_clock.h"
#include "server/metrics/process_metrics.h"
#include "server/metrics/testing/endpoint_samples.h"
#include "server/metrics/text_format.h"

namespace perch::metrics {
namespace {

using ::perch::metrics::testing::HasEndpointSamples;
using ::perch::testing::FakeClock;

// The table of METRICS.md / docs/observability.md: name and type.
constexpr std::pair<const char*, const char*> kExported[] = {
    {"perch_grpc_calls_total", "counter"},
    {"perch_grpc_call_duration_seconds", "histogram"},
    {"perch_grpc_calls_in_flight", "gauge"},
    {"perch_upstream_requests_total", "counter"},
    {"perch_upstream_request_duration_seconds", "histogram"},
    {"perch_upstream_retries_total", "counter"},
    {"perch_upstream_connection_failures_total", "counter"},
    {"perch_upstream_received_bytes_total", "counter"},
    {"perch_upstream_rate_limit", "gauge"},
    {"perch_upstream_rate_remaining", "gauge"},
    {"perch_upstream_rate_reset_timestamp_seconds", "gauge"},
    {"perch_upstream_throttled_total", "counter"},
    {"perch_token_fetches_total", "counter"},
    {"perch_token_reobtains_total", "counter"},
    {"perch_token_invalidations_total", "counter"},
    {"perch_token_age_seconds", "gauge"},
    {"perch_coalesced_calls_total", "counter"},
    {"perch_cache_requests_total", "counter"},
    {"perch_cache_entries", "gauge"},
    {"perch_caller_calls_total", "counter"},
    {"perch_caller_denials_total", "counter"},
    {"perch_caller_throttles_total", "counter"},
    {"perch_build_info", "gauge"},
    {"process_start_time_seconds", "gauge"},
    {"process_open_fds", "gauge"},
    {"process_resident_memory_bytes", "gauge"},
    {"process_threads", "gauge"},
};

TEST(PerchMetrics, ExportsEveryDocumentedFamilyWithItsType) {
  Registry registry;
  FakeClock clock;
  PerchMetrics metrics(registry, clock, {"0.1.0", "abc1234", "v2"});
  const std::string text = FormatText(registry.Collect());
  size_t at = 0;
  for (const auto& [name, type] : kExported) {
    const std::string line = absl::StrCat("# TYPE ", name, " ", type, "\n");
    const size_t found = text.find(line);
    EXPECT_NE(found, std::string::npos) << line;
    // In the documented order.
    if (found != std::string::npos) {
      EXPECT_GT(found, at) << name;
      at = found;
    }
  }
  EXPECT_TRUE(absl::StrContains(
      text,
      "perch_build_info{version=\"0.1.0\",commit=\"abc1234\",dialect=\"v2\"} "
      "1\n"));
  EXPECT_TRUE(absl::StrContains(text, "perch_token_age_seconds 0\n"));
}

TEST(EndpointMetrics, RecordsByRouteTemplateAndStatusClass) {
  Registry registry;
  FakeClock clock;
  PerchMetrics metrics(registry, clock, {});
  EndpointMetrics& timeline =
      metrics.upstream().Endpoint("/2/users/:id/tweets");
  EXPECT_EQ(&metrics.upstream().Endpoint("/2/users/:id/tweets"), &timeline);
  timeline.RecordResponse(200, 120, absl::Milliseconds(3));
  timeline.RecordResponse(429, 30, absl::Milliseconds(1));
  timeline.RecordResponse(503, 0, absl::Milliseconds(1));
  timeline.RecordResponse(302, 0, absl::Milliseconds(1));
  timeline.RecordTransportError(/*connection_failure=*/true, absl::Seconds(20));
  timeline.RecordTransportError(/*connection_failure=*/false, absl::Seconds(1));
  timeline.RecordRetry();
  timeline.RecordThrottled(ThrottleReason::kUsageCap);
  timeline.RecordRateWindow(900, 899, 1764757000);
  const std::string text = FormatText(registry.Collect());
  EXPECT_TRUE(HasEndpointSamples(
      text, "2/users/:id/tweets",
      {
          {"perch_upstream_requests_total", "status_class=\"2xx\"", "1"},
          {"perch_upstream_requests_total", "status_class=\"3xx\"", "1"},
          {"perch_upstream_requests_total", "status_class=\"4xx\"", "1"},
          {"perch_upstream_requests_total", "status_class=\"5xx\"", "1"},
          {"perch_upstream_requests_total", "status_class=\"transport_error\"",
           "2"},
          {"perch_upstream_request_duration_seconds_count", "", "6"},
          {"perch_upstream_request_duration_seconds_bucket", "le=\"10\"", "5"},
          {"perch_upstream_retries_total", "", "1"},
          {"perch_upstream_connection_failures_total", "", "1"},
          {"perch_upstream_received_bytes_total", "", "150"},
          {"perch_upstream_rate_limit", "", "900"},
          {"perch_upstream_rate_remaining", "", "899"},
          {"perch_upstream_rate_reset_timestamp_seconds", "", "1764757000"},
          {"perch_upstream_throttled_total", "reason=\"usage_cap\"", "1"},
      }));
  // Series appear once used: no rate_limit throttle was recorded.
  EXPECT_FALSE(absl::StrContains(text, "reason=\"rate_limit\""));
}

TEST(TokenMetrics, AgeCountsFromTheHeldTokenAndIsZeroWithoutOne) {
  Registry registry;
  FakeClock clock;
  PerchMetrics metrics(registry, clock, {});
  metrics.token().SetHeld(clock.Now());
  clock.Advance(absl::Seconds(90));
  EXPECT_TRUE(absl::StrContains(FormatText(registry.Collect()),
                                "perch_token_age_seconds 90\n"));
  metrics.token().SetHeld(absl::InfinitePast());
  EXPECT_TRUE(absl::StrContains(FormatText(registry.Collect()),
                                "perch_token_age_seconds 0\n"));
  metrics.token().RecordFetch(TokenOutcome::kRateLimited);
  metrics.token().RecordReobtain();
  const std::string text = FormatText(registry.Collect());
  EXPECT_TRUE(absl::StrContains(
      text, "perch_token_fetches_total{outcome=\"rate_limited\"} 1\n"));
  EXPECT_TRUE(absl::StrContains(text, "perch_token_reobtains_total 1\n"));
}

// A caller's series: each gate reason into its own, a quota refusal into
// the throttles too, a reason the gate does not give today still counted;
// asking for a name again gives the same series (a reloaded callers file
// counts on), and nothing appears before it is used.
TEST(CallerMetrics, CountsByNameAndReasonIntoSeriesKeptAcrossAsks) {
  Registry registry;
  FakeClock clock;
  PerchMetrics metrics(registry, clock, {});
  CallerSeries& ops = metrics.callers().Caller("ops");
  (void)metrics.callers().Caller("idle");
  ops.RecordAdmitted();
  ops.RecordDenied("CALLER_QUOTA_EXCEEDED");
  ops.RecordDenied("CALLER_NOT_PERMITTED");
  ops.RecordDenied("SOMETHING_NEW");
  metrics.callers().Caller("ops").RecordAdmitted();
  const std::string text = FormatText(registry.Collect());
  for (const char* line : {
           "perch_caller_calls_total{caller=\"ops\"} 2\n",
           "perch_caller_denials_total{caller=\"ops\",reason=\"CALLER_NOT_"
           "PERMITTED\"} 1\n",
           "perch_caller_denials_total{caller=\"ops\",reason=\"CALLER_QUOTA_"
           "EXCEEDED\"} 1\n",
           "perch_caller_denials_total{caller=\"ops\",reason=\"SOMETHING_"
           "NEW\"} 1\n",
           "perch_caller_throttles_total{caller=\"ops\"} 1\n",
       }) {
    EXPECT_TRUE(absl::StrContains(text, line)) << line << text;
  }
  EXPECT_FALSE(absl::StrContains(text, "CALLER_UNAUTHENTICATED")) << text;
  EXPECT_FALSE(absl::StrContains(text, "caller=\"idle\"")) << text;
}

TEST(ProcessMetrics, ReadThisProcessFromProc) {
  const double now = static_cast<double>(absl::ToUnixSeconds(absl::Now()));
  const double start = ProcessStartTimeSeconds();
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 24 * 3600);
  EXPECT_GE(ProcessResidentMemoryBytes(), 4096);
  const double threads = ProcessThreads();
  const double fds = ProcessOpenFds();
  std::thread extra([&] { EXPECT_EQ(ProcessThreads(), threads + 1); });
  extra.join();
  const int fd = dup(0);
  EXPECT_EQ(ProcessOpenFds(), fds + 1);
  close(fd);
  EXPECT_GE(fds, 3);  // stdin, stdout, stderr
}

}  // namespace
}  // namespace perch::metrics
