// The perch-emulator binary as a child process: its start line, its clean
// exit on SIGTERM, and 10,000 concurrent keep-alive connections with 200 ms of
// injected latency each, served by one event-loop thread.
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "emulator/emulator_test_support.h"
#include "emulator/test_http_client.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"
#include "tests/testing/perch_process_lines.h"

namespace perch::emulator::testing {
namespace {

using ::perch::testing::ChildProcess;
using ::perch::testing::WaitForEmulatorUrl;

// A running perch-emulator with this process's environment; killed on
// destruction if still alive.
absl::StatusOr<std::unique_ptr<ChildProcess>> SpawnEmulator(
    std::vector<std::string> flags) {
  flags.insert(flags.begin(), PERCH_EMULATOR_BINARY);
  return ChildProcess::Spawn(
      {.argv = std::move(flags), .stop_grace = absl::ZeroDuration()});
}

int ThreadCount(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "Threads:")) {
      int n = -1;
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(8)), &n)) {
        return n;
      }
    }
  }
  return -1;
}

int OpenFileCount(pid_t pid) {
  std::error_code error;
  int n = 0;
  for (auto it = std::filesystem::directory_iterator(
           absl::StrCat("/proc/", pid, "/fd"), error);
       !error && it != std::filesystem::directory_iterator();
       it.increment(error)) {
    ++n;
  }
  return n;
}

void RaiseFileLimit() {
  rlimit limit;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  limit.rlim_cur = limit.rlim_max;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
}

int PortOf(const std::string& url) {
  int port = 0;
  std::string digits = url.substr(url.rfind(':') + 1);
  EXPECT_TRUE(absl::SimpleAtoi(digits, &port)) << url;
  return port;
}

// POSTs the spec's example app credentials to the token route of the
// emulator at `url`.
HttpResult PostToken(const std::string& url) {
  HttpCall call;
  call.method = "POST";
  call.url = absl::StrCat(url, "/oauth2/token");
  call.headers = {kSpecBasicHeader, kFormContentType};
  call.body = kClientCredentials;
  return Fetch(call);
}

TEST(EmulatorBinary, PrintsItsUrlAndExitsZeroOnSigterm) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      SpawnEmulator({"--listen=127.0.0.1:0"});
  ASSERT_TRUE(process.ok()) << process.status();
  const std::string url =
      WaitForEmulatorUrl(**process, absl::Seconds(10)).value_or("");
  ASSERT_TRUE(absl::StartsWith(url, "http://127.0.0.1:"))
      << (*process)->Output();

  HttpResult token = PostToken(url);
  EXPECT_EQ(token.status, 200);
  std::string access_token = JsonStringMember(token.body, "access_token");
  ASSERT_FALSE(access_token.empty());

  (*process)->Signal(SIGTERM);
  EXPECT_EQ((*process)->Wait(absl::Seconds(10)).value_or(-1), 0);
  const std::string output = (*process)->Output();
  EXPECT_FALSE(
      absl::StrContains(output, "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg"))
      << "the app secret reached stderr";
  EXPECT_FALSE(absl::StrContains(output, access_token))
      << "the token reached stderr";
}

TEST(EmulatorBinary, BadFlagExitsTwo) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      SpawnEmulator({"--no_such_flag=1"});
  ASSERT_TRUE(process.ok()) << process.status();
  EXPECT_EQ((*process)->Wait(absl::Seconds(10)).value_or(-1), 2);
  EXPECT_TRUE(absl::StrContains((*process)->Output(), "no_such_flag"));
}

// One client connection of the load test.
struct Connection {
  int fd = -1;
  bool sent = false;
  bool done = false;
  int status = 0;
  std::string in;
};

// True once `in` holds a whole response; sets `status`.
bool ParseResponse(const std::string& in, int* status) {
  size_t header_end = in.find("\r\n\r\n");
  if (header_end == std::string::npos) return false;
  absl::string_view head(in.data(), header_end);
  std::vector<absl::string_view> lines = absl::StrSplit(head, "\r\n");
  std::vector<absl::string_view> status_line = absl::StrSplit(lines[0], ' ');
  if (status_line.size() < 2 || !absl::SimpleAtoi(status_line[1], status)) {
    *status = -1;
    return true;
  }
  size_t length = 0;
  for (absl::string_view line : lines) {
    if (absl::StartsWithIgnoreCase(line, "content-length:")) {
      absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(15)), &length);
    }
  }
  return in.size() >= header_end + 4 + length;
}

TEST(EmulatorBinary, HoldsTenThousandConcurrentDelayedConnections) {
  constexpr int kConnections = 10000;
  constexpr int kMaxThreads = 4;
  const absl::Duration kBudget = absl::Seconds(120);
  RaiseFileLimit();

  absl::StatusOr<std::unique_ptr<ChildProcess>> spawned =
      SpawnEmulator({"--listen=127.0.0.1:0", "--fault_latency_ms=200"});
  ASSERT_TRUE(spawned.ok()) << spawned.status();
  ChildProcess& process = **spawned;
  const std::string url =
      WaitForEmulatorUrl(process, absl::Seconds(10)).value_or("");
  ASSERT_FALSE(url.empty()) << process.Output();
  int port = PortOf(url);

  // Lift the endpoint's 1,500-per-window limit, then get a token: every
  // request below should be a 200.
  HttpCall limits;
  limits.method = "POST";
  limits.url = absl::StrCat(url, "/_emulator/rate_limits");
  limits.body =
      absl::StrCat(R"({"path":")", kUserTimeline, R"(","limit":1000000})");
  ASSERT_EQ(Fetch(limits).status, 200);
  HttpResult token_result = PostToken(url);
  ASSERT_EQ(token_result.status, 200);
  EXPECT_GE(token_result.elapsed, absl::Milliseconds(180));  // latency is on
  std::string token = JsonStringMember(token_result.body, "access_token");
  const std::string request = absl::StrCat(
      "GET ", kUserTimeline,
      "?screen_name=perch_dev&count=1 HTTP/1.1\r\nHost: 127.0.0.1:", port,
      "\r\nAuthorization: Bearer ", token, "\r\n\r\n");

  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  ASSERT_GE(epoll_fd, 0);
  std::vector<Connection> connections(kConnections);
  int opened = 0, connected = 0, finished = 0, failed = 0;
  int max_in_flight = 0, max_threads = 0;
  absl::Time start = absl::Now();
  absl::Time deadline = start + kBudget;
  absl::Time next_sample = start;
  std::vector<epoll_event> events(1024);

  while (finished + failed < kConnections && absl::Now() < deadline) {
    // Open in batches, keeping the handshakes in progress bounded so the
    // accept queue never overflows (a dropped SYN costs a 1 s retry).
    for (int batch = 0;
         batch < 256 && opened < kConnections && opened - connected < 1024;
         ++batch) {
      Connection& c = connections[opened];
      c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      ASSERT_GE(c.fd, 0) << "socket: errno " << errno << " after " << opened;
      int rc =
          connect(c.fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
      ASSERT_TRUE(rc == 0 || errno == EINPROGRESS)
          << "connect: errno " << errno << " after " << opened;
      epoll_event ev = {};
      ev.events = EPOLLOUT;
      ev.data.u32 = static_cast<uint32_t>(opened);
      ASSERT_EQ(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c.fd, &ev), 0);
      ++opened;
    }
    int n = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()),
                       10);
    for (int i = 0; i < n; ++i) {
      Connection& c = connections[events[i].data.u32];
      if (!c.sent) {
        int error = 0;
        socklen_t len = sizeof(error);
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len);
        ++connected;
        if (error != 0 || (events[i].events & (EPOLLERR | EPOLLHUP)) != 0 ||
            write(c.fd, request.data(), request.size()) !=
                static_cast<ssize_t>(request.size())) {
          ++failed;
          epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
          continue;
        }
        c.sent = true;
        epoll_event ev = {};
        ev.events = EPOLLIN;
        ev.data.u32 = events[i].data.u32;
        epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev);
        continue;
      }
      char buf[4096];
      ssize_t got = read(c.fd, buf, sizeof(buf));
      if (got > 0) c.in.append(buf, static_cast<size_t>(got));
      if (got > 0 && ParseResponse(c.in, &c.status)) {
        c.done = true;
        ++finished;
        // Keep the socket open: all connections stay up until the end.
        epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
      } else if (got == 0 || (got < 0 && errno != EAGAIN)) {
        ++failed;
        epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
      }
    }
    int sent_count = connected - failed;
    max_in_flight = std::max(max_in_flight, sent_count - finished);
    if (absl::Now() >= next_sample) {
      max_threads = std::max(max_threads, ThreadCount(process.pid()));
      next_sample = absl::Now() + absl::Milliseconds(50);
    }
  }
  absl::Duration elapsed = absl::Now() - start;
  max_threads = std::max(max_threads, ThreadCount(process.pid()));
  // Every client socket is still open: so is every server-side one.
  int server_fds = OpenFileCount(process.pid());

  int ok = 0;
  for (const Connection& c : connections) ok += c.done && c.status == 200;
  EXPECT_EQ(finished, kConnections)
      << "failed " << failed << ", opened " << opened << " in " << elapsed;
  EXPECT_EQ(ok, kConnections);
  EXPECT_LE(max_threads, kMaxThreads);
  EXPECT_GE(max_threads, 1);
  EXPECT_GE(server_fds, kConnections);
  // Served one at a time, 10,000 x 200 ms would take 2,000 s.
  EXPECT_GE(max_in_flight, 1000);
  EXPECT_LT(elapsed, absl::Seconds(60));
  std::printf(
      "10000 connections: %d ok in %s, max in flight %d, emulator threads "
      "%d, emulator fds %d\n",
      ok, absl::FormatDuration(elapsed).c_str(), max_in_flight, max_threads,
      server_fds);

  for (Connection& c : connections) {
    if (c.fd >= 0) close(c.fd);
  }
  close(epoll_fd);

  HttpCall stats;
  stats.url = absl::StrCat(url, "/_emulator/stats");
  HttpResult stats_result = Fetch(stats);
  EXPECT_TRUE(
      absl::StrContains(stats_result.body,
                        absl::StrCat("\"", kUserTimeline, "\":", kConnections)))
      << stats_result.body;
  process.Signal(SIGTERM);
  EXPECT_EQ(process.Wait(absl::Seconds(20)).value_or(-1), 0);
}

}  // namespace
}  // namespace perch::emulator::testing
