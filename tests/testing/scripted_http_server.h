// ScriptedHttpServer: a tiny HTTP/1.1 (optionally TLS) server on a loopback
// ephemeral port for unit tests of HTTP clients. A handler scripts each reply
// (canned response, delay, dropped connection, raw bytes); the server records
// what it received and counts TCP connections. A test double, not a product:
// one thread per connection, no chunked request bodies, no HTTP/2.
#ifndef PERCH_TESTS_TESTING_SCRIPTED_HTTP_SERVER_H_
#define PERCH_TESTS_TESTING_SCRIPTED_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/common/mutex.h"
#include "server/common/notification.h"
#include "tests/testing/loopback_listener.h"
#include "tests/testing/server_tls_context.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace perch::testing {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ReceivedRequest {
  std::string method;
  std::string target;  // Path and query, as on the request line.
  HeaderList headers;  // Names lower-cased.
  std::string body;

  // The first header with this lower-case name.
  std::optional<std::string> Header(absl::string_view lower_name) const;
};

struct ScriptedReply {
  enum class Kind {
    kRespond,             // A well-formed response from the fields below.
    kRaw,                 // Write `raw` as-is, then close the connection.
    kCloseWithoutAnswer,  // Close the connection without a byte.
  };
  Kind kind = Kind::kRespond;
  int status = 200;
  HeaderList headers;
  std::string body;
  // Compress `body` with gzip and say so in content-encoding.
  bool gzip = false;
  // Send a "100 Continue" interim response (with header x-interim: 1) first.
  bool interim_continue = false;
  // Add "connection: close" and close after answering.
  bool close_after = false;
  // Wait this long before answering (cut short when the server stops).
  absl::Duration delay = absl::ZeroDuration();
  std::string raw;

  static ScriptedReply Ok(std::string body) {
    ScriptedReply reply;
    reply.body = std::move(body);
    return reply;
  }
  static ScriptedReply Status(int status, std::string body = "") {
    ScriptedReply reply;
    reply.status = status;
    reply.body = std::move(body);
    return reply;
  }
  static ScriptedReply Raw(std::string bytes) {
    ScriptedReply reply;
    reply.kind = Kind::kRaw;
    reply.raw = std::move(bytes);
    return reply;
  }
  static ScriptedReply CloseWithoutAnswer() {
    ScriptedReply reply;
    reply.kind = Kind::kCloseWithoutAnswer;
    return reply;
  }
  static ScriptedReply Delayed(absl::Duration delay, std::string body = "") {
    ScriptedReply reply = Ok(std::move(body));
    reply.delay = delay;
    return reply;
  }
};

// Thread-safe. The handler is called on connection threads, possibly
// concurrently, and must be thread-safe itself.
class ScriptedHttpServer {
 public:
  using Handler = std::function<ScriptedReply(const ReceivedRequest&)>;

  struct Options {
    // PEM files; when both are set the server speaks TLS (HTTP/1.1 only).
    std::string cert_file;
    std::string key_file;
  };

  // Listens on 127.0.0.1 port 0. Errors: INTERNAL (socket or TLS setup).
  static absl::StatusOr<std::unique_ptr<ScriptedHttpServer>> Start(
      Handler handler, Options options);
  static absl::StatusOr<std::unique_ptr<ScriptedHttpServer>> Start(
      Handler handler) {
    return Start(std::move(handler), Options());
  }

  // Stops accepting, interrupts delays, closes every connection and joins
  // every thread.
  ~ScriptedHttpServer();

  int port() const { return listener_->port(); }
  // "http://127.0.0.1:<port><path>" (https with TLS).
  std::string Url(absl::string_view path) const;

  std::vector<ReceivedRequest> requests() const;
  int connections_accepted() const;
  // True once at least `n` requests have arrived, false after `timeout`.
  bool WaitForRequests(size_t n, absl::Duration timeout) const;

 private:
  ScriptedHttpServer(Handler handler, ServerTlsContext tls)
      : handler_(std::move(handler)), tls_(std::move(tls)) {}
  void Serve(int fd, const LoopbackListener& listener);

  const Handler handler_;
  const ServerTlsContext tls_;  // Null for plain HTTP.
  // Cuts delays short when the server stops.
  Notification stopping_;

  mutable Mutex mu_;
  std::vector<ReceivedRequest> requests_ ABSL_GUARDED_BY(mu_);

  // Last: its destructor joins the threads that use the members above.
  std::unique_ptr<LoopbackListener> listener_;
};

}  // namespace perch::testing

#endif  // PERCH_TESTS_TESTING_SCRIPTED_HTTP_SERVER_H_
