// The network side on its own: large answers on a kept-alive connection come
// back without waiting for the client's delayed ACK (Nagle is off on every
// accepted connection), over plain HTTP and over TLS.
#include "emulator/evhttp_server.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace perch::emulator {
namespace {

// Several of libevent's 16 KiB write pieces (and TLS records), yet less than
// one 64 KiB loopback segment: with Nagle on, every such answer after the
// first piece waits for the client's delayed ACK (a bigger body can fill
// whole segments and stall less often).
constexpr size_t kBodyBytes = 40 << 10;
// A stalled answer takes 40 ms at least on Linux (about 44 ms measured);
// unstalled, about a millisecond on loopback. The median of several is
// compared, so a busy machine delaying a few of them cannot fail the test.
constexpr int kRequests = 9;
constexpr absl::Duration kMedianBudget = absl::Milliseconds(20);

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

// Sends kRequests GETs, one after the other, over one kept-alive libcurl
// connection (after one to open it) and returns the median time one took.
absl::Duration MedianOfSequentialGets(const std::string& url,
                                      const std::string& ca_file) {
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
  // The first request opens the connection (and does the TLS handshake).
  EXPECT_EQ(curl_easy_perform(curl.get()), CURLE_OK);
  std::vector<absl::Duration> took;
  for (int i = 0; i < kRequests; ++i) {
    received = 0;
    const absl::Time start = absl::Now();
    EXPECT_EQ(curl_easy_perform(curl.get()), CURLE_OK) << "request " << i;
    took.push_back(absl::Now() - start);
    long status = 0;      // NOLINT(runtime/int): libcurl's type
    long new_conns = -1;  // NOLINT(runtime/int): libcurl's type
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(curl.get(), CURLINFO_NUM_CONNECTS, &new_conns);
    EXPECT_EQ(status, 200) << "request " << i;
    EXPECT_EQ(received, kBodyBytes) << "request " << i;
    EXPECT_EQ(new_conns, 0)
        << "request " << i << " did not reuse the connection";
  }
  std::sort(took.begin(), took.end());
  return took[took.size() / 2];
}

TEST(EvhttpServer, LargeAnswersOnAKeptAliveConnectionDoNotWaitForDelayedAcks) {
  absl::StatusOr<std::unique_ptr<EvhttpServer>> server =
      EvhttpServer::Start({}, LargeBodyHandler());
  ASSERT_TRUE(server.ok()) << server.status();
  const absl::Duration median = MedianOfSequentialGets(
      absl::StrCat("http://127.0.0.1:", (*server)->port(), "/big"), "");
  EXPECT_LT(median, kMedianBudget)
      << "median of " << kRequests << " answers of " << kBodyBytes << " bytes";
}

TEST(EvhttpServer, LargeAnswersOverTlsDoNotWaitForDelayedAcks) {
  ServerOptions options;
  options.tls_cert_file = PERCH_TEST_CERT_DIR "/server.pem";
  options.tls_key_file = PERCH_TEST_CERT_DIR "/server.key";
  absl::StatusOr<std::unique_ptr<EvhttpServer>> server =
      EvhttpServer::Start(options, LargeBodyHandler());
  ASSERT_TRUE(server.ok()) << server.status();
  const absl::Duration median = MedianOfSequentialGets(
      absl::StrCat("https://127.0.0.1:", (*server)->port(), "/big"),
      PERCH_TEST_CERT_DIR "/ca.pem");
  EXPECT_LT(median, kMedianBudget)
      << "median of " << kRequests << " answers of " << kBodyBytes
      << " bytes over TLS";
}

}  // namespace
}  // namespace perch::emulator
