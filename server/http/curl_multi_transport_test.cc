#include "server/http/curl_multi_transport.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "server/http/testing/send_outcome.h"
#include "tests/testing/child_process.h"
#include "tests/testing/scripted_http_server.h"
#include "tests/testing/status_matchers.h"

namespace perch::http {
namespace {

using ::perch::testing::ReceivedRequest;
using ::perch::testing::ScriptedHttpServer;
using ::perch::testing::ScriptedReply;
using ::perch::testing::StatusIs;

using ::perch::http::testing::CurlCode;
using ::perch::http::testing::Get;
using ::perch::http::testing::kWait;
using ::perch::http::testing::Outcome;
using ::perch::http::testing::Record;
using ::perch::http::testing::SendRecorded;

// Far beyond kWait: a request stuck behind it could not pass for fast.
constexpr absl::Duration kServerStall = absl::Seconds(600);

class CurlMultiTransportTest : public ::testing::Test {
 protected:
  void StartServer(ScriptedHttpServer::Handler handler,
                   ScriptedHttpServer::Options options = {}) {
    auto server = ScriptedHttpServer::Start(std::move(handler), options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // A server that holds /slow past any test's patience (kServerStall) and
  // answers every other target with `body`.
  void StartStallingServer(std::string body = "fast") {
    StartServer([body](const ReceivedRequest& request) {
      if (request.target == "/slow")
        return ScriptedReply::Delayed(kServerStall);
      return ScriptedReply::Ok(body);
    });
  }

  void StartTransport(CurlMultiTransport::Options options = {}) {
    auto transport = MakeCurlMultiTransport(std::move(options));
    ASSERT_TRUE(transport.ok()) << transport.status();
    transport_ = *std::move(transport);
  }

  // A stalling server and a transport with `options`, which allow one
  // request at a time (one connection, or one transfer): /slow takes that
  // one and the server holds it, so the next request has to queue.
  void OccupyTheOnlySlot(CurlMultiTransport::Options options,
                         std::shared_ptr<Outcome>& slow,
                         HttpTransport::RequestId* slow_id = nullptr) {
    StartStallingServer();
    StartTransport(std::move(options));
    slow = Send(Get(server_->Url("/slow")), slow_id);
    ASSERT_TRUE(server_->WaitForRequests(1, kWait));
  }

  std::shared_ptr<Outcome> Send(HttpRequest request,
                                HttpTransport::RequestId* id = nullptr) {
    return SendRecorded(*transport_, std::move(request), id);
  }

  // Sends `count` GETs one after another to a server that answers each with
  // its own target: every answer arrives, all over one connection.
  void ExpectSequentialRequestsShareOneConnection(int count) {
    for (int i = 0; i < count; ++i) {
      auto outcome = Send(Get(server_->Url(absl::StrCat("/", i))));
      ASSERT_TRUE(outcome->Wait());
      ASSERT_TRUE(outcome->result.ok()) << outcome->result.status();
      EXPECT_EQ(outcome->result->body, absl::StrCat("/", i));
    }
    EXPECT_EQ(server_->connections_accepted(), 1);
  }

  // To a server that holds /slow: while /slow waits, /fast is answered with
  // `fast_body` at once. HTTP/1.1 cannot multiplex, so it takes a second
  // connection, opened now.
  void ExpectStalledRequestDoesNotHoldUpOthers(absl::string_view fast_body) {
    auto slow = Send(Get(server_->Url("/slow")));
    ASSERT_TRUE(server_->WaitForRequests(1, kWait));
    auto fast = Send(Get(server_->Url("/fast")));

    ASSERT_TRUE(fast->Wait());
    ASSERT_TRUE(fast->result.ok()) << fast->result.status();
    EXPECT_EQ(fast->result->body, fast_body);
    EXPECT_EQ(server_->connections_accepted(), 2);
    EXPECT_FALSE(slow->done.HasBeenNotified());
  }

  // Declared first so it outlives the transport: the transport's destructor
  // may still talk to it.
  std::unique_ptr<ScriptedHttpServer> server_;
  std::unique_ptr<CurlMultiTransport> transport_;
};

TEST_F(CurlMultiTransportTest, GetCarriesPathAndHeadersAndReturnsResponse) {
  StartServer([](const ReceivedRequest&) {
    ScriptedReply reply = ScriptedReply::Ok(R"({"id_str":"12"})");
    reply.headers = {{"X-Rate-Limit-Remaining", "7"},
                     {"Content-Type", "application/json"}};
    return reply;
  });
  StartTransport();
  HttpRequest request = Get(server_->Url("/1.1/users/show.json?screen_name=a"));
  request.headers = {{"Authorization", "Bearer t0k3n"}, {"X-Empty", ""}};
  auto outcome = Send(std::move(request));

  ASSERT_TRUE(outcome->Wait());
  ASSERT_TRUE(outcome->result.ok()) << outcome->result.status();
  EXPECT_EQ(outcome->result->status, 200);
  EXPECT_EQ(outcome->result->body, R"({"id_str":"12"})");
  EXPECT_EQ(outcome->result->Header("x-rate-limit-remaining"),
            absl::string_view("7"));
  EXPECT_EQ(outcome->result->Header("content-type"),
            absl::string_view("application/json"));
  EXPECT_NE(outcome->thread, std::this_thread::get_id());

  auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/1.1/users/show.json?screen_name=a");
  EXPECT_EQ(requests[0].Header("authorization"), "Bearer t0k3n");
  EXPECT_EQ(requests[0].Header("x-empty"), "");
  EXPECT_EQ(requests[0].Header("user-agent"), "perch/0.1");
  EXPECT_TRUE(absl::StrContains(
      requests[0].Header("accept-encoding").value_or(""), "gzip"));
  EXPECT_EQ(requests[0].body, "");
}

// 64 KiB arrives in 16 KiB pieces: grown piece by piece it would fill its
// buffer exactly, leaving a JSON parser nothing to read past the end.
TEST_F(CurlMultiTransportTest, AnnouncedBodyKeepsParserSpareCapacity) {
  const std::string body(64 * 1024, 'x');
  StartServer(
      [&body](const ReceivedRequest&) { return ScriptedReply::Ok(body); });
  StartTransport();
  auto outcome = Send(Get(server_->Url("/big")));

  ASSERT_TRUE(outcome->Wait());
  ASSERT_TRUE(outcome->result.ok()) << outcome->result.status();
  EXPECT_EQ(outcome->result->body, body);
  EXPECT_GE(outcome->result->body.capacity(),
            body.size() + kResponseBodySpareBytes);
}

TEST_F(CurlMultiTransportTest, PostSendsBodyAndHeaders) {
  StartServer([](const ReceivedRequest&) {
    return ScriptedReply::Ok(R"({"token_type":"bearer"})");
  });
  StartTransport();
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.url = server_->Url("/oauth2/token");
  request.headers = {
      {"Content-Type", "application/x-www-form-urlencoded;charset=UTF-8"}};
  request.body = "grant_type=client_credentials";
  auto outcome = Send(std::move(request));

  ASSERT_TRUE(outcome->Wait());
  ASSERT_TRUE(outcome->result.ok()) << outcome->result.status();
  EXPECT_EQ(outcome->result->body, R"({"token_type":"bearer"})");
  auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/oauth2/token");
  EXPECT_EQ(requests[0].body, "grant_type=client_credentials");
  EXPECT_EQ(requests[0].Header("content-type"),
            "application/x-www-form-urlencoded;charset=UTF-8");
}

TEST_F(CurlMultiTransportTest, LargePostBodyArrivesWhole) {
  StartServer([](const ReceivedRequest&) { return ScriptedReply::Ok("ok"); });
  StartTransport();
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.url = server_->Url("/big");
  request.body = std::string(3 << 20, 'x');  // Past libcurl's Expect threshold.
  auto outcome = Send(request);

  ASSERT_TRUE(outcome->Wait());
  ASSERT_TRUE(outcome->result.ok()) << outcome->result.status();
  auto requests = server_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].body, request.body);
}

TEST_F(CurlMultiTransportTest, HttpErrorStatusesAreOkOutcomes) {
  StartServer([](const ReceivedRequest& request) {
    if (request.target == "/missing") {
      return ScriptedReply::Status(404, R"({"errors":[{"code":34}]})");
    }
    return ScriptedReply::Status(503, "over capacity");
  });
  StartTransport();
  auto missing = Send(Get(server_->Url("/missing")));
  auto busy = Send(Get(server_->Url("/busy")));

  ASSERT_TRUE(missing->Wait());
  ASSERT_TRUE(busy->Wait());
  ASSERT_TRUE(missing->result.ok()) << missing->result.status();
  EXPECT_EQ(missing->result->status, 404);
  EXPECT_EQ(missing->result->body, R"({"errors":[{"code":34}]})");
  ASSERT_TRUE(busy->result.ok()) << busy->result.status();
  EXPECT_EQ(busy->result->status, 503);
  EXPECT_EQ(busy->result->body, "over capacity");
}

TEST_F(CurlMultiTransportTest, ConnectionRefusedIsUnavailable) {
  // A bound socket that never listens: connecting to it is refused, and no
  // other process can take the port meanwhile.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  StartTransport();
  auto outcome =
      Send(Get(absl::StrCat("http://127.0.0.1:", ntohs(addr.sin_port), "/")));

  ASSERT_TRUE(outcome->Wait());
  ::close(fd);
  EXPECT_THAT(outcome->result.status(),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(ErrorReason(outcome->result.status()), "UPSTREAM_UNAVAILABLE");
  EXPECT_EQ(CurlCode(outcome->result.status()), "7");
  EXPECT_TRUE(absl::StrContains(outcome->result.status().message(),
                                "connection refused"));
}

TEST_F(CurlMultiTransportTest, DroppedConnectionIsUnavailableWithoutSecrets) {
  StartServer([](const ReceivedRequest&) {
    return ScriptedReply::CloseWithoutAnswer();
  });
  StartTransport();
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.url = server_->Url("/oauth2/token");
  request.headers = {{"Authorization", "Basic c2VjcmV0LWhlYWRlcg=="}};
  request.body = "secret-body";
  auto outcome = Send(std::move(request));

  ASSERT_TRUE(outcome->Wait());
  const absl::Status& status = outcome->result.status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(ErrorReason(status), "UPSTREAM_UNAVAILABLE");
  EXPECT_FALSE(absl::StrContains(status.message(), "c2VjcmV0"));
  EXPECT_FALSE(absl::StrContains(status.message(), "secret-body"));
}

TEST_F(CurlMultiTransportTest, MalformedResponsesAreUnavailable) {
  StartServer([](const ReceivedRequest& request) {
    if (request.target == "/not-http") {
      return ScriptedReply::Raw("this is not HTTP at all\r\n\r\n");
    }
    if (request.target == "/bad-status") {
      return ScriptedReply::Raw("HTTP/1.1 2x0 Nope\r\n\r\n");
    }
    return ScriptedReply::Raw(
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ntruncated");
  });
  StartTransport();
  for (const char* path : {"/not-http", "/bad-status", "/truncated"}) {
    auto outcome = Send(Get(server_->Url(path)));
    ASSERT_TRUE(outcome->Wait()) << path;
    EXPECT_THAT(outcome->result.status(),
                StatusIs(absl::StatusCode::kUnavailable))
        << path;
  }
}

TEST_F(CurlMultiTransportTest, DeadlineShorterThanServerDelayExceeds) {
  StartServer([](const ReceivedRequest&) {
    return ScriptedReply::Delayed(kServerStall, "late");
  });
  StartTransport();
  HttpRequest request = Get(server_->Url("/slow"));
  request.deadline = absl::Now() + absl::Milliseconds(300);
  const absl::Time start = absl::Now();
  auto outcome = Send(std::move(request));

  ASSERT_TRUE(outcome->Wait());
  EXPECT_THAT(outcome->result.status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(ErrorReason(outcome->result.status()), "DEADLINE_EXCEEDED");
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(250));
}

TEST_F(CurlMultiTransportTest, PastDeadlineFailsWithoutConnecting) {
  StartServer([](const ReceivedRequest&) { return ScriptedReply::Ok("x"); });
  StartTransport();
  HttpRequest request = Get(server_->Url("/"));
  request.deadline = absl::Now() - absl::Seconds(1);
  auto outcome = Send(std::move(request));

  ASSERT_TRUE(outcome->Wait());
  EXPECT_THAT(outcome->result.status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_NE(outcome->thread, std::this_thread::get_id());
  EXPECT_EQ(server_->connections_accepted(), 0);
}

TEST_F(CurlMultiTransportTest, DeadlineAppliesWhileQueuedForAConnection) {
  CurlMultiTransport::Options options;
  options.max_host_connections = 1;
  std::shared_ptr<Outcome> slow;
  ASSERT_NO_FATAL_FAILURE(OccupyTheOnlySlot(options, slow));
  // The only connection is busy: this one waits in libcurl's queue.
  HttpRequest queued = Get(server_->Url("/fast"));
  queued.deadline = absl::Now() + absl::Milliseconds(300);
  auto outcome = Send(std::move(queued));

  ASSERT_TRUE(outcome->Wait());
  EXPECT_THAT(outcome->result.status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_FALSE(slow->done.HasBeenNotified());
}

TEST_F(CurlMultiTransportTest, CancelEndsRequestWithoutWaitingForServer) {
  StartStallingServer("fine");
  StartTransport();
  HttpTransport::RequestId id = 0;
  auto outcome = Send(Get(server_->Url("/slow")), &id);
  ASSERT_TRUE(server_->WaitForRequests(1, kWait));
  transport_->Cancel(id);

  ASSERT_TRUE(outcome->Wait());
  EXPECT_THAT(outcome->result.status(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(ErrorReason(outcome->result.status()), "CANCELLED");

  // Finished and unknown ids are ignored, and the transport keeps working.
  transport_->Cancel(id);
  transport_->Cancel(id + 1000);
  auto next = Send(Get(server_->Url("/fast")));
  ASSERT_TRUE(next->Wait());
  ASSERT_TRUE(next->result.ok()) << next->result.status();
  EXPECT_EQ(next->result->body, "fine");
  EXPECT_EQ(outcome->calls.load(), 1);
}

TEST_F(CurlMultiTransportTest, DestructorCancelsEveryPendingRequest) {
  StartServer([](const ReceivedRequest&) {
    return ScriptedReply::Delayed(kServerStall);
  });
  StartTransport();
  std::vector<std::shared_ptr<Outcome>> outcomes;
  for (int i = 0; i < 5; ++i) outcomes.push_back(Send(Get(server_->Url("/"))));
  ASSERT_TRUE(server_->WaitForRequests(5, kWait));
  // A callback that sends again while the transport shuts down: the new
  // request must be answered too (with CANCELLED).
  auto follow_up = std::make_shared<Outcome>();
  auto first = std::make_shared<Outcome>();
  // Raw pointer: unique_ptr::reset() nulls transport_ before deleting.
  HttpTransport* transport = transport_.get();
  const std::string again = server_->Url("/again");
  transport_->Send(Get(server_->Url("/")), [transport, again, first, follow_up](
                                               absl::StatusOr<HttpResponse> r) {
    transport->Send(Get(again), Record(follow_up));
    Record(first)(std::move(r));
  });
  outcomes.push_back(first);
  // Some of these have likely not even reached the I/O thread yet.
  for (int i = 0; i < 3; ++i) outcomes.push_back(Send(Get(server_->Url("/"))));
  outcomes.push_back(follow_up);

  transport_.reset();

  for (const auto& outcome : outcomes) {
    ASSERT_TRUE(outcome->done.HasBeenNotified());
    EXPECT_THAT(outcome->result.status(),
                StatusIs(absl::StatusCode::kCancelled));
    EXPECT_EQ(outcome->calls.load(), 1);
  }
}

TEST_F(CurlMultiTransportTest, StalledRequestDoesNotHoldUpOthers) {
  StartStallingServer();
  StartTransport();
  ExpectStalledRequestDoesNotHoldUpOthers("fast");
}

TEST_F(CurlMultiTransportTest, SequentialRequestsReuseOneConnection) {
  StartServer([](const ReceivedRequest& request) {
    return ScriptedReply::Ok(request.target);
  });
  StartTransport();
  ExpectSequentialRequestsShareOneConnection(5);
}

TEST_F(CurlMultiTransportTest, ManyConcurrentRequestsAllComplete) {
  StartServer([](const ReceivedRequest& request) {
    return ScriptedReply::Ok(request.target);
  });
  // 500 client plus 500 server sockets: more than a default soft limit.
  rlimit files;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &files), 0);
  files.rlim_cur =
      std::max<rlim_t>(files.rlim_cur, std::min<rlim_t>(files.rlim_max, 4096));
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &files), 0);
  StartTransport();
  constexpr int kRequests = 500;
  std::vector<std::shared_ptr<Outcome>> outcomes;
  for (int i = 0; i < kRequests; ++i) {
    outcomes.push_back(Send(Get(server_->Url(absl::StrCat("/r/", i)))));
  }
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(outcomes[i]->Wait()) << i;
    ASSERT_TRUE(outcomes[i]->result.ok()) << outcomes[i]->result.status();
    EXPECT_EQ(outcomes[i]->result->body, absl::StrCat("/r/", i));
  }
}

TEST_F(CurlMultiTransportTest, MaxHostConnectionsCapsConnections) {
  StartServer([](const ReceivedRequest& request) {
    return ScriptedReply::Ok(request.target);
  });
  CurlMultiTransport::Options options;
  options.max_host_connections = 4;
  StartTransport(options);
  std::vector<std::shared_ptr<Outcome>> outcomes;
  for (int i = 0; i < 100; ++i) {
    outcomes.push_back(Send(Get(server_->Url(absl::StrCat("/", i)))));
  }
  for (const auto& outcome : outcomes) {
    ASSERT_TRUE(outcome->Wait());
    ASSERT_TRUE(outcome->result.ok()) << outcome->result.status();
  }
  EXPECT_LE(server_->connections_accepted(), 4);
}

TEST_F(CurlMultiTransportTest, MaxActiveTransfersQueuesTheRestInOrder) {
  StartServer([](const ReceivedRequest& request) {
    return ScriptedReply::Ok(request.target);
  });
  CurlMultiTransport::Options options;
  options.max_active_transfers = 1;  // and no connection cap in libcurl
  StartTransport(options);
  std::vector<std::shared_ptr<Outcome>> outcomes;
  std::vector<std::string> sent;
  for (int i = 0; i < 40; ++i) {
    sent.push_back(absl::StrCat("/", i));
    outcomes.push_back(Send(Get(server_->Url(sent.back()))));
  }
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(outcomes[i]->Wait()) << i;
    ASSERT_TRUE(outcomes[i]->result.ok()) << outcomes[i]->result.status();
    EXPECT_EQ(outcomes[i]->result->body, sent[i]);
  }
  // One at a time, first in first out, so one connection carried them all.
  std::vector<std::string> seen;
  for (const ReceivedRequest& r : server_->requests()) seen.push_back(r.target);
  EXPECT_EQ(seen, sent);
  EXPECT_EQ(server_->connections_accepted(), 1);
}

TEST_F(CurlMultiTransportTest, QueuedRequestsExpireCancelAndShutDown) {
  CurlMultiTransport::Options options;
  options.max_active_transfers = 1;
  std::shared_ptr<Outcome> slow;
  HttpTransport::RequestId slow_id = 0;
  ASSERT_NO_FATAL_FAILURE(OccupyTheOnlySlot(options, slow, &slow_id));

  // The one slot is taken: these wait in the transport's queue.
  HttpRequest expiring = Get(server_->Url("/expiring"));
  expiring.deadline = absl::Now() + absl::Milliseconds(300);
  auto expired = Send(std::move(expiring));
  HttpTransport::RequestId cancelled_id = 0;
  auto cancelled = Send(Get(server_->Url("/cancelled")), &cancelled_id);
  auto left = Send(Get(server_->Url("/left")));
  transport_->Cancel(cancelled_id);

  ASSERT_TRUE(expired->Wait());
  EXPECT_THAT(expired->result.status(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  ASSERT_TRUE(cancelled->Wait());
  EXPECT_THAT(cancelled->result.status(),
              StatusIs(absl::StatusCode::kCancelled));
  EXPECT_FALSE(left->done.HasBeenNotified());

  // Freeing the slot launches the next one still waiting, and only that.
  transport_->Cancel(slow_id);
  ASSERT_TRUE(slow->Wait());
  ASSERT_TRUE(left->Wait());
  ASSERT_TRUE(left->result.ok()) << left->result.status();
  std::vector<std::string> targets;
  for (const ReceivedRequest& r : server_->requests()) {
    targets.push_back(r.target);
  }
  EXPECT_EQ(targets, (std::vector<std::string>{"/slow", "/left"}));

  // Shutting down answers what is still queued.
  auto busy = Send(Get(server_->Url("/slow")));
  ASSERT_TRUE(server_->WaitForRequests(3, kWait));
  auto queued = Send(Get(server_->Url("/queued")));
  transport_.reset();
  ASSERT_TRUE(busy->done.HasBeenNotified());
  ASSERT_TRUE(queued->done.HasBeenNotified());
  EXPECT_THAT(queued->result.status(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(queued->calls.load(), 1);
}

TEST_F(CurlMultiTransportTest, GzipBodyIsDecoded) {
  const std::string body(10000, 'z');
  StartServer([&body](const ReceivedRequest&) {
    ScriptedReply reply = ScriptedReply::Ok(body);
    reply.gzip = true;
    return reply;
  });
  StartTransport();
  auto outcome = Send(Get(server_->Url("/")));

  ASSERT_TRUE(outcome->Wait());
  ASSERT_TRUE(outcome->result.ok()) << outcome->result.status();
  EXPECT_EQ(outcome->result->body, body);
  EXPECT_EQ(outcome->result->Header("content-encoding"),
            absl::string_view("gzip"));
}

TEST_F(CurlMultiTransportTest, OnlyFinalResponseHeadersAreReturned) {
  StartServer([](const ReceivedRequest&) {
    ScriptedReply reply = ScriptedReply::Ok("done");
    reply.interim_continue = true;
    reply.headers = {{"X-Final", "yes"}};
    return reply;
  });
  StartTransport();
  auto outcome = Send(Get(server_->Url("/")));

  ASSERT_TRUE(outcome->Wait());
  ASSERT_TRUE(outcome->result.ok()) << outcome->result.status();
  EXPECT_EQ(outcome->result->status, 200);
  EXPECT_EQ(outcome->result->Header("x-final"), absl::string_view("yes"));
  EXPECT_FALSE(outcome->result->Header("x-interim").has_value());
}

TEST_F(CurlMultiTransportTest, CallbackMaySendAnotherRequest) {
  StartServer([](const ReceivedRequest& request) {
    return ScriptedReply::Ok(request.target);
  });
  StartTransport();
  auto second = std::make_shared<Outcome>();
  auto first = std::make_shared<Outcome>();
  HttpTransport* transport = transport_.get();
  const std::string url = server_->Url("/second");
  transport_->Send(
      Get(server_->Url("/first")),
      [transport, url, first, second](absl::StatusOr<HttpResponse> r) {
        transport->Send(Get(url), Record(second));
        Record(first)(std::move(r));
      });

  ASSERT_TRUE(second->Wait());
  ASSERT_TRUE(first->result.ok()) << first->result.status();
  ASSERT_TRUE(second->result.ok()) << second->result.status();
  EXPECT_EQ(second->result->body, "/second");
}

TEST_F(CurlMultiTransportTest, UnexpressibleRequestsAreInternalWithoutIo) {
  StartServer([](const ReceivedRequest&) { return ScriptedReply::Ok("x"); });
  StartTransport();
  auto bad_scheme = Send(Get("ftp://127.0.0.1/file"));
  HttpRequest injected = Get(server_->Url("/"));
  injected.headers = {{"Authorization", "Bearer abc\r\nX-Evil: 1"}};
  auto bad_header = Send(std::move(injected));

  ASSERT_TRUE(bad_scheme->Wait());
  ASSERT_TRUE(bad_header->Wait());
  EXPECT_THAT(bad_scheme->result.status(),
              StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(bad_header->result.status(),
              StatusIs(absl::StatusCode::kInternal));
  EXPECT_FALSE(
      absl::StrContains(bad_header->result.status().message(), "Bearer"));
  EXPECT_EQ(server_->connections_accepted(), 0);
}

TEST(MakeCurlMultiTransport, UnreadableCaFileIsInvalidArgument) {
  CurlMultiTransport::Options options;
  options.ca_file = "/nonexistent/ca.pem";
  auto transport = MakeCurlMultiTransport(options);
  EXPECT_THAT(transport.status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

class CurlMultiTransportTlsTest : public CurlMultiTransportTest {
 protected:
  void SetUp() override {
    ScriptedHttpServer::Options tls;
    tls.cert_file = PERCH_TEST_CERT_DIR "/server.pem";
    tls.key_file = PERCH_TEST_CERT_DIR "/server.key";
    StartServer(
        [](const ReceivedRequest& request) {
          if (request.target == "/slow") {
            return ScriptedReply::Delayed(kServerStall);
          }
          return ScriptedReply::Ok(request.target);
        },
        tls);
  }
};

TEST_F(CurlMultiTransportTlsTest, TrustedPrivateCaWorksAndReusesConnection) {
  CurlMultiTransport::Options options;
  options.ca_file = PERCH_TEST_CERT_DIR "/ca.pem";
  StartTransport(options);
  ExpectSequentialRequestsShareOneConnection(3);
}

TEST_F(CurlMultiTransportTlsTest, StalledRequestDoesNotHoldUpOthers) {
  CurlMultiTransport::Options options;
  options.ca_file = PERCH_TEST_CERT_DIR "/ca.pem";
  StartTransport(options);
  // The server offers no ALPN, so HTTP/1.1, as in the plain test.
  ExpectStalledRequestDoesNotHoldUpOthers("/fast");
}

TEST_F(CurlMultiTransportTlsTest, UntrustedCertificateIsUnavailable) {
  CurlMultiTransport::Options options;
  options.ca_file = PERCH_TEST_CERT_DIR "/other_ca.pem";
  StartTransport(options);
  auto outcome = Send(Get(server_->Url("/")));

  ASSERT_TRUE(outcome->Wait());
  const absl::Status& status = outcome->result.status();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(ErrorReason(status), "UPSTREAM_UNAVAILABLE");
  EXPECT_TRUE(absl::StrContains(status.message(), "TLS certificate")) << status;
  EXPECT_TRUE(server_->requests().empty());
}

TEST_F(CurlMultiTransportTlsTest, SystemStoreDoesNotTrustTestCa) {
  StartTransport();
  auto outcome = Send(Get(server_->Url("/")));

  ASSERT_TRUE(outcome->Wait());
  EXPECT_THAT(outcome->result.status(),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_TRUE(server_->requests().empty());
}

// nghttpd (Debian's nghttp2-server) in a subprocess: the one HTTP/2 server at
// hand, since ScriptedHttpServer speaks HTTP/1.1 only. It serves files from a
// temporary directory over TLS with ALPN h2 and logs every frame, tagged with
// its connection ("[id=N]"), to a file.
class Http2Server {
 public:
  // Null when nghttpd is not installed.
  static std::unique_ptr<Http2Server> Start() {
    const char* binary = "/usr/sbin/nghttpd";
    if (::access(binary, X_OK) != 0) return nullptr;
    auto server = std::unique_ptr<Http2Server>(new Http2Server);
    char dir_template[] = "/tmp/perch-h2-XXXXXX";
    if (::mkdtemp(dir_template) == nullptr) return nullptr;
    server->dir_ = dir_template;
    std::ofstream(server->dir_ + "/hello.txt") << "hello over h2";
    server->log_ = server->dir_ + ".log";

    // Port 0: nghttpd binds an ephemeral port itself, so no other process can
    // take it between a choice and the bind. WaitUntilListening() reads which
    // one it got. It dies with the test process, so a crashed test leaves no
    // server behind.
    auto process = perch::testing::ChildProcess::Spawn(
        {.argv = {binary, "--verbose", "--address=127.0.0.1",
                  absl::StrCat("--htdocs=", server->dir_), "0",
                  PERCH_TEST_CERT_DIR "/server.key",
                  PERCH_TEST_CERT_DIR "/server.pem"},
         .output_path = server->log_,
         .die_with_parent = true});
    if (!process.ok()) {
      ADD_FAILURE() << process.status();
      return nullptr;
    }
    server->process_ = *std::move(process);
    return server;
  }

  ~Http2Server() {
    process_.reset();
    ::unlink((dir_ + "/hello.txt").c_str());
    ::rmdir(dir_.c_str());
    ::unlink(log_.c_str());
  }

  // Waits until nghttpd listens and learns its port: a condition with a
  // deadline, polled because the child offers nothing to block on. (Probing
  // the port instead would add connections to the count below; nghttpd's
  // log says only "listen 127.0.0.1:0".)
  bool WaitUntilListening() {
    const absl::Time deadline = absl::Now() + kWait;
    while (absl::Now() < deadline) {
      port_ = ListeningPort(process_->pid());
      if (port_ > 0) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  std::string Url(absl::string_view path) const {
    return absl::StrCat("https://127.0.0.1:", port_, path);
  }

  // Distinct connections nghttpd has logged so far.
  int Connections() const {
    const std::string log = process_->Output();
    std::set<std::string> ids;
    for (absl::string_view rest = log;;) {
      const size_t at = rest.find("[id=");
      if (at == absl::string_view::npos) break;
      rest.remove_prefix(at + 4);
      ids.emplace(rest.substr(0, rest.find(']')));
    }
    return static_cast<int>(ids.size());
  }

 private:
  Http2Server() = default;

  // The port of `pid`'s listening TCP socket on IPv4, or 0 if it has none
  // yet: its descriptors name socket inodes, /proc/net/tcp maps inodes to
  // local addresses ("0100007F:1F90") and states (0A is LISTEN).
  static int ListeningPort(pid_t pid) {
    std::set<std::string> inodes;
    const std::string fd_dir = absl::StrCat("/proc/", pid, "/fd");
    DIR* dir = ::opendir(fd_dir.c_str());
    if (dir == nullptr) return 0;
    while (const dirent* entry = ::readdir(dir)) {
      char target[64];
      const ssize_t n =
          ::readlink(absl::StrCat(fd_dir, "/", entry->d_name).c_str(), target,
                     sizeof(target));
      absl::string_view link(target, n > 0 ? n : 0);
      if (absl::ConsumePrefix(&link, "socket:[") &&
          absl::ConsumeSuffix(&link, "]")) {
        inodes.emplace(link);
      }
    }
    ::closedir(dir);
    std::ifstream tcp("/proc/net/tcp");
    std::string line;
    std::getline(tcp, line);  // the header
    while (std::getline(tcp, line)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout
      // inode ...
      const std::vector<absl::string_view> fields =
          absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (fields.size() < 10 || fields[3] != "0A" ||
          !inodes.contains(std::string(fields[9]))) {
        continue;
      }
      const size_t colon = fields[1].find(':');
      int port = 0;
      if (colon != absl::string_view::npos &&
          absl::SimpleHexAtoi(fields[1].substr(colon + 1), &port)) {
        return port;
      }
    }
    return 0;
  }

  std::unique_ptr<perch::testing::ChildProcess> process_;
  int port_ = 0;
  std::string dir_;
  std::string log_;
};

// A live nghttpd, skipped where it is not installed, and bursts of GETs to
// it over HTTP/2.
class CurlMultiTransportHttp2 : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = Http2Server::Start();
    if (server_ == nullptr) {
      GTEST_SKIP() << "nghttpd (Debian package nghttp2-server) not installed";
    }
    ASSERT_TRUE(server_->WaitUntilListening());
  }

  // Options for a transport that trusts the server's certificate.
  static CurlMultiTransport::Options TrustingOptions() {
    CurlMultiTransport::Options options;
    options.ca_file = PERCH_TEST_CERT_DIR "/ca.pem";
    return options;
  }

  // Sends `count` GETs of hello.txt at once and waits for every one: each
  // must be a 200 with the file.
  void SendBurst(const CurlMultiTransport::Options& options, int count) {
    auto transport = MakeCurlMultiTransport(options);
    ASSERT_TRUE(transport.ok()) << transport.status();
    std::vector<std::shared_ptr<Outcome>> outcomes;
    for (int i = 0; i < count; ++i) {
      auto outcome = std::make_shared<Outcome>();
      (*transport)->Send(Get(server_->Url("/hello.txt")), Record(outcome));
      outcomes.push_back(outcome);
    }
    for (const auto& outcome : outcomes) {
      ASSERT_TRUE(outcome->Wait());
      ASSERT_TRUE(outcome->result.ok()) << outcome->result.status();
      EXPECT_EQ(outcome->result->status, 200);
      EXPECT_EQ(outcome->result->body, "hello over h2");
    }
  }

  std::unique_ptr<Http2Server> server_;
};

TEST_F(CurlMultiTransportHttp2, ConcurrentRequestsMultiplexOnOneConnection) {
  ASSERT_NO_FATAL_FAILURE(SendBurst(TrustingOptions(), 50));
  // PIPEWAIT held the 49 others until ALPN said h2, then they shared it.
  EXPECT_EQ(server_->Connections(), 1);
}

// Past a connection's stream limit (nghttpd's is 100) libcurl 7.88 opens a
// new connection per waiting request: ~700 for this burst when uncapped.
// max_host_connections is what keeps a burst on a few connections, with the
// rest queued until a stream frees up.
TEST_F(CurlMultiTransportHttp2, HostConnectionCapBoundsABurst) {
  CurlMultiTransport::Options options = TrustingOptions();
  options.max_host_connections = 4;
  ASSERT_NO_FATAL_FAILURE(SendBurst(options, 1000));
  EXPECT_LE(server_->Connections(), 4);
}

}  // namespace
}  // namespace perch::http
