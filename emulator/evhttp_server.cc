#include "emulator/evhttp_server.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace perch::emulator {

struct EvhttpServer::PendingReply {
  EvhttpServer* server = nullptr;
  evhttp_request* req = nullptr;
  event* timer = nullptr;
  Outcome outcome;
  size_t body_sent = 0;  // trickled replies: bytes of the body sent so far

  ~PendingReply() {
    if (timer != nullptr) event_free(timer);
  }
};

namespace {

const char* MethodName(evhttp_cmd_type command) {
  switch (command) {
    case EVHTTP_REQ_GET:
      return "GET";
    case EVHTTP_REQ_POST:
      return "POST";
    case EVHTTP_REQ_HEAD:
      return "HEAD";
    case EVHTTP_REQ_PUT:
      return "PUT";
    case EVHTTP_REQ_DELETE:
      return "DELETE";
    case EVHTTP_REQ_OPTIONS:
      return "OPTIONS";
    case EVHTTP_REQ_TRACE:
      return "TRACE";
    case EVHTTP_REQ_CONNECT:
      return "CONNECT";
    case EVHTTP_REQ_PATCH:
      return "PATCH";
  }
  return "UNKNOWN";
}

Request ToRequest(evhttp_request* req) {
  Request request;
  request.method = MethodName(evhttp_request_get_command(req));
  const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req);
  const char* path = uri != nullptr ? evhttp_uri_get_path(uri) : nullptr;
  request.path = path != nullptr && *path != '\0' ? path : "/";
  const char* query = uri != nullptr ? evhttp_uri_get_query(uri) : nullptr;
  if (query != nullptr) request.query = query;
  evkeyvalq* headers = evhttp_request_get_input_headers(req);
  for (evkeyval* h = headers->tqh_first; h != nullptr; h = h->next.tqe_next) {
    request.headers.emplace_back(h->key, h->value);
  }
  evbuffer* body = evhttp_request_get_input_buffer(req);
  request.body.resize(evbuffer_get_length(body));
  evbuffer_copyout(body, request.body.data(), request.body.size());
  return request;
}

// Frees `req` in every case: evhttp_send_reply frees a request whose client
// already went away (libevent detached it from its connection).
void SendResponse(evhttp_request* req, const Response& response) {
  evkeyvalq* headers = evhttp_request_get_output_headers(req);
  for (const auto& [name, value] : response.headers) {
    evhttp_add_header(headers, name.c_str(), value.c_str());
  }
  evbuffer_add(evhttp_request_get_output_buffer(req), response.body.data(),
               response.body.size());
  evhttp_send_reply(req, response.status, ReasonPhrase(response.status),
                    nullptr);
}

// Closes the connection without a byte of answer; with `reset`, aborts it
// (SO_LINGER 0: the kernel sends an RST). Only called from a timer, never
// inside libevent's own request callback, which still uses the connection
// after our callback returns.
void DropConnection(evhttp_request* req, bool reset) {
  evhttp_connection* connection = evhttp_request_get_connection(req);
  if (connection == nullptr) {
    evhttp_request_free(req);  // the client left first; nothing to close
    return;
  }
  const int fd =
      reset ? bufferevent_getfd(evhttp_connection_get_bufferevent(connection))
            : -1;
  if (fd >= 0) {
    // evhttp_connection_free shuts the socket down (a FIN) before it closes
    // it, and a FIN first reads as an orderly end. So the connection is
    // closed here, with SO_LINGER 0 (an RST), by putting an unconnected
    // socket in its descriptor's place (atomically: no other thread can be
    // handed that number meanwhile); evhttp then closes the placeholder.
    linger abort_on_close = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close,
               sizeof(abort_on_close));
    const int placeholder = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (placeholder >= 0) {
      dup3(placeholder, fd, O_CLOEXEC);
      close(placeholder);
    }
  }
  evhttp_connection_free(connection);  // frees `req` with it
}

// Sends the next piece of a trickled reply (the status line and headers with
// the first); true while more remain. Frees `req` when its client left.
bool SendNextPiece(evhttp_request* req, const Outcome& outcome,
                   size_t& body_sent) {
  if (evhttp_request_get_connection(req) == nullptr) {
    evhttp_request_free(req);  // the client gave up waiting
    return false;
  }
  const std::string& body = outcome.response.body;
  if (body_sent == 0) {
    evkeyvalq* headers = evhttp_request_get_output_headers(req);
    for (const auto& [name, value] : outcome.response.headers) {
      evhttp_add_header(headers, name.c_str(), value.c_str());
    }
    // A length, not chunks: the client knows from the start how much is due.
    evhttp_add_header(headers, "Content-Length",
                      absl::StrCat(body.size()).c_str());
    evhttp_send_reply_start(req, outcome.response.status,
                            ReasonPhrase(outcome.response.status));
  }
  const size_t n = std::min(outcome.trickle_bytes, body.size() - body_sent);
  evbuffer* piece = evbuffer_new();
  evbuffer_add(piece, body.data() + body_sent, n);
  evhttp_send_reply_chunk(req, piece);
  evbuffer_free(piece);
  body_sent += n;
  if (body_sent < body.size()) return true;
  evhttp_send_reply_end(req);
  return false;
}

std::string OpenSslError() {
  unsigned long code = ERR_get_error();  // NOLINT(runtime/int): OpenSSL's type
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}

absl::StatusOr<SSL_CTX*> MakeTlsContext(const ServerOptions& options) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return absl::InternalError(OpenSslError());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  absl::Status status;
  if (SSL_CTX_use_certificate_chain_file(ctx, options.tls_cert_file.c_str()) !=
      1) {
    status = absl::InvalidArgumentError(absl::StrCat(
        "TLS certificate ", options.tls_cert_file, ": ", OpenSslError()));
  } else if (SSL_CTX_use_PrivateKey_file(ctx, options.tls_key_file.c_str(),
                                         SSL_FILETYPE_PEM) != 1) {
    status = absl::InvalidArgumentError(
        absl::StrCat("TLS key ", options.tls_key_file, ": ", OpenSslError()));
  } else if (SSL_CTX_check_private_key(ctx) != 1) {
    status = absl::InvalidArgumentError(absl::StrCat(
        "TLS key does not match the certificate: ", OpenSslError()));
  }
  if (!status.ok()) {
    SSL_CTX_free(ctx);
    return status;
  }
  return ctx;
}

// evhttp's hook for a new connection's bufferevent: a TLS one that starts in
// the accepting state. evhttp sets the socket on it afterwards.
bufferevent* MakeTlsBufferevent(event_base* base, void* arg) {
  SSL* ssl = SSL_new(static_cast<SSL_CTX*>(arg));
  if (ssl == nullptr) return nullptr;
  bufferevent* bev = bufferevent_openssl_socket_new(
      base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
  if (bev == nullptr) {
    SSL_free(ssl);
    return nullptr;
  }
  // Clients that close without close_notify are common and harmless here.
  bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
  return bev;
}

// A bound, listening, non-blocking socket and its port. Numeric addresses
// only: resolving a name could mean a DNS query from a loopback-only test.
absl::StatusOr<std::pair<int, int>> Listen(const std::string& host, int port) {
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = absl::StrCat(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
      rc != 0 || found == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address ", host, ":", port, ": ", gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found,
                                                           &freeaddrinfo);
  int fd =
      socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  // Nagle off on every connection: evhttp writes a response in 16 KiB
  // pieces, so with Nagle on, every body over 16 KiB on a kept-alive
  // connection waits for the client's delayed ACK (~40 ms instead of
  // ~0.6 ms). Real upstreams set it too. Linux copies the option from the
  // listening socket to each accepted one, before its first byte; libevent
  // 2.1 offers no hook that sees an accepted descriptor (evhttp_set_bevcb's
  // bufferevent gets it afterwards), so this is the one place to set it for
  // plain and TLS connections alike.
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
    absl::Status status = absl::ErrnoToStatus(errno, "TCP_NODELAY");
    close(fd);
    return status;
  }
  if (bind(fd, found->ai_addr, found->ai_addrlen) != 0) {
    // UNAVAILABLE whatever errno says: the caller can retry another port.
    absl::Status status = absl::UnavailableError(
        absl::ErrnoToStatus(errno, absl::StrCat("bind ", host, ":", port))
            .message());
    close(fd);
    return status;
  }
  // Bursts of thousands of connects must not overflow the accept queue; the
  // kernel caps this at net.core.somaxconn.
  if (listen(fd, 65535) != 0) {
    absl::Status status = absl::ErrnoToStatus(errno, "listen");
    close(fd);
    return status;
  }
  sockaddr_storage bound = {};
  socklen_t len = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  int bound_port =
      bound.ss_family == AF_INET6
          ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
          : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return std::make_pair(fd, bound_port);
}

}  // namespace

EvhttpServer::EvhttpServer(RequestHandler handler)
    : handler_(std::move(handler)) {}

absl::StatusOr<std::unique_ptr<EvhttpServer>> EvhttpServer::Start(
    const ServerOptions& options, RequestHandler handler) {
  // The destructor wakes the loop from another thread; libevent needs its
  // locking turned on, once per process, before any base exists.
  static std::once_flag threads_enabled;
  std::call_once(threads_enabled, [] { evthread_use_pthreads(); });

  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both a certificate file and a key file");
  }
  auto server = absl::WrapUnique(new EvhttpServer(std::move(handler)));
  if (!options.tls_cert_file.empty()) {
    absl::StatusOr<SSL_CTX*> ctx = MakeTlsContext(options);
    if (!ctx.ok()) return ctx.status();
    server->ssl_ctx_ = *ctx;
  }
  server->base_ = event_base_new();
  if (server->base_ == nullptr) return absl::InternalError("event_base_new");
  server->http_ = evhttp_new(server->base_);
  if (server->http_ == nullptr) return absl::InternalError("evhttp_new");
  server->stop_ =
      event_new(server->base_, -1, 0, &EvhttpServer::OnStop, server->base_);
  server->end_delays_ =
      event_new(server->base_, -1, 0, &EvhttpServer::OnEndDelays, server.get());
  evhttp_set_gencb(server->http_, &EvhttpServer::OnRequest, server.get());
  // Nothing the upstream accepts comes close; bigger can only be a mistake.
  evhttp_set_max_body_size(server->http_, 1 << 20);
  evhttp_set_max_headers_size(server->http_, 64 << 10);
  evhttp_set_allowed_methods(
      server->http_, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                         EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
  if (server->ssl_ctx_ != nullptr) {
    evhttp_set_bevcb(server->http_, &MakeTlsBufferevent, server->ssl_ctx_);
  }

  absl::StatusOr<std::pair<int, int>> listener =
      Listen(options.host, options.port);
  if (!listener.ok()) return listener.status();
  if (evhttp_accept_socket_with_handle(server->http_, listener->first) ==
      nullptr) {
    close(listener->first);
    return absl::InternalError("evhttp_accept_socket_with_handle failed");
  }
  server->port_ = listener->second;
  server->thread_ = std::thread([s = server.get()] { s->RunLoop(); });
  return server;
}

void EvhttpServer::RunLoop() {
  // A write to a socket the peer closed raises SIGPIPE in the writing thread;
  // blocked here, the write just fails with EPIPE and libevent closes the
  // connection. Only this thread writes, so the process is left alone.
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);
  event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY);
}

void EvhttpServer::OnStop(int, short, void* arg) {
  event_base_loopbreak(static_cast<event_base*>(arg));
}

void EvhttpServer::EndDelaysNow() { event_active(end_delays_, EV_READ, 0); }

void EvhttpServer::OnEndDelays(int, short, void* arg) {
  auto* self = static_cast<EvhttpServer*>(arg);
  // Rescheduled, not run here: each timer's callback may free its reply
  // (and erase it from pending_) while this loop walks the map.
  const timeval now = {0, 0};
  for (auto& [raw, reply] : self->pending_) {
    if (reply->body_sent == 0) evtimer_add(reply->timer, &now);
  }
}

EvhttpServer::~EvhttpServer() {
  if (thread_.joinable()) {
    // event_active, unlike event_base_loopbreak, is not lost if the loop has
    // not started yet: the event waits in the active queue.
    event_active(stop_, EV_READ, 0);
    thread_.join();
  }
  for (auto& [raw, reply] : pending_) {
    // Requests still on a connection are freed with it by evhttp_free; only
    // the ones whose client already left are ours to free.
    if (evhttp_request_get_connection(reply->req) == nullptr) {
      evhttp_request_free(reply->req);
    }
  }
  pending_.clear();
  if (stop_ != nullptr) event_free(stop_);
  if (end_delays_ != nullptr) event_free(end_delays_);
  if (http_ != nullptr) evhttp_free(http_);
  DrainLoop();
  if (ssl_ctx_ != nullptr) SSL_CTX_free(ssl_ctx_);
  if (base_ != nullptr) event_base_free(base_);
}

// The loop stopped between two callbacks, and closing the connections
// queued more: a bufferevent is freed only by a finalizer the loop runs, and
// while a deferred callback of its buffers is queued it holds a reference on
// it. event_base_free cancels such a callback without dropping that
// reference, so a connection the client was closing just as the loop stopped
// kept its bufferevent, and over TLS its SSL with 70 KiB of buffers, alive
// for good (LeakSanitizer, ~1 run in 30 of the EvhttpServer tests). Running
// the loop here, on the destroying thread (the loop thread is joined), until
// nothing is active frees every connection for real.
void EvhttpServer::DrainLoop() {
  if (base_ == nullptr) return;
  // A freed connection queues at most a few rounds of callbacks; the bound
  // only guards against a library that keeps re-queueing.
  for (int round = 0; round < 64; ++round) {
    if (event_base_get_num_events(base_, EVENT_BASE_COUNT_ACTIVE) == 0) return;
    event_base_loop(base_, EVLOOP_NONBLOCK);
  }
}

void EvhttpServer::OnRequest(evhttp_request* req, void* arg) {
  auto* self = static_cast<EvhttpServer*>(arg);
  Outcome outcome = self->handler_(ToRequest(req));
  if (!outcome.drop && outcome.trickle_bytes == 0 &&
      outcome.delay <= absl::ZeroDuration()) {
    SendResponse(req, outcome.response);
    return;
  }
  self->Defer(req, std::move(outcome));
}

void EvhttpServer::Defer(evhttp_request* req, Outcome outcome) {
  auto reply = std::make_unique<PendingReply>();
  reply->server = this;
  reply->req = req;
  reply->outcome = std::move(outcome);
  reply->timer = evtimer_new(base_, &EvhttpServer::OnPendingDue, reply.get());
  timeval delay =
      absl::ToTimeval(std::max(reply->outcome.delay, absl::ZeroDuration()));
  evtimer_add(reply->timer, &delay);
  PendingReply* key = reply.get();
  pending_.emplace(key, std::move(reply));
}

void EvhttpServer::OnPendingDue(int, short, void* arg) {
  auto* raw = static_cast<PendingReply*>(arg);
  EvhttpServer* self = raw->server;
  if (!raw->outcome.drop && raw->outcome.trickle_bytes > 0) {
    if (SendNextPiece(raw->req, raw->outcome, raw->body_sent)) {
      timeval every = absl::ToTimeval(raw->outcome.trickle_every);
      evtimer_add(raw->timer, &every);
      return;
    }
    self->pending_.erase(raw);
    return;
  }
  auto node = self->pending_.extract(raw);
  std::unique_ptr<PendingReply> reply = std::move(node.mapped());
  if (reply->outcome.drop) {
    DropConnection(reply->req, reply->outcome.reset);
  } else {
    SendResponse(reply->req, reply->outcome.response);
  }
}

}  // namespace perch::emulator
