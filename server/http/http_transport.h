// The seam between perch and the network: send one HTTP request, learn its
// outcome through a callback. Implementations: CurlMultiTransport (libcurl
// multi loop) in production, FakeHttpTransport (scripted) in unit tests.
#ifndef PERCH_SERVER_HTTP_HTTP_TRANSPORT_H_
#define PERCH_SERVER_HTTP_HTTP_TRANSPORT_H_

#include <cstdint>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "server/http/http_types.h"

namespace perch::http {

// Contract:
// - Send() never blocks on I/O and is thread-safe.
// - `done` runs exactly once, never inline inside Send(), on a transport
//   thread; it must not block.
// - Any HTTP status, 4xx and 5xx included, is an OK transport outcome: the
//   response is returned as is. Errors are for when no response arrived:
//     UNAVAILABLE        connection refused/reset, DNS, TLS failure, dropped
//                        connection, malformed HTTP
//     DEADLINE_EXCEEDED  request.deadline passed (the deadline may already be
//                        in the past at Send(): fails without I/O)
//     CANCELLED          Cancel() was called first
//     INTERNAL           the request cannot be sent as given (URL not
//                        http/https, a line break in a header) or the
//                        transport is misconfigured: a perch bug, so
//                        retrying cannot help
//   Error messages never contain request headers or bodies (they hold
//   secrets).
class HttpTransport {
 public:
  using RequestId = uint64_t;
  using Callback = absl::AnyInvocable<void(absl::StatusOr<HttpResponse>) &&>;

  virtual ~HttpTransport() = default;

  // Starts `request`; returns an id for Cancel().
  virtual RequestId Send(HttpRequest request, Callback done) = 0;

  // Aborts the request if it is still in flight: its callback then runs with
  // CANCELLED. Unknown or finished ids are ignored. Thread-safe, non-blocking.
  virtual void Cancel(RequestId id) = 0;
};

}  // namespace perch::http

#endif  // PERCH_SERVER_HTTP_HTTP_TRANSPORT_H_
