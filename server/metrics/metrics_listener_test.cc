#include "server/metrics/metrics_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace perch::metrics {
namespace {

using ::perch::testing::StatusIs;

// One HTTP/1.0 exchange on loopback: the whole response, "" if the
// connection failed. Bounded by a receive timeout.
std::string Exchange(int port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{.tv_sec = 30, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) ==
          0 &&
      write(fd, request.data(), request.size()) ==
          static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    for (ssize_t n; (n = read(fd, buffer, sizeof(buffer))) > 0;) {
      response.append(buffer, n);
    }
  }
  close(fd);
  return response;
}

std::string Get(int port, const std::string& path) {
  return Exchange(
      port, absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: localhost\r\n\r\n"));
}

TEST(MetricsListener, ServesRenderOnGetMetricsWithTheTextContentType) {
  std::atomic<int> scrapes{0};
  auto listener = MetricsListener::Start("127.0.0.1:0", [&] {
    return absl::StrCat("# scrape ", ++scrapes, "\nup 1\n");
  });
  ASSERT_TRUE(listener.ok()) << listener.status();
  const int port = (*listener)->port();
  ASSERT_GT(port, 0);
  const std::string first = Get(port, "/metrics");
  EXPECT_TRUE(absl::StartsWith(first, "HTTP/1.0 200") ||
              absl::StartsWith(first, "HTTP/1.1 200"))
      << first;
  EXPECT_TRUE(absl::StrContains(
      first, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
      << first;
  EXPECT_TRUE(absl::EndsWith(first, "\r\n\r\n# scrape 1\nup 1\n")) << first;
  // Each scrape renders afresh.
  EXPECT_TRUE(absl::EndsWith(Get(port, "/metrics"), "# scrape 2\nup 1\n"));
}

TEST(MetricsListener, AnswersOnlyGetMetrics) {
  int renders = 0;
  auto listener = MetricsListener::Start("127.0.0.1:0", [&] {
    ++renders;
    return std::string("up 1\n");
  });
  ASSERT_TRUE(listener.ok()) << listener.status();
  const int port = (*listener)->port();
  EXPECT_TRUE(absl::StrContains(Get(port, "/"), " 404 "));
  EXPECT_TRUE(absl::StrContains(Get(port, "/metrics/x"), " 404 "));
  EXPECT_TRUE(absl::StrContains(Get(port, "/metric"), " 404 "));
  const std::string post =
      Exchange(port, "POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(absl::StrContains(post, " 405 ")) << post;
  EXPECT_EQ(renders, 0);
  // A query string does not change the path.
  EXPECT_TRUE(absl::StrContains(Get(port, "/metrics?x=1"), " 200 "));
  EXPECT_EQ(renders, 1);
}

TEST(MetricsListener, RefusesBadAddressesAndTakenPorts) {
  auto render = [] { return std::string(); };
  EXPECT_THAT(MetricsListener::Start("nonsense", render).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MetricsListener::Start("127.0.0.1:99999", render).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  auto first = MetricsListener::Start("127.0.0.1:0", render);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(MetricsListener::Start(
                  absl::StrCat("127.0.0.1:", (*first)->port()), render)
                  .status(),
              StatusIs(absl::StatusCode::kUnavailable));
}

// Destroyed at once, before its thread has run the loop, and destroyed
// after serving: both return (the test's timeout would catch a hang), and
// the port is free again.
TEST(MetricsListener, StopsCleanly) {
  for (int i = 0; i < 20; ++i) {
    auto listener =
        MetricsListener::Start("127.0.0.1:0", [] { return std::string(); });
    ASSERT_TRUE(listener.ok()) << listener.status();
  }
  auto listener =
      MetricsListener::Start("127.0.0.1:0", [] { return std::string("x\n"); });
  ASSERT_TRUE(listener.ok());
  const int port = (*listener)->port();
  EXPECT_TRUE(absl::StrContains(Get(port, "/metrics"), " 200 "));
  listener->reset();
  EXPECT_EQ(Get(port, "/metrics"), "");  // refused
  EXPECT_TRUE(MetricsListener::Start(absl::StrCat("127.0.0.1:", port), [] {
                return std::string();
              }).ok());
}

}  // namespace
}  // namespace perch::metrics
