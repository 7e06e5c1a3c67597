// What CurlMultiTransport's tests share: a record of one request's outcome
// that a test waits on, and small request and status helpers.
#ifndef PERCH_SERVER_HTTP_TESTING_SEND_OUTCOME_H_
#define PERCH_SERVER_HTTP_TESTING_SEND_OUTCOME_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/common/errors.h"
#include "server/common/notification.h"
#include "server/http/http_transport.h"

namespace perch::http::testing {

// Generous: two shared cores, sanitizers (500 concurrent requests under
// ThreadSanitizer on a machine loaded by builds took 70 s in all). Tests that
// prove something is fast compare against a server delay far longer than
// this.
inline constexpr absl::Duration kWait = absl::Seconds(60);

// What one request's callback saw.
struct Outcome {
  Notification done;
  absl::StatusOr<HttpResponse> result = absl::UnknownError("callback not run");
  std::thread::id thread;
  std::atomic<int> calls{0};

  bool Wait() { return done.WaitForNotificationWithTimeout(kWait); }
};

inline HttpTransport::Callback Record(std::shared_ptr<Outcome> outcome) {
  return [outcome](absl::StatusOr<HttpResponse> result) {
    // A second call would be a contract breach; count it, never Notify twice.
    if (outcome->calls.fetch_add(1) > 0) return;
    outcome->thread = std::this_thread::get_id();
    outcome->result = std::move(result);
    outcome->done.Notify();
  };
}

// Sends `request` through `transport`; the returned outcome fills in when
// its callback runs. Stores the request's id in `*id` if given.
inline std::shared_ptr<Outcome> SendRecorded(
    HttpTransport& transport, HttpRequest request,
    HttpTransport::RequestId* id = nullptr) {
  auto outcome = std::make_shared<Outcome>();
  const HttpTransport::RequestId sent =
      transport.Send(std::move(request), Record(outcome));
  if (id != nullptr) *id = sent;
  return outcome;
}

inline HttpRequest Get(std::string url) {
  HttpRequest request;
  request.url = std::move(url);
  return request;
}

// The CURLcode an error carries in its ErrorInfo, or "" if none.
inline std::string CurlCode(const absl::Status& status) {
  auto info = GetErrorInfo(status);
  if (!info.has_value() || !info->metadata().contains("curl_code")) return "";
  return info->metadata().at("curl_code");
}

}  // namespace perch::http::testing

#endif  // PERCH_SERVER_HTTP_TESTING_SEND_OUTCOME_H_
