// Hostile input, end to end: requests over --max_request_bytes, oversized
// metadata, request bytes that are not a valid message (invalid UTF-8 in a
// string field), deeply nested and huge JSON from the upstream, and a flood
// of connections. perch must answer each with the right code and keep
// serving.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "tests/integration/dialects.h"
#include "tests/integration/perch_harness.h"
#include "tests/integration/security_test_util.h"
#include "tests/testing/status_matchers.h"

namespace perch::testing {
namespace {

using ::testing::AnyOf;

using emulator::FaultRule;

// The tests about callers run on the default dialect, named here.
std::unique_ptr<PerchHarness> StartPerch(const std::string& api = kV2,
                                         int64_t max_response_bytes = 0) {
  HarnessOptions options;
  options.server.upstream_api = api;
  if (max_response_bytes > 0) {
    options.server.upstream_max_response_bytes = max_response_bytes;
  }
  return PerchHarness::Start(options);
}

// An ordinary call, from a new client: a hostile request may have made
// perch close the harness's connection, and a call already sent on it as it
// closes fails with "Socket closed" whatever wait_for_ready says.
grpc::Status Timeline(PerchHarness& h) {
  v1::GetTimelineRequest request;
  request.set_screen_name("perch_dev");
  v1::GetTimelineResponse response;
  auto context = ContextWithTimeout();
  context->set_wait_for_ready(true);
  auto client = v1::ReadService::NewStub(
      OwnChannel(h.target(), grpc::InsecureChannelCredentials()));
  return client->GetTimeline(context.get(), request, &response);
}

// gRPC refuses metadata over its limit with RESOURCE_EXHAUSTED; when the
// header block reaches perch before the client learned the limit (the
// SETTINGS frame), perch closes that client's connection instead, which the
// sender sees as UNAVAILABLE. Either way nothing reaches a handler.
void ExpectMetadataRefused(const grpc::Status& status, absl::string_view what) {
  EXPECT_THAT(status, AnyOf(StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED),
                            StatusIs(grpc::StatusCode::UNAVAILABLE)))
      << what;
}

TEST(HostileInput, OversizedRequestMessagesAreRefused) {
  auto h = StartPerch();
  ASSERT_NE(h, nullptr);
  v1::SearchRequest request;
  request.set_query(std::string(65 * 1024, 'q'));  // over the 64 KiB default
  v1::SearchResponse response;
  auto context = ContextWithTimeout();
  grpc::Status too_big = h->reads().Search(context.get(), request, &response);
  EXPECT_THAT(too_big, StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED));
  // Just under the limit it reaches perch's own validation.
  request.set_query(std::string(60 * 1024, 'q'));
  context = ContextWithTimeout();
  grpc::Status invalid = h->reads().Search(context.get(), request, &response);
  EXPECT_THAT(invalid, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(Timeline(*h).ok());
}

TEST(HostileInput, OversizedMetadataIsRefused) {
  auto h = StartPerch();
  ASSERT_NE(h, nullptr);
  for (size_t size : {size_t{16 * 1024}, size_t{70 * 1024}, size_t{1 << 20}}) {
    SCOPED_TRACE(size);
    v1::GetTimelineRequest request;
    request.set_screen_name("perch_dev");
    v1::GetTimelineResponse response;
    auto context = ContextWithTimeout();
    context->AddMetadata("x-padding", std::string(size, 'm'));
    ExpectMetadataRefused(
        h->reads().GetTimeline(context.get(), request, &response), "x-padding");
    auto key = KeyedContext(std::string(size, 'k'));
    ExpectMetadataRefused(h->reads().GetTimeline(key.get(), request, &response),
                          "authorization");
    // Still serving: a new client gets through (the old connection may be
    // the one perch closed).
    auto fresh = v1::ReadService::NewStub(
        OwnChannel(h->target(), grpc::InsecureChannelCredentials()));
    auto context_after = ContextWithTimeout();
    grpc::Status after =
        fresh->GetTimeline(context_after.get(), request, &response);
    EXPECT_THAT(after, IsOk());
  }
  EXPECT_EQ(h->emulator().RequestCount(PathsOf(kV2).timeline), 3);
  grpc::Status last = Timeline(*h);
  EXPECT_THAT(last, IsOk());
}

TEST(HostileInput, UnparsableRequestBytesAreInvalidArgument) {
  auto h = StartPerch();
  ASSERT_NE(h, nullptr);
  // GetTimelineRequest.screen_name (field 1, a proto3 string) holding bytes
  // that are not UTF-8.
  const std::string invalid_utf8 = std::string("\x0a\x04\xff\xfe\xc0\x80", 6);
  // A length-delimited field that claims more bytes than there are.
  const std::string truncated = std::string(
      "\x0a\x7f"
      "abc",
      5);
  for (const char* method :
       {"/perch.v1.ReadService/GetTimeline", "/perch.v1.ReadService/Search",
        "/perch.v1.ReadService/GetFollowers", "/perch.v1.ReadService/GetList",
        "/perch.v1.TokenService/Obtain", "/perch.v1.TokenService/Invalidate"}) {
    SCOPED_TRACE(method);
    for (const std::string& bytes : {invalid_utf8, truncated}) {
      grpc::Status status = SendRawBytes(*h->channel(), method, bytes);
      // ObtainRequest/InvalidateRequest have no field 1: UTF-8 cannot be
      // wrong there (the field is unknown and kept as bytes).
      if (absl::StrContains(method, "TokenService") && bytes == invalid_utf8) {
        EXPECT_TRUE(status.ok()) << status.error_message();
        continue;
      }
      EXPECT_THAT(status, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
      EXPECT_EQ(OnlyErrorInfo(status).reason(), "INVALID_REQUEST");
      auto bad_request = BadRequestOf(status);
      ASSERT_TRUE(bad_request.has_value());
      EXPECT_EQ(bad_request->field_violations(0).field(), "request");
    }
  }
  EXPECT_TRUE(Timeline(*h).ok());
}

void ExpectMalformedUpstream(const grpc::Status& status,
                             absl::string_view reason) {
  EXPECT_THAT(status, StatusIs(grpc::StatusCode::INTERNAL));
  EXPECT_EQ(OnlyErrorInfo(status).reason(), reason);
}

// A timeline page in each dialect's JSON: v1.1 an array of tweets, v2 an
// object with `data`.
struct PageShape {
  std::string open;
  std::string close;
  std::string tweet;          // a minimal one
  std::string tweet_start;    // a tweet's first members, up to a comma
  std::string mapped_member;  // one whose value perch reads
};

PageShape ShapeOf(const std::string& api) {
  if (IsV2(api)) {
    return {R"({"data":[)", "]}", R"({"id":"1","text":"x","author_id":"2"})",
            R"({"id":"1","author_id":"2",)", "text"};
  }
  return {"[", "]", R"({"id_str":"1","full_text":"x","user":{"id_str":"2"}})",
          R"({"id_str":"1",)", "user"};
}

// Minimal tweets until the page reaches `bytes`.
std::string PageOf(const PageShape& shape, size_t bytes) {
  std::string page = shape.open;
  while (page.size() < bytes) {
    absl::StrAppend(&page, page.size() > shape.open.size() ? "," : "",
                    shape.tweet);
  }
  return page + shape.close;
}

class HostileUpstream : public ::testing::TestWithParam<std::string> {
 protected:
  std::string timeline() const { return PathsOf(GetParam()).timeline; }
  PageShape shape() const { return ShapeOf(GetParam()); }
};

INSTANTIATE_TEST_SUITE_P(BothDialects, HostileUpstream, BothDialects(),
                         DialectTestName());

TEST_P(HostileUpstream,
       DeeplyNestedUpstreamJsonIsMalformedWhereReadNeverACrash) {
  auto h = StartPerch(GetParam());
  ASSERT_NE(h, nullptr);
  constexpr int kDepth = 100000;
  const std::string arrays =
      std::string(kDepth, '[') + std::string(kDepth, ']');
  std::string objects;
  for (int i = 0; i < kDepth; ++i) objects += "{\"a\":";
  objects += "1" + std::string(kDepth, '}');
  // Deep inside a tweet: in a member perch maps, and in one it does not.
  auto nest_in = [&](absl::string_view member) {
    std::string body =
        absl::StrCat(shape().open, shape().tweet_start, "\"", member, "\":");
    for (int i = 0; i < kDepth; ++i) body += "{\"x\":";
    return body + "0" + std::string(kDepth, '}') + "}" + shape().close;
  };
  const std::string mapped_nest = nest_in(shape().mapped_member);
  const std::string ignored_nest = nest_in("x_unmapped");
  // Nested JSON where the token is expected (first: no token is held yet).
  FaultRule token;
  token.path_prefix = "/oauth2/token";
  token.status = 200;
  token.body = objects;
  token.times = 1;
  h->emulator().AddFault(token);
  v1::ObtainResponse obtained;
  auto context = ContextWithTimeout();
  grpc::Status status = h->tokens().Obtain(context.get(), {}, &obtained);
  ExpectMalformedUpstream(status, "UPSTREAM_MALFORMED_RESPONSE");

  // Depth where perch reads a value is malformed; inside a member it does
  // not map (and, on v2, under a top-level member other than data) the
  // on-demand readers skip it without descending (a linear skip, no
  // recursion), and the page is read.
  for (const std::string* body : std::vector<const std::string*>{
           &arrays, &objects, &mapped_nest, &ignored_nest}) {
    SCOPED_TRACE(body->substr(0, 40));
    FaultRule rule;
    rule.path_prefix = timeline();
    rule.status = 200;
    rule.body = *body;
    rule.times = 1;
    h->emulator().AddFault(rule);
    if (body == &ignored_nest || (IsV2(GetParam()) && body == &objects)) {
      grpc::Status read = Timeline(*h);
      EXPECT_TRUE(read.ok()) << read.error_message();
    } else {
      ExpectMalformedUpstream(Timeline(*h), "UPSTREAM_MALFORMED_RESPONSE");
    }
  }
  EXPECT_TRUE(Timeline(*h).ok());
}

TEST_P(HostileUpstream, HugeUpstreamBodiesAreCutOffAtTheCap) {
  constexpr int64_t kCap = 1 << 20;
  auto h = StartPerch(GetParam(), kCap);
  ASSERT_NE(h, nullptr);
  // Valid JSON, just too much of it: 8 MiB of minimal tweets.
  FaultRule rule;
  rule.path_prefix = timeline();
  rule.status = 200;
  rule.body = PageOf(shape(), 8u * kCap);
  rule.times = 1;
  h->emulator().AddFault(rule);
  ExpectMalformedUpstream(Timeline(*h), "UPSTREAM_RESPONSE_TOO_LARGE");
  // Not retried: the same request would get the same body.
  EXPECT_EQ(h->emulator().RequestCount(timeline()), 1);

  // Big but under the cap: answered (or refused as malformed), never a
  // crash.
  rule.body = PageOf(shape(), kCap / 2);
  h->emulator().AddFault(rule);
  grpc::Status status = Timeline(*h);
  EXPECT_THAT(status, AnyOf(IsOk(), StatusIs(grpc::StatusCode::INTERNAL)));
  EXPECT_TRUE(Timeline(*h).ok());
}

// Connects to 127.0.0.1:port, writes `junk` (if any) and returns the socket.
int RawConnect(int port, absl::string_view junk) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  if (!junk.empty()) {
    (void)!::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
  }
  return fd;
}

TEST(HostileInput, AFloodOfConnectionsLeavesPerchServing) {
  auto h = StartPerch();
  ASSERT_NE(h, nullptr);
  const int port = h->server().port();
  // Bounded: 300 raw sockets (idle, junk, a truncated HTTP/2 preface) held
  // open at once, plus 50 real clients with a connection each, all while
  // ordinary calls go on.
  std::vector<int> sockets;
  const std::string junks[] = {"", "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                               "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00",
                               std::string(4096, '\xff')};
  for (int i = 0; i < 300; ++i) {
    const int fd = RawConnect(port, junks[i % 4]);
    if (fd >= 0) sockets.push_back(fd);
  }
  EXPECT_GE(sockets.size(), 250u);

  constexpr int kClients = 50;
  std::atomic<int> healthy{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      auto channel =
          OwnChannel(h->target(), grpc::InsecureChannelCredentials());
      if (HealthCheck(*channel).ok()) ++healthy;
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(healthy.load(), kClients);
  EXPECT_TRUE(Timeline(*h).ok());

  for (int fd : sockets) ::close(fd);
  // Connect-and-drop churn.
  for (int i = 0; i < 300; ++i) {
    const int fd = RawConnect(port, junks[i % 4]);
    if (fd >= 0) ::close(fd);
  }
  EXPECT_TRUE(HealthCheck(*h->channel()).ok());
  EXPECT_TRUE(Timeline(*h).ok());
}

}  // namespace
}  // namespace perch::testing
