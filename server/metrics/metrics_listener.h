// The /metrics endpoint: a minimal HTTP/1.1 listener (libevent's evhttp) on
// its own address and thread, apart from the gRPC port, answering
// `GET /metrics` with whatever `render` returns. Knows nothing of what the
// metrics are; the wiring passes a function that formats the registry.
#ifndef PERCH_SERVER_METRICS_METRICS_LISTENER_H_
#define PERCH_SERVER_METRICS_METRICS_LISTENER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace perch::metrics {

class MetricsListener {
 public:
  // The response body of one scrape; runs on the listener's thread, one
  // scrape at a time.
  using Render = std::function<std::string()>;

  // Listens on `host_port` ("0.0.0.0:9464", "127.0.0.1:0" for a free port,
  // "[::1]:9464") and serves until destroyed:
  //   GET (or HEAD) /metrics  200, Content-Type kTextContentType, render()
  //   any other path          404
  //   POST, PUT, DELETE       405 (evhttp itself answers 501 to methods it
  //                           does not parse)
  // Slow or idle clients are dropped after 10 s. INVALID_ARGUMENT for a
  // malformed address, UNAVAILABLE when it cannot be bound. `render` must
  // stay callable until the listener is destroyed.
  static absl::StatusOr<std::unique_ptr<MetricsListener>> Start(
      absl::string_view host_port, Render render);

  // Stops serving and joins the thread; a scrape in progress finishes first.
  virtual ~MetricsListener() = default;

  // The port actually bound.
  virtual int port() const = 0;
};

}  // namespace perch::metrics

#endif  // PERCH_SERVER_METRICS_METRICS_LISTENER_H_
