// What the emulator received, so one call can be followed from perch's
// access log to the upstream: each request's W3C traceparent. A request
// whose traceparent is sampled (flags bit 0, which a caller sets to ask for
// a trace) gets one log line; the last kKept traceparents are also kept for
// tests. Unsampled traffic (a benchmark's) writes nothing.
#ifndef PERCH_EMULATOR_REQUEST_LOG_H_
#define PERCH_EMULATOR_REQUEST_LOG_H_

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "emulator/http_message.h"

namespace perch::emulator {

struct TracedRequest {
  std::string method;
  std::string path;  // the route pattern for v2 ("/2/users/:id/tweets")
  std::string traceparent;
};

// Thread-safe.
class RequestLog {
 public:
  static constexpr size_t kKept = 1000;

  // Notes `request` (counted under `path`) if it carries a traceparent; logs
  // "emulator: received GET /2/users/:id/tweets traceparent=00-..." when that
  // is well-formed and sampled.
  void Record(const Request& request, absl::string_view path);

  // The traceparents received, oldest first (at most kKept).
  std::vector<TracedRequest> Recent() const;

 private:
  mutable absl::Mutex mu_;
  std::deque<TracedRequest> recent_ ABSL_GUARDED_BY(mu_);
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_REQUEST_LOG_H_
