// The transport's cap on upstream response bodies
// (CurlMultiTransport::Options::max_response_bytes): a body over the cap
// fails with INTERNAL / UPSTREAM_RESPONSE_TOO_LARGE whether the server
// announces its length, streams it without one, or compresses it (a
// decompression bomb is counted after decompression).
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "server/http/curl_multi_transport.h"
#include "tests/testing/scripted_http_server.h"
#include "tests/testing/status_matchers.h"

namespace perch::testing {
namespace {

constexpr int64_t kCap = 64 * 1024;

absl::StatusOr<http::HttpResponse> Get(http::HttpTransport& transport,
                                       const std::string& url) {
  http::HttpRequest request;
  request.url = url;
  request.deadline = absl::Now() + absl::Seconds(10);
  absl::Notification done;
  absl::StatusOr<http::HttpResponse> result;
  transport.Send(std::move(request), [&](absl::StatusOr<http::HttpResponse> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

void ExpectTooLarge(const absl::StatusOr<http::HttpResponse>& r) {
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status(), StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(ErrorReason(r.status()), "UPSTREAM_RESPONSE_TOO_LARGE");
}

TEST(UpstreamBodyCap, BodiesOverTheCapFailHoweverTheyArrive) {
  auto server = ScriptedHttpServer::Start([](const ReceivedRequest& r) {
    if (r.target == "/fits") return ScriptedReply::Ok(std::string(kCap, 'a'));
    if (r.target == "/announced") {
      return ScriptedReply::Ok(std::string(kCap + 1, 'a'));
    }
    if (r.target == "/gzip") {
      // A few KiB on the wire, 8 MiB once inflated.
      ScriptedReply reply = ScriptedReply::Ok(std::string(8 << 20, '0'));
      reply.gzip = true;
      return reply;
    }
    // Chunked: no length announced, so only the running count can stop it.
    std::string raw =
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n"
        "connection: close\r\n\r\n";
    const std::string chunk(16 * 1024, 'c');
    for (int i = 0; i < 16; ++i) {
      absl::StrAppend(&raw, "4000\r\n", chunk, "\r\n");
    }
    raw += "0\r\n\r\n";
    return ScriptedReply::Raw(raw);
  });
  ASSERT_TRUE(server.ok()) << server.status();
  http::CurlMultiTransport::Options options;
  options.max_response_bytes = kCap;
  auto transport = http::MakeCurlMultiTransport(options);
  ASSERT_TRUE(transport.ok()) << transport.status();

  auto fits = Get(**transport, (*server)->Url("/fits"));
  ASSERT_TRUE(fits.ok()) << fits.status();
  EXPECT_EQ(fits->body.size(), static_cast<size_t>(kCap));
  ExpectTooLarge(Get(**transport, (*server)->Url("/announced")));
  ExpectTooLarge(Get(**transport, (*server)->Url("/gzip")));
  ExpectTooLarge(Get(**transport, (*server)->Url("/chunked")));
}

TEST(UpstreamBodyCap, ZeroMeansUnlimitedAndNegativeIsRefused) {
  auto server = ScriptedHttpServer::Start([](const ReceivedRequest&) {
    return ScriptedReply::Ok(std::string(4 << 20, 'b'));
  });
  ASSERT_TRUE(server.ok());
  auto transport = http::MakeCurlMultiTransport({});
  ASSERT_TRUE(transport.ok());
  auto big = Get(**transport, (*server)->Url("/"));
  ASSERT_TRUE(big.ok()) << big.status();
  EXPECT_EQ(big->body.size(), 4u << 20);
  http::CurlMultiTransport::Options negative;
  negative.max_response_bytes = -1;
  EXPECT_FALSE(http::MakeCurlMultiTransport(negative).ok());
}

}  // namespace
}  // namespace perch::testing
