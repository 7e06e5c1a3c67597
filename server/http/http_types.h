// Plain HTTP request/response values exchanged with an HttpTransport. They
// know nothing about Twitter or tokens; headers are (name, value) pairs.
#ifndef PERCH_SERVER_HTTP_HTTP_TYPES_H_
#define PERCH_SERVER_HTTP_HTTP_TYPES_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace perch::http {

enum class HttpMethod { kGet, kPost };

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  // Absolute URL, query string included and already percent-encoded.
  std::string url;
  HttpHeaders headers;
  // Sent as-is for kPost.
  std::string body;
  // The request fails with DEADLINE_EXCEEDED if not complete by then.
  absl::Time deadline = absl::InfiniteFuture();
  // Sent on a new connection that no other request uses, so that it reaches
  // the upstream at most once per Send. On a reused connection that dies
  // before any answer, libcurl re-sends a request unseen (up to 5 times):
  // harmless for a read, but the token endpoint's requests are counted and
  // bounded (server/auth/token_backoff.h) and an invalidation re-sent after
  // it was done would be refused. Costs a connection setup each.
  bool own_connection = false;
};

// Spare capacity CurlMultiTransport leaves after a body whose length the
// upstream announced (Content-Length), so a parser that reads a little past
// the end (simdjson: 64 bytes) can parse the body where it lies.
inline constexpr size_t kResponseBodySpareBytes = 64;

struct HttpResponse {
  // The HTTP status code (200, 401, 503, ...).
  int status = 0;
  // Header names lower-cased by the transport.
  HttpHeaders headers;
  // The decoded body (content-encoding already undone). See
  // kResponseBodySpareBytes for its capacity.
  std::string body;

  // The first header with this lower-case name, if any.
  std::optional<absl::string_view> Header(absl::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return absl::string_view(value);
    }
    return std::nullopt;
  }
};

}  // namespace perch::http

#endif  // PERCH_SERVER_HTTP_HTTP_TYPES_H_
