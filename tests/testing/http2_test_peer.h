// Http2TestPeer: a scripted HTTP/2 server (TLS with ALPN h2 only) on
// loopback, for tests of an HTTP/2 client's failure handling. Each request
// gets the frames its script lists (response headers, body pieces,
// RST_STREAM, GOAWAY, a closed connection, or nothing at all), and the peer
// records what the client did (requests, RST_STREAM frames, closed
// connections). It writes raw frames and decodes no HPACK, so scripts key on
// the order requests arrive in, not on their paths.
#ifndef PERCH_TESTS_TESTING_HTTP2_TEST_PEER_H_
#define PERCH_TESTS_TESTING_HTTP2_TEST_PEER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/common/mutex.h"
#include "tests/testing/loopback_listener.h"
#include "tests/testing/observed.h"
#include "tests/testing/server_tls_context.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace perch::testing {

// HTTP/2 error codes (RFC 9113 §7) the scripts use.
inline constexpr uint32_t kH2NoError = 0x0;
inline constexpr uint32_t kH2ProtocolError = 0x1;
inline constexpr uint32_t kH2InternalError = 0x2;
inline constexpr uint32_t kH2RefusedStream = 0x7;
inline constexpr uint32_t kH2Cancel = 0x8;

// One thing the peer does on a request's stream (or its connection).
struct Http2Step {
  enum class Kind { kHeaders, kData, kReset, kGoaway, kClose, kAwait };
  Kind kind = Kind::kClose;
  int status = 200;                      // kHeaders
  std::optional<size_t> content_length;  // kHeaders: announced when set
  std::string data;                      // kData
  bool end_stream = false;               // kHeaders, kData
  uint32_t error_code = kH2NoError;      // kReset, kGoaway
  // kGoaway: the last stream id it names is this stream (which the peer
  // still owes an answer) or the one before (so this one was never
  // processed, and a client may retry it on a new connection).
  bool goaway_includes_stream = true;

  static Http2Step Headers(int status, std::optional<size_t> content_length,
                           bool end_stream = false);
  static Http2Step Data(std::string data, bool end_stream);
  static Http2Step Reset(uint32_t error_code);
  static Http2Step Goaway(uint32_t error_code, bool includes_stream);
  // Sends TLS close_notify and closes the TCP connection.
  static Http2Step Close();
  // Stops until the test calls Http2TestPeer::Release() (or the peer
  // stops): the connection reads no frame meanwhile, so what the client
  // sends waits in the socket.
  static Http2Step Await();
};
using Http2Script = std::vector<Http2Step>;

// A whole response: headers announcing the length, then the body, ending the
// stream.
Http2Script Http2Response(int status, std::string body);

// Thread-safe. The script runs on connection threads, possibly concurrently.
class Http2TestPeer {
 public:
  // Called once a request has fully arrived, with its index (0, 1, ... in
  // arrival order over all connections). An empty script leaves the stream
  // unanswered.
  using Script = std::function<Http2Script(int request_index)>;

  struct Options {
    // PEM files of the server certificate chain and its key.
    std::string cert_file;
    std::string key_file;
  };

  // A stream, named by the connection (0, 1, ... in accept order) and id.
  struct StreamRef {
    int connection = 0;
    uint32_t stream_id = 0;
    bool operator==(const StreamRef& o) const {
      return connection == o.connection && stream_id == o.stream_id;
    }
  };

  // What the peer has seen so far.
  struct Events {
    int connections = 0;
    // Streams of the requests that arrived, by request index.
    std::vector<StreamRef> requests;
    // Streams the client reset (RST_STREAM).
    std::vector<StreamRef> reset_by_client;
    // Connections the client closed (EOF or reset) while the peer was still
    // reading them.
    int closed_by_client = 0;
  };

  // Errors: INTERNAL (socket or TLS setup).
  static absl::StatusOr<std::unique_ptr<Http2TestPeer>> Start(Script script,
                                                              Options options);
  // Closes every connection and joins its threads.
  ~Http2TestPeer();

  // "https://127.0.0.1:<port><path>".
  std::string Url(absl::string_view path) const;

  // Lets every Await step, waiting or still to come, go on.
  void Release();

  Events events() const { return events_.Get(); }
  // True once `condition` holds, false if it still does not after `timeout`.
  bool WaitFor(const std::function<bool(const Events&)>& condition,
               absl::Duration timeout) const {
    return events_.WaitFor(condition, timeout);
  }

 private:
  Http2TestPeer(Script script, ServerTlsContext tls)
      : script_(std::move(script)), tls_(std::move(tls)) {}
  void Serve(int fd, const LoopbackListener& listener);
  // Reads frames and answers requests until either side closes.
  // True if the peer closed the connection itself.
  bool Converse(SSL* ssl, int fd, int connection);

  void AwaitRelease();

  const Script script_;
  const ServerTlsContext tls_;
  Mutex release_mu_;
  bool released_ ABSL_GUARDED_BY(release_mu_) = false;
  Observed<Events> events_;
  // Last: its destructor joins the threads that use the members above.
  std::unique_ptr<LoopbackListener> listener_;
};

}  // namespace perch::testing

#endif  // PERCH_TESTS_TESTING_HTTP2_TEST_PEER_H_
