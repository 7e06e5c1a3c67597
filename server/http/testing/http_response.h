// An HttpResponse in one expression, for tests that script what an upstream
// answered (the fake transport, the status table's and the metrics' tests).
#ifndef PERCH_SERVER_HTTP_TESTING_HTTP_RESPONSE_H_
#define PERCH_SERVER_HTTP_TESTING_HTTP_RESPONSE_H_

#include <string>
#include <utility>

#include "server/http/http_types.h"

namespace perch::http::testing {

inline HttpResponse Response(int status, std::string body,
                             HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

}  // namespace perch::http::testing

#endif  // PERCH_SERVER_HTTP_TESTING_HTTP_RESPONSE_H_
