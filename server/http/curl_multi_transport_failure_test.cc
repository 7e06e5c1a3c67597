// CurlMultiTransport's failure paths, each against a peer that fails that
// way: HTTP/2 GOAWAY and RST_STREAM, TLS handshake failures, an unresolvable
// name, bodies cut short, connections that die before any answer, peers that
// never answer, and a cancel seen from the peer's side. Each pins the status curl_status.cc documents for its path
// (UPSTREAM.md §5: never UNKNOWN). Every peer is on 127.0.0.1.
#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "server/http/curl_multi_transport.h"
#include "server/http/testing/send_outcome.h"
#include "tests/testing/http2_test_peer.h"
#include "tests/testing/raw_tcp_peer.h"
#include "tests/testing/scripted_http_server.h"
#include "tests/testing/status_matchers.h"

namespace perch::http {
namespace {

using ::perch::http::testing::CurlCode;
using ::perch::http::testing::Get;
using ::perch::http::testing::kWait;
using ::perch::http::testing::Outcome;
using ::perch::http::testing::SendRecorded;
using ::perch::testing::Http2Response;
using ::perch::testing::Http2Script;
using ::perch::testing::Http2Step;
using ::perch::testing::Http2TestPeer;
using ::perch::testing::kH2Cancel;
using ::perch::testing::kH2InternalError;
using ::perch::testing::kH2NoError;
using ::perch::testing::kH2RefusedStream;
using ::perch::testing::RawTcpPeer;
using ::perch::testing::ReceivedRequest;
using ::perch::testing::ScriptedHttpServer;
using ::perch::testing::ScriptedReply;
using ::perch::testing::StatusIs;

// Short, so the tests stay quick; the peers that never answer would hold a
// request for ever without it.
constexpr absl::Duration kDeadline = absl::Milliseconds(300);

class CurlMultiTransportFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CurlMultiTransport::Options options;
    options.ca_file = PERCH_TEST_CERT_DIR "/ca.pem";
    auto transport = MakeCurlMultiTransport(options);
    ASSERT_TRUE(transport.ok()) << transport.status();
    transport_ = *std::move(transport);
  }

  std::shared_ptr<Outcome> Send(HttpRequest request,
                                HttpTransport::RequestId* id = nullptr) {
    return SendRecorded(*transport_, std::move(request), id);
  }

  // Sends a GET and waits for its outcome.
  absl::StatusOr<HttpResponse> Fetch(std::string url) {
    auto outcome = Send(Get(std::move(url)));
    if (!outcome->Wait()) {
      return absl::UnknownError("test: no callback within kWait");
    }
    return outcome->result;
  }

  std::unique_ptr<Http2TestPeer> StartHttp2(Http2TestPeer::Script script) {
    Http2TestPeer::Options tls;
    tls.cert_file = PERCH_TEST_CERT_DIR "/server.pem";
    tls.key_file = PERCH_TEST_CERT_DIR "/server.key";
    auto peer = Http2TestPeer::Start(std::move(script), tls);
    EXPECT_TRUE(peer.ok()) << peer.status();
    return peer.ok() ? *std::move(peer) : nullptr;
  }

  std::unique_ptr<RawTcpPeer> StartRaw(std::string greeting = "") {
    auto peer = RawTcpPeer::Start({std::move(greeting)});
    EXPECT_TRUE(peer.ok()) << peer.status();
    return peer.ok() ? *std::move(peer) : nullptr;
  }

  std::unique_ptr<CurlMultiTransport> transport_;
};

// The status of a failure the curl_status.cc table maps to UNAVAILABLE:
// `what` is the table's words for the CURLcode, so a missing row (which
// would fall through to the generic default) fails the test.
void ExpectUnavailable(const absl::StatusOr<HttpResponse>& result,
                       absl::string_view curl_code, absl::string_view what) {
  ASSERT_FALSE(result.ok())
      << "status " << result->status << " body " << result->body;
  const absl::Status& status = result.status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(ErrorReason(status), "UPSTREAM_UNAVAILABLE") << status;
  EXPECT_EQ(CurlCode(status), curl_code) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), what)) << status;
}

void ExpectBody(const absl::StatusOr<HttpResponse>& result,
                absl::string_view body) {
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, body);
}

// A script answering the first request with `first` and every later one
// with "next".
Http2TestPeer::Script FirstThenOk(Http2Script first) {
  return [first = std::move(first)](int index) {
    return index == 0 ? first : Http2Response(200, "next");
  };
}

bool ClientClosedAConnection(const Http2TestPeer::Events& e) {
  return e.closed_by_client > 0;
}

// True once `n` requests have reached the peer.
std::function<bool(const Http2TestPeer::Events&)> RequestsArrived(size_t n) {
  return [n](const Http2TestPeer::Events& e) { return e.requests.size() >= n; };
}

// --- HTTP/2 GOAWAY --------------------------------------------------------

// The server names this stream as processed, sends part of the body, then
// goes away: the response is lost, and libcurl must not retry it (the server
// may have acted on it). The next request opens a new connection.
TEST_F(CurlMultiTransportFailureTest, Http2GoawayMidStreamIsUnavailable) {
  for (std::optional<size_t> length :
       {std::optional<size_t>(100), std::optional<size_t>()}) {
    SCOPED_TRACE(length.has_value() ? "with content-length" : "without");
    auto peer = StartHttp2(FirstThenOk(
        {Http2Step::Headers(200, length), Http2Step::Data("partial", false),
         Http2Step::Goaway(kH2NoError, /*includes_stream=*/true),
         Http2Step::Close()}));

    ExpectUnavailable(Fetch(peer->Url("/cut")), "18",
                      "response body ended before its announced length");
    EXPECT_EQ(peer->events().connections, 1);
    ExpectBody(Fetch(peer->Url("/next")), "next");
    EXPECT_EQ(peer->events().connections, 2);
  }
}

// A GOAWAY whose last stream id is below this request's says the server
// never processed it. libcurl 7.88 fails it (it does not retry it on a new
// connection itself); UNAVAILABLE lets upstream/'s retry loop do that.
TEST_F(CurlMultiTransportFailureTest,
       Http2GoawayBeforeProcessingIsUnavailable) {
  auto peer = StartHttp2(
      FirstThenOk({Http2Step::Goaway(kH2NoError, /*includes_stream=*/false)}));

  ExpectUnavailable(Fetch(peer->Url("/refused")), "16",
                    "HTTP/2 connection failed");
  ExpectBody(Fetch(peer->Url("/next")), "next");
  EXPECT_EQ(peer->events().connections, 2);
}

// The graceful form (what servers do to rotate connections): the stream in
// flight still completes, and later requests go to a new connection rather
// than to the one going away.
TEST_F(CurlMultiTransportFailureTest, Http2GracefulGoawayFinishesTheStream) {
  Http2Script first = {Http2Step::Goaway(kH2NoError, /*includes_stream=*/true)};
  for (Http2Step& step : Http2Response(200, "last on this connection")) {
    first.push_back(std::move(step));
  }
  first.push_back(Http2Step::Close());
  auto peer = StartHttp2(FirstThenOk(std::move(first)));

  ExpectBody(Fetch(peer->Url("/first")), "last on this connection");
  ExpectBody(Fetch(peer->Url("/next")), "next");
  EXPECT_EQ(peer->events().connections, 2);
}

// --- HTTP/2 RST_STREAM ----------------------------------------------------

// A stream reset before or during its response fails that request only: the
// connection carries the next one.
TEST_F(CurlMultiTransportFailureTest, Http2RstStreamIsUnavailable) {
  const Http2Script scripts[] = {
      {Http2Step::Reset(kH2InternalError)},
      {Http2Step::Headers(200, 100), Http2Step::Data("partial", false),
       Http2Step::Reset(kH2InternalError)},
      {Http2Step::Headers(200, std::nullopt), Http2Step::Data("partial", false),
       Http2Step::Reset(kH2Cancel)},
  };
  for (const Http2Script& script : scripts) {
    SCOPED_TRACE(script.size());
    auto peer = StartHttp2(FirstThenOk(script));

    ExpectUnavailable(Fetch(peer->Url("/reset")), "92",
                      "HTTP/2 stream reset by the server");
    ExpectBody(Fetch(peer->Url("/next")), "next");
    EXPECT_EQ(peer->events().connections, 1);
  }
}

// REFUSED_STREAM guarantees the server did nothing: libcurl retries on a new
// connection, transparently.
TEST_F(CurlMultiTransportFailureTest, Http2RefusedStreamIsRetried) {
  auto peer = StartHttp2(FirstThenOk({Http2Step::Reset(kH2RefusedStream)}));

  ExpectBody(Fetch(peer->Url("/refused-once")), "next");
  EXPECT_EQ(peer->events().connections, 2);
}

// ... but not forever: a server refusing everything fails the request after
// a bounded number of attempts.
TEST_F(CurlMultiTransportFailureTest, Http2AlwaysRefusedGivesUp) {
  auto peer = StartHttp2(
      [](int) { return Http2Script{Http2Step::Reset(kH2RefusedStream)}; });

  ExpectUnavailable(Fetch(peer->Url("/refused")), "56",
                    "failed receiving the response");
  EXPECT_LE(peer->events().connections, 6);
}

// --- Bodies cut short -----------------------------------------------------

TEST_F(CurlMultiTransportFailureTest, Http1BodyCutShortIsUnavailable) {
  auto server = ScriptedHttpServer::Start([](const ReceivedRequest& request) {
    if (request.target == "/length") {
      return ScriptedReply::Raw(
          "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ntruncated");
    }
    // The last chunk never comes.
    return ScriptedReply::Raw(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "9\r\ntruncated\r\n");
  });
  ASSERT_TRUE(server.ok()) << server.status();
  for (const char* path : {"/length", "/chunked"}) {
    SCOPED_TRACE(path);
    ExpectUnavailable(Fetch((*server)->Url(path)), "18",
                      "response body ended before its announced length");
  }
}

// --- Connections that die before any answer ------------------------------

// A kept-alive connection is closed by the server when the next request
// arrives on it. libcurl then re-sends that request on another connection,
// unseen by the caller: a request with own_connection is sent on a new
// connection in the first place, so it reaches the server exactly once.
TEST_F(CurlMultiTransportFailureTest, OwnConnectionRequestIsNeverResent) {
  for (const bool own : {false, true}) {
    SCOPED_TRACE(own ? "own connection" : "pooled connection");
    std::atomic<int> posts{0};
    auto server = ScriptedHttpServer::Start([&](const ReceivedRequest& r) {
      if (r.method != "POST") return ScriptedReply::Ok("warm");
      // The first POST dies with its connection; any re-send is answered.
      return ++posts == 1 ? ScriptedReply::CloseWithoutAnswer()
                          : ScriptedReply::Ok("re-sent");
    });
    ASSERT_TRUE(server.ok()) << server.status();
    ExpectBody(Fetch((*server)->Url("/warm")), "warm");  // a pooled connection
    HttpRequest post;
    post.method = HttpMethod::kPost;
    post.url = (*server)->Url("/oauth2/token");
    post.body = "grant_type=client_credentials";
    post.deadline = absl::Now() + kWait;
    post.own_connection = own;
    auto outcome = Send(std::move(post));
    ASSERT_TRUE(outcome->Wait());
    if (own) {
      EXPECT_FALSE(outcome->result.ok());
      EXPECT_EQ(posts.load(), 1);
      EXPECT_EQ((*server)->connections_accepted(), 2);
    } else {
      // What libcurl does with a pooled connection (why the option exists).
      ExpectBody(outcome->result, "re-sent");
      EXPECT_EQ(posts.load(), 2);
    }
  }
}

TEST_F(CurlMultiTransportFailureTest, Http2BodyCutShortIsUnavailable) {
  // The connection closes mid-body.
  auto closed = StartHttp2(
      FirstThenOk({Http2Step::Headers(200, 100),
                   Http2Step::Data("partial", false), Http2Step::Close()}));
  ExpectUnavailable(Fetch(closed->Url("/closed")), "18",
                    "response body ended before its announced length");

  // The stream ends before the announced length: nghttp2 resets it.
  auto ended = StartHttp2(FirstThenOk(
      {Http2Step::Headers(200, 100), Http2Step::Data("short", true)}));
  ExpectUnavailable(Fetch(ended->Url("/ended")), "92",
                    "for a malformed response");
}

// --- TLS and DNS ----------------------------------------------------------

// (An untrusted certificate: CurlMultiTransportTlsTest in
// curl_multi_transport_test.cc.)
TEST_F(CurlMultiTransportFailureTest, TlsHandshakeWithNonTlsPeerIsUnavailable) {
  auto peer = StartRaw("HTTP/1.1 400 Bad Request\r\n\r\n");

  ExpectUnavailable(Fetch(peer->Url("https", "/")), "35",
                    "TLS handshake failed");
}

// The name must fail without a DNS query leaving the machine: .invalid
// alone is not enough (glibc asks the configured nameserver anyway). A label
// over 63 octets cannot be encoded in a DNS query at all, so the resolver
// fails before sending one; .invalid (RFC 6761) makes sure no resolver that
// accepted it could find it.
TEST_F(CurlMultiTransportFailureTest, UnresolvableNameIsUnavailable) {
  const std::string host = absl::StrCat(std::string(64, 'a'), ".invalid");

  ExpectUnavailable(Fetch(absl::StrCat("http://", host, "/")), "6",
                    "could not resolve host");
}

// --- Peers that never answer, and cancels --------------------------------

// The peer accepts and reads but never answers: neither the HTTP response
// (http) nor the TLS handshake (https). The request ends at its deadline,
// and the connection is closed, not left to the peer.
TEST_F(CurlMultiTransportFailureTest, SilentPeerEndsAtTheDeadline) {
  for (const char* scheme : {"http", "https"}) {
    SCOPED_TRACE(scheme);
    auto peer = StartRaw();
    HttpRequest request = Get(peer->Url(scheme, "/"));
    const absl::Time start = absl::Now();
    request.deadline = start + kDeadline;
    auto outcome = Send(std::move(request));

    ASSERT_TRUE(outcome->Wait());
    const absl::Status& status = outcome->result.status();
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kDeadlineExceeded));
    EXPECT_EQ(ErrorReason(status), "DEADLINE_EXCEEDED") << status;
    EXPECT_GE(absl::Now() - start, kDeadline);
    // The peer got the request (or ClientHello), then the connection closed.
    EXPECT_TRUE(peer->WaitFor(
        [](const RawTcpPeer::Events& e) {
          return e.bytes_received > 0 && e.closed_by_client == 1;
        },
        kWait));
  }
}

TEST_F(CurlMultiTransportFailureTest, Http2SilentStreamEndsAtTheDeadline) {
  auto peer = StartHttp2(FirstThenOk({}));
  HttpRequest request = Get(peer->Url("/silent"));
  request.deadline = absl::Now() + kDeadline;
  auto outcome = Send(std::move(request));

  ASSERT_TRUE(outcome->Wait());
  EXPECT_THAT(outcome->result.status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  // The only stream on its connection: the connection goes with it.
  EXPECT_TRUE(peer->WaitFor(&ClientClosedAConnection, kWait));
}

TEST_F(CurlMultiTransportFailureTest, CancelClosesTheHttp1Connection) {
  auto peer = StartRaw();
  HttpTransport::RequestId id = 0;
  auto outcome = Send(Get(peer->Url("http", "/")), &id);
  ASSERT_TRUE(peer->WaitFor(
      [](const RawTcpPeer::Events& e) { return e.bytes_received > 0; }, kWait));
  transport_->Cancel(id);

  ASSERT_TRUE(outcome->Wait());
  EXPECT_THAT(outcome->result.status(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_TRUE(peer->WaitFor(
      [](const RawTcpPeer::Events& e) { return e.closed_by_client == 1; },
      kWait));
}

TEST_F(CurlMultiTransportFailureTest, CancelEndsTheHttp2StreamUpstream) {
  auto peer = StartHttp2(FirstThenOk({}));
  HttpTransport::RequestId id = 0;
  auto outcome = Send(Get(peer->Url("/silent")), &id);
  ASSERT_TRUE(peer->WaitFor(RequestsArrived(1), kWait));
  transport_->Cancel(id);

  ASSERT_TRUE(outcome->Wait());
  EXPECT_THAT(outcome->result.status(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_TRUE(peer->WaitFor(&ClientClosedAConnection, kWait));
}

// A cancelled stream that shares its connection is reset, not the
// connection: the other stream completes on it.
TEST_F(CurlMultiTransportFailureTest, CancelResetsOnlyItsHttp2Stream) {
  auto peer = StartHttp2([](int index) {
    if (index == 0) return Http2Script{};  // the one to cancel
    Http2Script script = {Http2Step::Await()};
    for (Http2Step& step : Http2Response(200, "other")) {
      script.push_back(std::move(step));
    }
    return script;
  });
  HttpTransport::RequestId id = 0;
  auto cancelled = Send(Get(peer->Url("/cancelled")), &id);
  ASSERT_TRUE(peer->WaitFor(RequestsArrived(1), kWait));
  auto other = Send(Get(peer->Url("/other")));
  ASSERT_TRUE(peer->WaitFor(RequestsArrived(2), kWait));
  transport_->Cancel(id);
  ASSERT_TRUE(cancelled->Wait());
  EXPECT_THAT(cancelled->result.status(),
              StatusIs(absl::StatusCode::kCancelled));
  peer->Release();

  ASSERT_TRUE(other->Wait());
  ExpectBody(other->result, "other");
  const Http2TestPeer::StreamRef cancelled_stream = peer->events().requests[0];
  EXPECT_TRUE(peer->WaitFor(
      [&](const Http2TestPeer::Events& e) {
        return std::find(e.reset_by_client.begin(), e.reset_by_client.end(),
                         cancelled_stream) != e.reset_by_client.end();
      },
      kWait));
  EXPECT_EQ(peer->events().connections, 1);
  EXPECT_EQ(peer->events().closed_by_client, 0);
}

}  // namespace
}  // namespace perch::http
