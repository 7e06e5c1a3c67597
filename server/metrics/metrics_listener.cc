#include "server/metrics/metrics_listener.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/metrics/text_format.h"

namespace perch::metrics {
namespace {

constexpr int kClientTimeoutSeconds = 10;

// "host:port" or "[v6]:port" -> host, port.
bool SplitHostPort(absl::string_view host_port, std::string& host, int& port) {
  const size_t colon = host_port.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) return false;
  absl::string_view h = host_port.substr(0, colon);
  if (absl::ConsumePrefix(&h, "[") && !absl::ConsumeSuffix(&h, "]")) {
    return false;
  }
  if (h.empty() || !absl::SimpleAtoi(host_port.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return false;
  }
  host = std::string(h);
  return true;
}

int BoundPort(evutil_socket_t fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return 0;
  }
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
  }
  return 0;
}

class EvhttpMetricsListener final : public MetricsListener {
 public:
  EvhttpMetricsListener(event_base* base, evhttp* http, int port, Render render)
      : base_(base), http_(http), port_(port), render_(std::move(render)) {
    evhttp_set_gencb(http_, &EvhttpMetricsListener::OnRequest, this);
    stop_ = event_new(
        base_, -1, 0,
        [](evutil_socket_t, short, void* base) {
          event_base_loopbreak(static_cast<event_base*>(base));
        },
        base_);
    thread_ = std::thread([this] { event_base_dispatch(base_); });
  }

  ~EvhttpMetricsListener() override {
    // Not event_base_loopbreak from here: a loop that has not started yet
    // would clear it when it starts. An activated event is run whenever the
    // loop gets to it (the base is thread-aware: evthread_use_pthreads).
    event_active(stop_, EV_READ, 0);
    thread_.join();
    event_free(stop_);
    evhttp_free(http_);
    event_base_free(base_);
  }

  int port() const override { return port_; }

 private:
  static void OnRequest(evhttp_request* request, void* arg) {
    auto* self = static_cast<EvhttpMetricsListener*>(arg);
    const evhttp_uri* uri = evhttp_request_get_evhttp_uri(request);
    const char* path = uri == nullptr ? nullptr : evhttp_uri_get_path(uri);
    if (path == nullptr || absl::string_view(path) != "/metrics") {
      evhttp_send_error(request, HTTP_NOTFOUND, nullptr);
      return;
    }
    const evhttp_cmd_type method = evhttp_request_get_command(request);
    if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
      evhttp_add_header(evhttp_request_get_output_headers(request), "Allow",
                        "GET, HEAD");
      evhttp_send_error(request, HTTP_BADMETHOD, nullptr);
      return;
    }
    const std::string body = self->render_();
    evkeyvalq* headers = evhttp_request_get_output_headers(request);
    evhttp_add_header(headers, "Content-Type",
                      std::string(kTextContentType).c_str());
    evhttp_add_header(headers, "Cache-Control", "no-store");
    evbuffer_add(evhttp_request_get_output_buffer(request), body.data(),
                 body.size());
    evhttp_send_reply(request, HTTP_OK, "OK", nullptr);
  }

  event_base* const base_;
  evhttp* const http_;
  const int port_;
  const Render render_;
  event* stop_ = nullptr;
  std::thread thread_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsListener>> MetricsListener::Start(
    absl::string_view host_port, Render render) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(host_port, host, port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metrics_listen=", host_port, ": expected host:port"));
  }
  static std::once_flag threads_once;
  std::call_once(threads_once, [] { evthread_use_pthreads(); });
  event_base* base = event_base_new();
  evhttp* http = base == nullptr ? nullptr : evhttp_new(base);
  if (http == nullptr) {
    if (base != nullptr) event_base_free(base);
    return absl::InternalError("metrics listener: libevent setup failed");
  }
  evhttp_set_timeout(http, kClientTimeoutSeconds);
  // A scrape is one short request line and a few headers, no body.
  evhttp_set_max_headers_size(http, 16 * 1024);
  evhttp_set_max_body_size(http, 1024);
  evhttp_bound_socket* bound =
      evhttp_bind_socket_with_handle(http, host.c_str(), port);
  const int bound_port =
      bound == nullptr ? 0 : BoundPort(evhttp_bound_socket_get_fd(bound));
  if (bound_port == 0) {
    evhttp_free(http);
    event_base_free(base);
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", host_port, " for /metrics"));
  }
  return std::make_unique<EvhttpMetricsListener>(base, http, bound_port,
                                                 std::move(render));
}

}  // namespace perch::metrics
