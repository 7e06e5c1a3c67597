// perch's Prometheus metrics end to end (issue 12): a perch-server process
// with --log_format=json reading from the emulator, and a real Prometheus
// scraping its /metrics every second on loopback. The test makes calls that
// succeed, fail upstream (429; 503 retried away; the token revoked behind
// perch's back, so 401 and a re-obtain), get coalesced, get throttled by a
// caller quota and come from an unknown key; then asks Prometheus's query
// API and checks each counter moved by exactly what was done. In the same
// run the JSON log has one access line per call and the caller's
// traceparent reaches the emulator. Other tests: --metrics_listen off,
// refused on the gRPC port or a taken one; the exposition through
// `promtool check metrics`.
#include <signal.h>

#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "emulator/emulator.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/integration/counting_read_caller.h"
#include "tests/integration/dialects.h"
#include "tests/integration/fault_rules.h"
#include "tests/integration/json_log.h"
#include "tests/integration/prometheus_server.h"
#include "tests/integration/security_test_util.h"
#include "tests/integration/server_process.h"
#include "tests/integration/test_traces.h"
#include "tests/integration/v2_bodies.h"
#include "tests/testing/child_process.h"
#include "tests/testing/status_matchers.h"

namespace perch::testing {
namespace {

constexpr char kReaderKey[] = "metricsREADERKEY51c0e2";
constexpr char kNoisyKey[] = "metricsNOISYKEY9d2f47";
constexpr char kUnknownKey[] = "metricsUNKNOWNKEY02b8a1";
constexpr char kTimeline[] = "/perch.v1.ReadService/GetTimeline";
constexpr char kSearch[] = "/perch.v1.ReadService/Search";
constexpr char kTweets[] = "2/users/:id/tweets";

// Generous: the machine running the suite is loaded.
constexpr absl::Duration kWait = absl::Seconds(30);

constexpr TestTraces kTraces("5cf92f3577b34da6a3ce929d0e0e");

// perch-server (JSON logs, a callers file) on the emulator.
struct PerchUnderTest {
  explicit PerchUnderTest(emulator::Emulator& upstream) {
    const emulator::EmulatorOptions app;
    dir.Write("callers", ReportsAndNoisyCallers(kReaderKey, kNoisyKey));
    server = std::make_unique<ServerProcess>(
        std::vector<std::string>{
            "--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0",
            "--log_format=json", "--shutdown_grace=10s",
            absl::StrCat("--api_keys_file=", dir.File("callers"))},
        ServerEnv(app.app_key, app.app_secret, upstream.base_url()));
    port = server->WaitForPort(kWait);
    metrics_port = server->WaitForMetricsPort(kWait);
  }

  TempDir dir;
  std::unique_ptr<ServerProcess> server;
  int port = 0;
  int metrics_port = 0;
};

TEST(Metrics, PrometheusSeesExactlyWhatTheCallsDid) {
  ASSERT_NE(FindPrometheus(), "") << kPrometheusMissing;
  auto started = emulator::Emulator::Start({});
  ASSERT_TRUE(started.ok()) << started.status();
  emulator::Emulator& upstream = **started;
  PerchUnderTest perch(upstream);
  ASSERT_GT(perch.port, 0) << perch.server->Output();
  ASSERT_GT(perch.metrics_port, 0) << perch.server->Output();
  ASSERT_NE(perch.metrics_port, perch.port);

  std::unique_ptr<PrometheusServer> prometheus =
      PrometheusServer::Start(perch.metrics_port, kWait);
  ASSERT_NE(prometheus, nullptr);
  // A baseline scrape, before any call.
  ASSERT_TRUE(prometheus->WaitForScrapeAfter(absl::Now(), kWait))
      << prometheus->Output();
  auto value = [&](const std::string& promql) {
    std::optional<double> v = prometheus->Query(promql);
    EXPECT_TRUE(v.has_value()) << promql;
    return v.value_or(-1);
  };
  auto calls = [&](const char* method, const char* code) {
    return value(absl::StrCat("sum(perch_grpc_calls_total{method=\"", method,
                              "\",code=\"", code, "\"})"));
  };
  auto upstream_requests = [&](const char* endpoint, const char* status_class) {
    return value(absl::StrCat("sum(perch_upstream_requests_total{endpoint=\"",
                              endpoint, "\",status_class=\"", status_class,
                              "\"})"));
  };
  // Every counter the test checks, before: perch has served nothing, so
  // all are absent (0) — asserted, so "moved by" below is from zero.
  EXPECT_EQ(value("sum(perch_grpc_calls_total)"), 0);
  EXPECT_EQ(value("sum(perch_upstream_requests_total)"), 0);
  EXPECT_EQ(value("sum(perch_token_fetches_total)"), 0);
  EXPECT_EQ(value("perch_build_info{dialect=\"v2\"}"), 1);

  CountingReadCaller caller(OwnChannel(absl::StrCat("127.0.0.1:", perch.port),
                                       grpc::InsecureChannelCredentials()),
                            "perch");
  const std::string timeline_path = PathsOf(kV2).timeline;

  // 1. A success: token, name lookup, timeline.
  ASSERT_TRUE(caller.Timeline(kReaderKey, 5, kTraces.Traceparent(1)).ok());

  // 2. The upstream's 429 (not retried).
  upstream.AddFault(
      BodyFault(timeline_path, 429, v2_bodies::kTooManyRequests, /*times=*/1));
  EXPECT_THAT(caller.Timeline(kReaderKey, 6),
              StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED));

  // 3. A 503, retried away.
  upstream.AddFault(BodyFault(timeline_path, 503,
                              v2_bodies::kServiceUnavailable, /*times=*/1));
  EXPECT_TRUE(caller.Timeline(kReaderKey, 8).ok());

  // 4. The token revoked behind perch's back: 401, a new token, the read
  // again.
  upstream.RevokeCurrentToken();
  EXPECT_TRUE(caller.Timeline(kReaderKey, 9).ok());

  // 5 and 6. An identical pair while the upstream is slow: one request.
  emulator::FaultRule slow;
  slow.path_prefix = timeline_path;
  slow.latency = absl::Seconds(3);
  upstream.AddFault(slow);
  std::thread other([&] { EXPECT_TRUE(caller.Timeline(kReaderKey, 7).ok()); });
  EXPECT_TRUE(caller.Timeline(kReaderKey, 7).ok());
  other.join();
  upstream.ClearFaults();

  // 7 and 8. The noisy caller's quota allows one call, then throttles.
  EXPECT_TRUE(caller.Search(kNoisyKey).ok());
  EXPECT_THAT(caller.Search(kNoisyKey),
              StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED));

  // 9. A key perch does not know.
  EXPECT_THAT(caller.Timeline(kUnknownKey, 5),
              StatusIs(grpc::StatusCode::UNAUTHENTICATED));

  const absl::Time done = absl::Now();
  ASSERT_TRUE(prometheus->WaitForScrapeAfter(done, kWait))
      << prometheus->Output();

  // gRPC: 9 calls, each by method and code; none left in flight.
  EXPECT_EQ(value("sum(perch_grpc_calls_total)"), caller.calls());
  EXPECT_EQ(calls(kTimeline, "OK"), 5);
  EXPECT_EQ(calls(kTimeline, "RESOURCE_EXHAUSTED"), 1);
  EXPECT_EQ(calls(kTimeline, "UNAUTHENTICATED"), 1);
  EXPECT_EQ(calls(kSearch, "OK"), 1);
  EXPECT_EQ(calls(kSearch, "RESOURCE_EXHAUSTED"), 1);
  EXPECT_EQ(
      value(absl::StrCat("sum(perch_grpc_call_duration_seconds_count{method=\"",
                         kTimeline, "\"})")),
      7);
  EXPECT_EQ(value("sum(perch_grpc_calls_in_flight)"), 0);
  // The slow pair took 3 s, so at least two timeline calls are above 2.5 s.
  EXPECT_GE(value(absl::StrCat("sum(perch_grpc_call_duration_seconds_count{"
                               "method=\"",
                               kTimeline,
                               "\"}) - sum(perch_grpc_call_"
                               "duration_seconds_bucket{method=\"",
                               kTimeline, "\",le=\"2.5\"})")),
            2);
  EXPECT_EQ(value(absl::StrCat("sum(perch_coalesced_calls_total{method=\"",
                               kTimeline, "\"})")),
            1);

  // Upstream, by route template: the timeline endpoint saw 1 + 429 + (503,
  // 200) + (401, 200) + 1 for the pair.
  EXPECT_EQ(upstream_requests(kTweets, "2xx"), 4);
  EXPECT_EQ(upstream_requests(kTweets, "4xx"), 2);
  EXPECT_EQ(upstream_requests(kTweets, "5xx"), 1);
  EXPECT_EQ(upstream_requests("2/users/by/username/:username", "2xx"), 1);
  EXPECT_EQ(upstream_requests("2/tweets/search/recent", "2xx"), 1);
  EXPECT_EQ(upstream_requests("oauth2/token", "2xx"), 2);
  EXPECT_EQ(value("sum(perch_upstream_requests_total{status_class="
                  "\"transport_error\"})"),
            0);
  EXPECT_EQ(value(absl::StrCat("sum(perch_upstream_retries_total{endpoint=\"",
                               kTweets, "\"})")),
            1);
  EXPECT_EQ(value("sum(perch_upstream_retries_total)"), 1);
  EXPECT_EQ(value(absl::StrCat("sum(perch_upstream_throttled_total{endpoint=\"",
                               kTweets, "\",reason=\"rate_limit\"})")),
            1);
  EXPECT_EQ(value(absl::StrCat("sum(perch_upstream_request_duration_seconds_"
                               "count{endpoint=\"",
                               kTweets, "\"})")),
            7);
  EXPECT_GT(
      value(absl::StrCat("sum(perch_upstream_received_bytes_total{endpoint=\"",
                         kTweets, "\"})")),
      0);
  // The budget the emulator's last timeline answer announced.
  const double limit = value(absl::StrCat(
      "sum(perch_upstream_rate_limit{endpoint=\"", kTweets, "\"})"));
  const double remaining = value(absl::StrCat(
      "sum(perch_upstream_rate_remaining{endpoint=\"", kTweets, "\"})"));
  EXPECT_GT(limit, 0);
  EXPECT_LT(remaining, limit);
  EXPECT_GT(value(absl::StrCat(
                "sum(perch_upstream_rate_reset_timestamp_seconds{endpoint=\"",
                kTweets, "\"})")),
            absl::ToUnixSeconds(done) - 1);

  EXPECT_GE(value("perch_token_age_seconds"), 0);
  struct Exact {
    const char* promql;
    double want;
  };
  const Exact exact[] = {
      // The token: obtained at start and after the revocation.
      {"sum(perch_token_fetches_total{outcome=\"ok\"})", 2},
      {"sum(perch_token_fetches_total)", 2},
      {"perch_token_reobtains_total", 1},
      {"perch_token_invalidations_total", 0},
      // The name cache: looked up by calls 1 (miss) and 2, 3, 4 and the pair.
      {"sum(perch_cache_requests_total{cache=\"user_id\","
       "result=\"miss\"})",
       1},
      {"sum(perch_cache_requests_total{cache=\"user_id\","
       "result=\"hit\"})",
       4},
      {"sum(perch_cache_entries{cache=\"user_id\"})", 1},
      // Callers, by the names in the callers file.
      {"sum(perch_caller_calls_total{caller=\"reports\"})", 6},
      {"sum(perch_caller_calls_total{caller=\"noisy\"})", 1},
      {"sum(perch_caller_throttles_total{caller=\"noisy\"})", 1},
      {"sum(perch_caller_throttles_total)", 1},
      {"sum(perch_caller_denials_total{caller=\"noisy\","
       "reason=\"CALLER_QUOTA_EXCEEDED\"})",
       1},
      {"sum(perch_caller_denials_total{caller=\"unknown\","
       "reason=\"CALLER_UNAUTHENTICATED\"})",
       1},
  };
  for (const Exact& e : exact) {
    EXPECT_EQ(value(e.promql), e.want) << e.promql;
  }

  EXPECT_GE(value("process_threads"), 2);
  EXPECT_GT(value("process_resident_memory_bytes"), 0);
  EXPECT_GT(value("process_open_fds"), 0);
  EXPECT_GT(value("process_start_time_seconds"),
            absl::ToUnixSeconds(done) - 600);

  // The JSON log of the same run: every line parses, one access line per
  // call; the caller's trace id is in its line and reached the emulator.
  perch.server->Signal(SIGTERM);
  ASSERT_TRUE(perch.server->Exited(kWait));
  EXPECT_EQ(perch.server->exit_code(), 0);
  simdjson::dom::parser parser;
  int access_lines = 0;
  std::string span_of_first;
  for (const JsonLogLine& line : ParseJsonLogLines(perch.server->Output())) {
    if (line.type != "access") continue;
    ++access_lines;
    simdjson::dom::object o;
    ASSERT_EQ(parser.parse(line.text).get(o), simdjson::SUCCESS);
    std::string_view trace_id, span_id;
    ASSERT_EQ(o["trace_id"].get(trace_id), simdjson::SUCCESS);
    ASSERT_EQ(o["span_id"].get(span_id), simdjson::SUCCESS);
    if (trace_id == kTraces.TraceId(1)) span_of_first = std::string(span_id);
  }
  EXPECT_EQ(access_lines, caller.calls());
  ASSERT_EQ(span_of_first.size(), 16u);
  int reached = 0;
  for (const emulator::TracedRequest& r : upstream.ReceivedTraceparents()) {
    if (r.traceparent ==
        absl::StrCat("00-", kTraces.TraceId(1), "-", span_of_first, "-01")) {
      ++reached;
    }
  }
  EXPECT_EQ(reached, 3);  // token, name lookup, timeline
}

// --metrics_listen= turns the listener off (the server still serves gRPC);
// a metrics address on the gRPC port, or one already taken, stops the start
// with one line naming the flag.
TEST(Metrics, OffWhenEmptyRefusedOnTheGrpcPortOrATakenPort) {
  const emulator::EmulatorOptions app;
  const std::vector<std::string> env = {
      absl::StrCat("PERCH_CONSUMER_KEY=", app.app_key),
      absl::StrCat("PERCH_CONSUMER_SECRET=", app.app_secret),
      "PERCH_API_BASE_URL=http://127.0.0.1:9"};
  ServerProcess off(
      {"--listen=127.0.0.1:0", "--metrics_listen=", "--insecure_no_auth"}, env);
  ASSERT_GT(off.WaitForPort(kWait), 0) << off.Output();
  EXPECT_FALSE(absl::StrContains(off.Output(), "/metrics")) << off.Output();

  ServerProcess same({"--listen=127.0.0.1:50999",
                      "--metrics_listen=127.0.0.1:50999", "--insecure_no_auth"},
                     env);
  ASSERT_TRUE(same.Exited(kWait));
  EXPECT_EQ(same.exit_code(), 2);
  EXPECT_TRUE(absl::StrContains(same.Output(), "--metrics_listen"))
      << same.Output();

  ServerProcess on({"--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0",
                    "--insecure_no_auth"},
                   env);
  const int taken = on.WaitForMetricsPort(kWait);
  ASSERT_GT(taken, 0) << on.Output();
  ServerProcess clash({"--listen=127.0.0.1:0",
                       absl::StrCat("--metrics_listen=127.0.0.1:", taken),
                       "--insecure_no_auth"},
                      env);
  ASSERT_TRUE(clash.Exited(kWait));
  EXPECT_EQ(clash.exit_code(), 1);
  EXPECT_TRUE(absl::StrContains(clash.Output(), "for /metrics"))
      << clash.Output();
}

// `promtool check metrics` (Prometheus's own linter) accepts what perch
// serves once every kind of series exists.
TEST(Metrics, PromtoolAcceptsTheExposition) {
  auto started = emulator::Emulator::Start({});
  ASSERT_TRUE(started.ok()) << started.status();
  emulator::Emulator& upstream = **started;
  PerchUnderTest perch(upstream);
  ASSERT_GT(perch.metrics_port, 0) << perch.server->Output();
  CountingReadCaller caller(OwnChannel(absl::StrCat("127.0.0.1:", perch.port),
                                       grpc::InsecureChannelCredentials()),
                            "perch");
  EXPECT_TRUE(caller.Timeline(kReaderKey, 5).ok());
  EXPECT_THAT(caller.Timeline(kUnknownKey, 5),
              StatusIs(grpc::StatusCode::UNAUTHENTICATED));
  std::optional<HttpAnswer> scraped =
      LoopbackGet(perch.metrics_port, "/metrics");
  ASSERT_TRUE(scraped.has_value());
  ASSERT_EQ(scraped->status, 200);
  TempDir dir;
  dir.Write("metrics.txt", scraped->body);
  const std::string promtool =
      FindPrometheus().empty()
          ? std::string("promtool")
          : FindPrometheus().substr(0, FindPrometheus().rfind('/') + 1) +
                "promtool";
  ASSERT_EQ(access(promtool.c_str(), X_OK), 0) << kPrometheusMissing;
  absl::StatusOr<std::unique_ptr<ChildProcess>> check = ChildProcess::Spawn(
      {.argv = {promtool, "check", "metrics"},
       .input_path = dir.File("metrics.txt")});
  ASSERT_TRUE(check.ok()) << check.status();
  const absl::StatusOr<int> status = (*check)->Wait(kWait);
  const std::string report = (*check)->Output();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(*status, 0) << report;
  // promtool prints nothing when the exposition has no problem at all.
  EXPECT_EQ(report, "") << scraped->body;
  EXPECT_TRUE(absl::StrContains(scraped->body,
                                "# TYPE perch_grpc_calls_total counter\n"));
}

}  // namespace
}  // namespace perch::testing
