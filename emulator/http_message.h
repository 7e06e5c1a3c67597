// The emulator's own view of one HTTP exchange: a request as the server read
// it and the response a route decided on. Plain data, no libevent types, so
// routes are testable without sockets. Not shared with server/http.
#ifndef PERCH_EMULATOR_HTTP_MESSAGE_H_
#define PERCH_EMULATOR_HTTP_MESSAGE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace perch::emulator {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", "DELETE", ...
  std::string path;    // the raw path, without the query
  std::string query;   // the raw query, without '?' ("" when absent)
  HeaderList headers;  // as received
  std::string body;

  // The first header called `name` (case-insensitive), or nullptr.
  const std::string* Header(absl::string_view name) const;
};

struct Response {
  int status = 200;
  HeaderList headers;
  std::string body;
};

// What the server does with a request: answer with `response` after `delay`,
// or, when `drop` is set, close the connection after `delay` without a word.
struct Outcome {
  Response response;
  absl::Duration delay = absl::ZeroDuration();
  bool drop = false;
  // With `drop`: abort the connection (an RST, as from a peer that crashed
  // or a middlebox that gave up) instead of closing it in order (a FIN).
  bool reset = false;
  // > 0: after `delay`, the headers (with the whole body's Content-Length)
  // and then the body `trickle_bytes` at a time, one piece every
  // `trickle_every`: an upstream whose answer arrives, slowly.
  size_t trickle_bytes = 0;
  absl::Duration trickle_every = absl::ZeroDuration();
};

// "OK", "Too Many Requests", ...: libevent 2.1's table lacks some of these.
const char* ReasonPhrase(int status);

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_HTTP_MESSAGE_H_
