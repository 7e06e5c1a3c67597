// The network side on its own: every accepted connection, plain or TLS, has
// Nagle off, so large answers on a kept-alive connection do not wait for the
// client's delayed ACK; and the server closes its connections for good when
// destroyed right after a client closed one (run under LeakSanitizer).
#include "emulator/evhttp_server.h"

#include <curl/curl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace perch::emulator {
namespace {

constexpr size_t kBodyBytes = 40 << 10;

size_t Discard(char*, size_t size, size_t count, void* user) {
  *static_cast<size_t*>(user) += size * count;
  return size * count;
}

RequestHandler LargeBodyHandler() {
  return [body = std::string(kBodyBytes, 'x')](const Request&) {
    Outcome outcome;
    outcome.response.status = 200;
    outcome.response.headers.emplace_back("Content-Type", "application/json");
    outcome.response.body = body;
    return outcome;
  };
}

int LocalPort(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

// The server's side of every connection accepted on `port` in this process:
// bound to `port` and connected to a peer (the listener has no peer).
std::vector<int> AcceptedSockets(int port) {
  std::vector<int> found;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return found;
  while (dirent* entry = readdir(dir)) {
    int fd = -1;
    if (!absl::SimpleAtoi(entry->d_name, &fd) || fd == dirfd(dir)) continue;
    sockaddr_storage local = {}, peer = {};
    socklen_t local_len = sizeof(local), peer_len = sizeof(peer);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        (local.ss_family != AF_INET && local.ss_family != AF_INET6) ||
        LocalPort(local) != port ||
        getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
      continue;
    }
    found.push_back(fd);
  }
  closedir(dir);
  return found;
}

// Sends a few GETs over one kept-alive libcurl connection and, while it is
// still open, checks Nagle on the server's side of it. With Nagle on, every
// answer of several 16 KiB write pieces (libevent's, and TLS records) waits
// for the client's delayed ACK, 40 ms at least on Linux, instead of about a
// millisecond. Checked as the socket option rather than as a time: a loaded
// machine (ASan, two cores, a build beside it) made a timed median fail.
void ExpectKeptAliveConnectionHasNoNagle(const std::string& url,
                                         const std::string& ca_file,
                                         int port) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(),
                                                           &curl_easy_cleanup);
  size_t received = 0;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &received);
  if (!ca_file.empty()) {
    curl_easy_setopt(curl.get(), CURLOPT_CAINFO, ca_file.c_str());
  }
  for (int i = 0; i < 3; ++i) {
    received = 0;
    ASSERT_EQ(curl_easy_perform(curl.get()), CURLE_OK) << "request " << i;
    long status = 0;  // NOLINT(runtime/int): libcurl's type
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    EXPECT_EQ(status, 200) << "request " << i;
    EXPECT_EQ(received, kBodyBytes) << "request " << i;
  }
  const std::vector<int> accepted = AcceptedSockets(port);
  ASSERT_EQ(accepted.size(), 1u) << "one kept-alive connection expected";
  int nodelay = 0;
  socklen_t len = sizeof(nodelay);
  ASSERT_EQ(getsockopt(accepted[0], IPPROTO_TCP, TCP_NODELAY, &nodelay, &len),
            0);
  EXPECT_NE(nodelay, 0) << "Nagle is on for an accepted connection";
}

TEST(EvhttpServer, KeptAliveConnectionsHaveNagleOff) {
  absl::StatusOr<std::unique_ptr<EvhttpServer>> server =
      EvhttpServer::Start({}, LargeBodyHandler());
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  ExpectKeptAliveConnectionHasNoNagle(
      absl::StrCat("http://127.0.0.1:", port, "/big"), "", port);
}

TEST(EvhttpServer, KeptAliveTlsConnectionsHaveNagleOff) {
  ServerOptions options;
  options.tls_cert_file = PERCH_TEST_CERT_DIR "/server.pem";
  options.tls_key_file = PERCH_TEST_CERT_DIR "/server.key";
  absl::StatusOr<std::unique_ptr<EvhttpServer>> server =
      EvhttpServer::Start(options, LargeBodyHandler());
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  ExpectKeptAliveConnectionHasNoNagle(
      absl::StrCat("https://127.0.0.1:", port, "/big"),
      PERCH_TEST_CERT_DIR "/ca.pem", port);
}

// A client that closes its kept-alive connection just as the server is
// destroyed: the close can be queued in the loop, unprocessed, when the loop
// stops. Each round must free that connection's bufferevent and SSL; under
// LeakSanitizer a round that does not fails the run. Many rounds, because
// the close and the stop meet only now and then.
TEST(EvhttpServer, DestroyedAsATlsClientClosesLeavesNoConnectionBehind) {
  ServerOptions options;
  options.tls_cert_file = PERCH_TEST_CERT_DIR "/server.pem";
  options.tls_key_file = PERCH_TEST_CERT_DIR "/server.key";
  for (int round = 0; round < 30; ++round) {
    absl::StatusOr<std::unique_ptr<EvhttpServer>> server =
        EvhttpServer::Start(options, LargeBodyHandler());
    ASSERT_TRUE(server.ok()) << server.status();
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(
        curl_easy_init(), &curl_easy_cleanup);
    size_t received = 0;
    const std::string url =
        absl::StrCat("https://127.0.0.1:", (*server)->port(), "/big");
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &Discard);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(curl.get(), CURLOPT_CAINFO, PERCH_TEST_CERT_DIR "/ca.pem");
    ASSERT_EQ(curl_easy_perform(curl.get()), CURLE_OK) << "round " << round;
    EXPECT_EQ(received, kBodyBytes) << "round " << round;
    curl.reset();    // the client closes (close_notify, then FIN) ...
    server->reset();  // ... while the server stops
  }
}

}  // namespace
}  // namespace perch::emulator
