// The JSON log and trace context of a perch-server process (issue 12): with
// --log_format=json every line it writes parses as one JSON object; each
// call gets exactly one access line with every field; a traceparent the
// caller sends comes back in that line and in the ErrorInfo of a failed
// call, and reaches the upstream (the emulator) with the same trace id and
// perch's own span id as parent. Calls: a success, an upstream error, a
// coalesced pair, a throttled call, an unauthenticated one, and calls with
// no or a malformed traceparent.
#include <signal.h>

#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "emulator/emulator.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/integration/counting_read_caller.h"
#include "tests/integration/dialects.h"
#include "tests/integration/fault_rules.h"
#include "tests/integration/json_log.h"
#include "tests/integration/security_test_util.h"
#include "tests/integration/server_process.h"
#include "tests/integration/test_traces.h"
#include "tests/integration/v2_bodies.h"
#include "tests/testing/status_matchers.h"

namespace perch::testing {
namespace {

constexpr char kReaderKey[] = "accessREADERKEY7d1c0a";
constexpr char kNoisyKey[] = "accessNOISYKEY3e8b21";
constexpr char kQueryText[] = "accesslogquerytext";

constexpr TestTraces kTraces("4bf92f3577b34da6a3ce929d0e0e");

struct AccessLine {
  std::string method, caller, peer, code, reason, trace_id, span_id;
  int64_t duration_us = -1, upstream_requests = -1, page_size = -1;
  bool coalesced = false, from_cache = false;
};

// The access lines of a JSON log; every line must parse (json_log.h).
std::vector<AccessLine> AccessLines(const std::string& output,
                                    int* audit_lines) {
  std::vector<AccessLine> access;
  simdjson::dom::parser parser;
  for (const JsonLogLine& line : ParseJsonLogLines(output)) {
    if (line.type == "audit") ++*audit_lines;
    if (line.type != "access") continue;
    const std::string& text = line.text;
    simdjson::dom::object o;
    if (parser.parse(text).get(o) != simdjson::SUCCESS) continue;  // failed
    AccessLine a;
    auto str = [&](const char* key, std::string& out) {
      std::string_view v;
      EXPECT_EQ(o[key].get(v), simdjson::SUCCESS) << key << ": " << text;
      out = std::string(v);
    };
    auto num = [&](const char* key, int64_t& out) {
      EXPECT_EQ(o[key].get(out), simdjson::SUCCESS) << key << ": " << text;
    };
    auto flag = [&](const char* key, bool& out) {
      EXPECT_EQ(o[key].get(out), simdjson::SUCCESS) << key << ": " << text;
    };
    str("method", a.method);
    str("caller", a.caller);
    str("peer", a.peer);
    str("code", a.code);
    str("reason", a.reason);
    num("duration_us", a.duration_us);
    num("upstream_requests", a.upstream_requests);
    flag("coalesced", a.coalesced);
    flag("from_cache", a.from_cache);
    num("page_size", a.page_size);
    str("trace_id", a.trace_id);
    str("span_id", a.span_id);
    EXPECT_EQ(o.size(), 15u) << text;
    EXPECT_FALSE(absl::StrContains(text, kQueryText)) << text;
    access.push_back(std::move(a));
  }
  return access;
}

std::optional<AccessLine> ByTrace(const std::vector<AccessLine>& lines,
                                  const std::string& trace_id) {
  std::optional<AccessLine> found;
  for (const AccessLine& a : lines) {
    if (a.trace_id != trace_id) continue;
    EXPECT_FALSE(found.has_value()) << "two access lines for " << trace_id;
    found = a;
  }
  return found;
}

std::string TraceIdInError(const grpc::Status& status) {
  google::rpc::Status rich;
  if (!rich.ParseFromString(status.error_details())) return "";
  for (const auto& any : rich.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) {
      auto it = info.metadata().find("trace_id");
      return it == info.metadata().end() ? "" : it->second;
    }
  }
  return "";
}

TEST(AccessLog, OneJsonLinePerCallAndTheTraceReachesTheUpstream) {
  auto started = emulator::Emulator::Start({});
  ASSERT_TRUE(started.ok()) << started.status();
  emulator::Emulator& upstream = **started;
  const emulator::EmulatorOptions app;

  TempDir dir;
  dir.Write("callers", ReportsAndNoisyCallers(kReaderKey, kNoisyKey));
  ServerProcess server(
      {"--listen=127.0.0.1:0", "--log_format=json", "--shutdown_grace=10s",
       absl::StrCat("--api_keys_file=", dir.File("callers"))},
      ServerEnv(app.app_key, app.app_secret, upstream.base_url()));
  const int port = server.WaitForPort(absl::Seconds(20));
  ASSERT_GT(port, 0) << server.Output();
  CountingReadCaller client(OwnChannel(absl::StrCat("127.0.0.1:", port),
                                       grpc::InsecureChannelCredentials()),
                            kQueryText);
  const DialectPaths paths = PathsOf(kV2);

  // 1: a success; the first call also obtains the token and looks the name
  // up, all on its behalf.
  ASSERT_TRUE(client.Timeline(kReaderKey, 5, kTraces.Traceparent(1)).ok());

  // 2: an upstream error (429, not retried).
  upstream.AddFault(
      BodyFault(paths.timeline, 429, v2_bodies::kTooManyRequests, /*times=*/1));
  const grpc::Status failed =
      client.Timeline(kReaderKey, 0, kTraces.Traceparent(2));
  EXPECT_THAT(failed, StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_EQ(TraceIdInError(failed), kTraces.TraceId(2));
  upstream.ClearFaults();

  // 3 and 4: an identical pair while the upstream is slow: one request.
  emulator::FaultRule slow;
  slow.path_prefix = paths.timeline;
  slow.latency = absl::Seconds(2);
  upstream.AddFault(slow);
  std::thread other([&] {
    EXPECT_TRUE(client.Timeline(kReaderKey, 7, kTraces.Traceparent(3)).ok());
  });
  EXPECT_TRUE(client.Timeline(kReaderKey, 7, kTraces.Traceparent(4)).ok());
  other.join();
  upstream.ClearFaults();

  // 5 and 6: the noisy caller's quota allows one call; the second is
  // throttled before any upstream work.
  EXPECT_TRUE(client.Search(kNoisyKey, kTraces.Traceparent(5)).ok());
  const grpc::Status throttled =
      client.Search(kNoisyKey, kTraces.Traceparent(6));
  EXPECT_THAT(throttled, StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_EQ(TraceIdInError(throttled), kTraces.TraceId(6));

  // 7: an unknown key. 8: no traceparent. 9: a malformed one (all-zero
  // trace id): ignored, a new trace, never an error.
  const grpc::Status denied =
      client.Timeline("accessUNKNOWNKEY", 0, kTraces.Traceparent(7));
  EXPECT_THAT(denied, StatusIs(grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_EQ(TraceIdInError(denied), kTraces.TraceId(7));
  upstream.AddFault(
      BodyFault(paths.timeline, 429, v2_bodies::kTooManyRequests, /*times=*/2));
  const grpc::Status untraced = client.Timeline(kReaderKey);
  const grpc::Status malformed = client.Timeline(
      kReaderKey, 0, "00-00000000000000000000000000000000-00f067aa0ba902b7-01");
  upstream.ClearFaults();
  EXPECT_THAT(untraced, StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_THAT(malformed, StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED));
  const std::string untraced_id = TraceIdInError(untraced);
  const std::string malformed_id = TraceIdInError(malformed);
  EXPECT_EQ(untraced_id.size(), 32u);
  EXPECT_EQ(malformed_id.size(), 32u);
  EXPECT_NE(untraced_id, malformed_id);

  server.Signal(SIGTERM);
  ASSERT_TRUE(server.Exited(absl::Seconds(20)));
  EXPECT_EQ(server.exit_code(), 0);

  int audit_lines = 0;
  const std::vector<AccessLine> lines =
      AccessLines(server.Output(), &audit_lines);
  EXPECT_EQ(static_cast<int>(lines.size()), client.calls());
  EXPECT_EQ(audit_lines, 2);  // the throttled and the unknown caller
  for (const AccessLine& a : lines) {
    EXPECT_TRUE(absl::StartsWith(a.peer, "ipv4:127.0.0.1:")) << a.peer;
    EXPECT_GE(a.duration_us, 0);
    EXPECT_EQ(a.trace_id.size(), 32u);
    EXPECT_EQ(a.span_id.size(), 16u);
  }

  std::optional<AccessLine> ok = ByTrace(lines, kTraces.TraceId(1));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->method, "perch.v1.ReadService/GetTimeline");
  EXPECT_EQ(ok->caller, "reports");
  EXPECT_EQ(ok->code, "OK");
  EXPECT_EQ(ok->reason, "");
  EXPECT_EQ(ok->upstream_requests, 3);  // token, name lookup, timeline
  EXPECT_FALSE(ok->coalesced);
  EXPECT_FALSE(ok->from_cache);
  EXPECT_EQ(ok->page_size, 5);

  std::optional<AccessLine> upstream_error = ByTrace(lines, kTraces.TraceId(2));
  ASSERT_TRUE(upstream_error.has_value());
  EXPECT_EQ(upstream_error->code, "RESOURCE_EXHAUSTED");
  EXPECT_EQ(upstream_error->reason, "RATE_LIMITED");
  EXPECT_EQ(upstream_error->upstream_requests, 1);
  EXPECT_EQ(upstream_error->page_size, 0);

  std::optional<AccessLine> a = ByTrace(lines, kTraces.TraceId(3));
  std::optional<AccessLine> b = ByTrace(lines, kTraces.TraceId(4));
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->coalesced + b->coalesced, 1);
  EXPECT_EQ(a->upstream_requests + b->upstream_requests, 1);
  const AccessLine& joined = a->coalesced ? *a : *b;
  EXPECT_EQ(joined.upstream_requests, 0);
  EXPECT_EQ(joined.code, "OK");

  std::optional<AccessLine> quota = ByTrace(lines, kTraces.TraceId(6));
  ASSERT_TRUE(quota.has_value());
  EXPECT_EQ(quota->method, "perch.v1.ReadService/Search");
  EXPECT_EQ(quota->caller, "");  // not admitted
  EXPECT_EQ(quota->code, "RESOURCE_EXHAUSTED");
  EXPECT_EQ(quota->reason, "CALLER_QUOTA_EXCEEDED");
  EXPECT_EQ(quota->upstream_requests, 0);

  std::optional<AccessLine> unknown = ByTrace(lines, kTraces.TraceId(7));
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->code, "UNAUTHENTICATED");
  EXPECT_EQ(unknown->reason, "CALLER_UNAUTHENTICATED");
  EXPECT_TRUE(ByTrace(lines, untraced_id).has_value());
  EXPECT_TRUE(ByTrace(lines, malformed_id).has_value());

  // The upstream saw each traced call's trace id, with perch's span (from
  // the access line) as parent and the caller's flags kept.
  std::map<std::string, std::vector<emulator::TracedRequest>> received;
  for (const emulator::TracedRequest& r : upstream.ReceivedTraceparents()) {
    received[r.traceparent].push_back(r);
  }
  auto sent = [&](const AccessLine& line) {
    return absl::StrCat("00-", line.trace_id, "-", line.span_id, "-01");
  };
  ASSERT_EQ(received[sent(*ok)].size(), 3u);
  EXPECT_EQ(received[sent(*ok)][0].path, "/oauth2/token");
  EXPECT_EQ(received[sent(*ok)][2].path, paths.timeline);
  EXPECT_EQ(received[sent(*upstream_error)].size(), 1u);
  EXPECT_EQ(received[sent(a->coalesced ? *b : *a)].size(), 1u);
  EXPECT_EQ(received[sent(joined)].size(), 0u);
  // A trace perch started is not sampled (it records no spans).
  EXPECT_EQ(received[absl::StrCat("00-", untraced_id, "-",
                                  ByTrace(lines, untraced_id)->span_id, "-00")]
                .size(),
            1u);
}

}  // namespace
}  // namespace perch::testing
