// Each fault kind over real HTTP: latency (and ending it early), injected
// status, malformed body, dropped connection, token_type override, next-N,
// path scoping.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "emulator/emulator_test_support.h"
#include "emulator/faults.h"
#include "gtest/gtest.h"

namespace perch::emulator::testing {
namespace {

class FaultsHttpTest : public StartedEmulatorTest {
 protected:
  // Scopes `rule` to the token route, adds it, and POSTs for a token.
  HttpResult PostTokenWithFault(FaultRule rule) {
    rule.path_prefix = "/oauth2/token";
    emulator_->AddFault(std::move(rule));
    return PostToken();
  }
};

TEST_F(FaultsHttpTest, LatencyDelaysTheAnswer) {
  FaultRule rule;
  rule.path_prefix = "/oauth2/";
  rule.latency = absl::Milliseconds(300);
  emulator_->AddFault(rule);
  HttpResult result = PostToken();
  EXPECT_EQ(result.status, 200);
  EXPECT_GE(result.elapsed, absl::Milliseconds(280));
  EXPECT_LT(result.elapsed, absl::Seconds(5));
}

// How a test holds a request for as long as it needs, not for a guessed
// time: an hour of latency, ended once the request is known to wait.
TEST_F(FaultsHttpTest, EndLatenciesNowAnswersTheWaitingRequests) {
  FaultRule rule;
  rule.path_prefix = "/oauth2/";
  rule.latency = absl::Hours(1);
  emulator_->AddFault(rule);
  HttpResult held;
  std::thread client([&] { held = PostToken(); });  // gives up after 10 s
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (emulator_->RequestCount("/oauth2/token") < 1 && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_EQ(emulator_->RequestCount("/oauth2/token"), 1);
  emulator_->EndLatenciesNow();
  client.join();
  EXPECT_EQ(held.status, 200);
  EXPECT_EQ(emulator_->TokensIssued(), 1);
}

TEST_F(FaultsHttpTest, InjectedStatusReplacesTheAnswer) {
  FaultRule rule;
  rule.status = 503;
  rule.error_code = 130;
  rule.error_message = "Over capacity";
  emulator_->AddFault(rule);
  HttpResult result = PostToken();
  EXPECT_EQ(result.status, 503);
  EXPECT_EQ(result.body,
            R"({"errors":[{"code":130,"message":"Over capacity"}]})");
  EXPECT_EQ(emulator_->TokensIssued(), 0);  // never reached the route
}

TEST_F(FaultsHttpTest, InjectedStatusWithARawBody) {
  FaultRule rule;
  rule.status = 502;
  rule.body = "<html>bad gateway</html>";
  emulator_->AddFault(rule);
  HttpResult result = Call("GET", kUserTimeline);
  EXPECT_EQ(result.status, 502);
  EXPECT_EQ(result.body, "<html>bad gateway</html>");
  emulator_->ClearFaults();
  rule.body.clear();
  rule.status = 504;
  emulator_->AddFault(rule);
  result = Call("GET", kUserTimeline);
  EXPECT_EQ(result.status, 504);
  EXPECT_EQ(result.body, "");
}

TEST_F(FaultsHttpTest, MalformedBodyIsTruncatedJsonWithTheRealStatus) {
  FaultRule rule;
  rule.malformed_body = true;
  HttpResult result = PostTokenWithFault(rule);
  EXPECT_EQ(result.status, 200);
  EXPECT_TRUE(absl::StartsWith(result.body, R"({"token_type":"bearer")"));
  EXPECT_FALSE(IsValidJson(result.body));
  EXPECT_EQ(result.Header("content-length"), absl::StrCat(result.body.size()));
}

// A fault that ends the connection with no answer at all, and what libcurl
// makes of it; once cleared, the next request is served.
struct ConnectionFault {
  const char* name;
  bool FaultRule::*outcome;
  absl::Duration latency;  // waited out before the connection ends
  bool on_read;            // GET a timeline instead of POSTing for a token
  CURLcode curl_code;
};

class ConnectionFaultTest
    : public StartedEmulatorTest,
      public ::testing::WithParamInterface<ConnectionFault> {};

TEST_P(ConnectionFaultTest, EndsTheConnectionWithoutAnAnswer) {
  const ConnectionFault& fault = GetParam();
  FaultRule rule;
  rule.*fault.outcome = true;
  rule.latency = fault.latency;
  emulator_->AddFault(rule);
  HttpResult result = fault.on_read ? Call("GET", kUserTimeline) : PostToken();
  EXPECT_EQ(result.curl_code, fault.curl_code);
  EXPECT_EQ(result.status, 0);
  EXPECT_GE(result.elapsed, fault.latency * 0.9);
  EXPECT_EQ(emulator_->RequestCount(fault.on_read ? kUserTimeline
                                                  : "/oauth2/token"),
            1);
  emulator_->ClearFaults();
  EXPECT_EQ(PostToken().status, 200);
}

INSTANTIATE_TEST_SUITE_P(
    FaultsHttp, ConnectionFaultTest,
    ::testing::Values(
        // An orderly close before the status line.
        ConnectionFault{"Drop", &FaultRule::drop_connection,
                        absl::ZeroDuration(), false, CURLE_GOT_NOTHING},
        ConnectionFault{"DropAfterLatency", &FaultRule::drop_connection,
                        absl::Milliseconds(200), true, CURLE_GOT_NOTHING},
        // An RST, not an orderly close: the read fails, it does not just end.
        ConnectionFault{"Reset", &FaultRule::reset_connection,
                        absl::ZeroDuration(), false, CURLE_RECV_ERROR}),
    [](const ::testing::TestParamInfo<ConnectionFault>& info) {
      return std::string(info.param.name);
    });

TEST_F(FaultsHttpTest, CutBodyClosesTheConnectionMidBody) {
  FaultRule rule;
  rule.cut_body = true;
  HttpResult result = PostTokenWithFault(rule);
  EXPECT_EQ(result.curl_code, CURLE_PARTIAL_FILE);
  EXPECT_EQ(result.status, 200);
  EXPECT_TRUE(absl::StartsWith(result.body, R"({"token_type":"bearer")"));
  int64_t announced = 0;
  ASSERT_TRUE(absl::SimpleAtoi(result.Header("content-length"), &announced));
  EXPECT_LT(static_cast<int64_t>(result.body.size()), announced);
}

TEST_F(FaultsHttpTest, TrickleSendsTheWholeBodySlowly) {
  FaultRule rule;
  rule.trickle_bytes = 40;
  rule.trickle_every = absl::Milliseconds(50);
  HttpResult result = PostTokenWithFault(rule);
  EXPECT_EQ(result.curl_code, CURLE_OK);
  EXPECT_EQ(result.status, 200);
  EXPECT_TRUE(IsValidJson(result.body)) << result.body;
  EXPECT_EQ(result.Header("content-length"), absl::StrCat(result.body.size()));
  // At least one pause per 40 bytes after the first piece.
  const int64_t pauses = (static_cast<int64_t>(result.body.size()) - 1) / 40;
  EXPECT_GE(result.elapsed, pauses * absl::Milliseconds(45));
}

TEST_F(FaultsHttpTest, TrickleOutlastsAClientThatGivesUp) {
  FaultRule rule;
  rule.path_prefix = "/oauth2/token";
  rule.trickle_bytes = 1;
  rule.trickle_every = absl::Milliseconds(100);
  rule.times = 1;
  emulator_->AddFault(rule);
  HttpResult result = PostTokenGivingUpAfter(absl::Milliseconds(500));
  EXPECT_EQ(result.curl_code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_EQ(result.status, 200);  // the headers came, the body did not
  // The emulator drops the abandoned reply and serves on.
  EXPECT_EQ(PostToken().status, 200);
}

TEST_F(FaultsHttpTest, ScheduleRotatesFaultsWithTheClock) {
  HttpResult set = Call(
      "POST", "/_emulator/schedule", {"Content-Type: application/json"},
      R"({"phases":[{"name":"down","duration_ms":1000,"faults":)"
      R"([{"path_prefix":"/oauth2/token","status":503,"code":130,)"
      R"("message":"Over capacity"}]},{"name":"calm","duration_ms":2000}]})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.body, absl::StrCat(R"({"phases":2,"start_unix_ms":)",
                                   absl::ToUnixMillis(clock_.Now()),
                                   R"(,"cycle_ms":3000})"));
  EXPECT_EQ(PostToken().status, 503);
  EXPECT_EQ(JsonStringMember(Call("GET", "/_emulator/schedule").body, "phase"),
            "down");
  clock_.Advance(absl::Milliseconds(1500));
  EXPECT_EQ(PostToken().status, 200);
  clock_.Advance(absl::Seconds(2));  // the next cycle's "down"
  EXPECT_EQ(PostToken().status, 503);
  EXPECT_EQ(Call("DELETE", "/_emulator/schedule").body, R"({"active":false})");
  EXPECT_EQ(PostToken().status, 200);
}

TEST_F(FaultsHttpTest, ScheduleRevokesTheTokenBehindTheClientsBack) {
  const std::string token = ObtainToken();
  ASSERT_EQ(Call("POST", "/_emulator/schedule", {},
                 R"({"phases":[{"name":"revoked","duration_ms":10000,)"
                 R"("revoke_every_ms":10000}]})")
                .status,
            200);
  EXPECT_EQ(GetWithBearer(absl::StrCat(kUserTimeline, "?screen_name=perch_dev"),
                          token)
                .status,
            401);
  EXPECT_NE(ObtainToken(), token);
  HttpResult stats = Call("GET", "/_emulator/stats");
  EXPECT_NE(stats.body.find(R"("tokens_issued":2,"revocations":1)"),
            std::string::npos)
      << stats.body;
}

TEST_F(FaultsHttpTest, TokenTypeOverride) {
  FaultRule rule;
  rule.token_type = "mac";
  HttpResult result = PostTokenWithFault(rule);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(JsonStringMember(result.body, "token_type"), "mac");
  EXPECT_FALSE(JsonStringMember(result.body, "access_token").empty());
  // Failures are untouched by a token_type rule.
  HttpResult failure = PostToken({kFormContentType});
  EXPECT_EQ(failure.status, 403);
  EXPECT_EQ(failure.body, kTokenErrorBody);
}

TEST_F(FaultsHttpTest, NextNRequestsOnly) {
  FaultRule rule;
  rule.status = 500;
  rule.error_code = 131;
  rule.error_message = "Internal error";
  rule.times = 2;
  emulator_->AddFault(rule);
  EXPECT_EQ(PostToken().status, 500);
  EXPECT_EQ(PostToken().status, 500);
  EXPECT_EQ(PostToken().status, 200);
  EXPECT_EQ(PostToken().status, 200);
  EXPECT_EQ(emulator_->RequestCount("/oauth2/token"), 4);
}

TEST_F(FaultsHttpTest, PathPrefixScopesARule) {
  FaultRule rule;
  rule.path_prefix = "/1.1/";
  rule.status = 503;
  rule.error_code = 130;
  rule.error_message = "Over capacity";
  emulator_->AddFault(rule);
  std::string token = ObtainToken();  // /oauth2/ is not under /1.1/
  EXPECT_EQ(GetWithBearer(kDevTimeline, token).status, 503);
  emulator_->ClearFaults();
  EXPECT_EQ(GetWithBearer(kDevTimeline, token).status, 200);
}

TEST_F(FaultsHttpTest, InitialFaultsFromOptions) {
  EmulatorOptions options;
  FaultRule& rule = options.faults.emplace_back();
  rule.status = 503;
  rule.times = 1;
  RestartEmulator(std::move(options));
  EXPECT_EQ(PostToken().status, 503);
  EXPECT_EQ(PostToken().status, 200);
}

TEST_F(FaultsHttpTest, ErrorRateIsSeeded) {
  auto outcomes = [this](uint64_t seed) {
    EmulatorOptions options;
    options.seed = seed;
    options.max_token_requests_per_minute = 1000;
    FaultRule& rule = options.faults.emplace_back();
    rule.status = 503;
    rule.probability = 0.5;
    RestartEmulator(std::move(options));
    std::string seen;
    for (int i = 0; i < 40; ++i) seen += PostToken().status == 503 ? 'x' : '.';
    return seen;
  };
  std::string a = outcomes(11);
  EXPECT_EQ(a, outcomes(11));
  EXPECT_TRUE(absl::StrContains(a, "x"));
  EXPECT_TRUE(absl::StrContains(a, "."));
}

// A client that gives up while its reply waits on a timer: libevent detaches
// the request from the dead connection, and the timer must still complete
// (and free) it without touching the connection.
TEST_F(FaultsHttpTest, ClientGoneBeforeADelayedReplyOrDrop) {
  for (bool drop : {false, true}) {
    emulator_->ClearFaults();
    FaultRule rule;
    rule.latency = absl::Milliseconds(300);
    rule.drop_connection = drop;
    emulator_->AddFault(rule);
    EXPECT_EQ(PostTokenGivingUpAfter(absl::Milliseconds(50)).curl_code,
              CURLE_OPERATION_TIMEDOUT);
    // Same latency, queued later: its timer fires after the first one's.
    emulator_->ClearFaults();
    rule.drop_connection = false;
    emulator_->AddFault(rule);
    EXPECT_EQ(PostToken().status, 200) << "drop=" << drop;
  }
}

// Raw socket: connects and sends one request without reading the answer.
int SendWithoutReading(int port, absl::string_view request) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
            0);
  EXPECT_EQ(write(fd, request.data(), request.size()),
            static_cast<ssize_t>(request.size()));
  return fd;
}

TEST_F(FaultsHttpTest, ShutdownWithRepliesStillWaiting) {
  FaultRule rule;
  rule.latency = absl::Seconds(30);
  emulator_->AddFault(rule);
  const std::string request =
      absl::StrCat("GET ", kUserTimeline, " HTTP/1.1\r\nHost: x\r\n\r\n");
  // One waiting client stays, one leaves before the reply.
  int staying = SendWithoutReading(emulator_->port(), request);
  int leaving = SendWithoutReading(emulator_->port(), request);
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (emulator_->RequestCount(kUserTimeline) < 2 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_EQ(emulator_->RequestCount(kUserTimeline), 2);
  close(leaving);
  // A round trip through the loop lets it see the close first, usually.
  EXPECT_EQ(Call("GET", "/_emulator/stats").status, 200);
  emulator_.reset();
  // The staying client sees the connection close, not an answer.
  char buf[64];
  EXPECT_EQ(read(staying, buf, sizeof(buf)), 0);
  close(staying);
}

}  // namespace
}  // namespace perch::emulator::testing
