// The emulator's network side: an HTTP/1.1 (or HTTPS) server on libevent's
// evhttp, one event-loop thread for every connection. Delays are evtimers,
// never sleeps, so thousands of delayed requests cost no threads. Knows
// nothing about routes: it turns each request into an Outcome via a handler.
#ifndef PERCH_EMULATOR_EVHTTP_SERVER_H_
#define PERCH_EMULATOR_EVHTTP_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "emulator/http_message.h"

struct event;
struct event_base;
struct evhttp;
struct evhttp_request;
typedef struct ssl_ctx_st SSL_CTX;

namespace perch::emulator {

struct ServerOptions {
  std::string host = "127.0.0.1";  // numeric IPv4 or IPv6, never a name
  int port = 0;                    // 0: ephemeral
  std::string tls_cert_file;       // both set: HTTPS
  std::string tls_key_file;
};

// Called on the loop thread for every request, one at a time.
using RequestHandler = absl::AnyInvocable<Outcome(const Request&)>;

class EvhttpServer {
 public:
  // Binds, listens and starts the loop thread. INVALID_ARGUMENT for a bad
  // address or TLS file, UNAVAILABLE when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<EvhttpServer>> Start(
      const ServerOptions& options, RequestHandler handler);

  // Stops the loop, joins its thread, closes every connection; replies still
  // waiting on a delay are abandoned.
  ~EvhttpServer();

  EvhttpServer(const EvhttpServer&) = delete;
  EvhttpServer& operator=(const EvhttpServer&) = delete;

  int port() const { return port_; }
  bool tls() const { return ssl_ctx_ != nullptr; }

  // Ends the delay of every reply still waiting one, as if it had passed:
  // each gets its outcome now (a trickle that has begun keeps its pace).
  // Thread-safe; returns at once, the loop thread does the work. With a long
  // delay, how a test holds requests until it has seen what it waits for.
  void EndDelaysNow();

 private:
  struct PendingReply;

  explicit EvhttpServer(RequestHandler handler);

  static void OnRequest(evhttp_request* req, void* arg);
  static void OnPendingDue(int fd, short what, void* arg);
  static void OnStop(int fd, short what, void* arg);
  static void OnEndDelays(int fd, short what, void* arg);
  void Defer(evhttp_request* req, Outcome outcome);
  void RunLoop();
  // Runs what is still queued once the loop thread has stopped.
  void DrainLoop();

  RequestHandler handler_;
  event_base* base_ = nullptr;
  evhttp* http_ = nullptr;
  SSL_CTX* ssl_ctx_ = nullptr;
  event* stop_ = nullptr;
  event* end_delays_ = nullptr;
  int port_ = 0;
  // Touched by the loop thread only (and by the destructor after the join).
  absl::flat_hash_map<PendingReply*, std::unique_ptr<PendingReply>> pending_;
  std::thread thread_;
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_EVHTTP_SERVER_H_
