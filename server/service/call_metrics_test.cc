#include "server/service/call_metrics.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/common/testing/fake_clock.h"
#include "server/metrics/text_format.h"

namespace perch::service {
namespace {

using ::perch::testing::FakeClock;

class CallMetricsTest : public ::testing::Test {
 protected:
  std::string Text() { return metrics::FormatText(registry_.Collect()); }
  bool Has(const std::string& line) {
    return absl::StrContains(Text(), line + "\n");
  }

  metrics::Registry registry_;
  FakeClock clock_;
  metrics::PerchMetrics metrics_{registry_, clock_, {}};
  CallMetrics calls_{metrics_};
};

CallRecord Done(security::Method method, absl::StatusCode code,
                absl::Duration duration, bool coalesced = false) {
  CallRecord record;
  record.method = method;
  record.code = code;
  record.duration = duration;
  record.coalesced = coalesced;
  return record;
}

TEST_F(CallMetricsTest, CountsByMethodAndCodeAndTimesEachCall) {
  const auto timeline = security::Method::kGetTimeline;
  calls_.OnCallStart(timeline);
  calls_.OnCallStart(timeline);
  calls_.OnCallStart(security::Method::kObtain);
  EXPECT_TRUE(
      Has("perch_grpc_calls_in_flight{method=\"/perch.v1.ReadService/"
          "GetTimeline\"} 2"));
  calls_.OnCallDone(
      Done(timeline, absl::StatusCode::kOk, absl::Milliseconds(4)));
  calls_.OnCallDone(Done(timeline, absl::StatusCode::kUnavailable,
                         absl::Milliseconds(300), /*coalesced=*/true));
  EXPECT_TRUE(
      Has("perch_grpc_calls_in_flight{method=\"/perch.v1.ReadService/"
          "GetTimeline\"} 0"));
  EXPECT_TRUE(
      Has("perch_grpc_calls_in_flight{method=\"/perch.v1.TokenService/"
          "Obtain\"} 1"));
  EXPECT_TRUE(
      Has("perch_grpc_calls_total{method=\"/perch.v1.ReadService/GetTimeline\","
          "code=\"OK\"} 1"));
  EXPECT_TRUE(
      Has("perch_grpc_calls_total{method=\"/perch.v1.ReadService/GetTimeline\","
          "code=\"UNAVAILABLE\"} 1"));
  EXPECT_TRUE(
      Has("perch_grpc_call_duration_seconds_bucket{method=\"/perch.v1."
          "ReadService/GetTimeline\",le=\"0.005\"} 1"));
  EXPECT_TRUE(
      Has("perch_grpc_call_duration_seconds_bucket{method=\"/perch.v1."
          "ReadService/GetTimeline\",le=\"0.5\"} 2"));
  EXPECT_TRUE(
      Has("perch_coalesced_calls_total{method=\"/perch.v1.ReadService/"
          "GetTimeline\"} 1"));
  // Codes never seen have no series.
  EXPECT_FALSE(absl::StrContains(Text(), "code=\"NOT_FOUND\""));
}

}  // namespace
}  // namespace perch::service
