#include "emulator/request_log.h"

#include <optional>
#include <utility>

#include "server/common/log.h"
#include "server/common/trace_context.h"

namespace perch::emulator {

void RequestLog::Record(const Request& request, absl::string_view path) {
  const std::string* traceparent = request.Header("traceparent");
  if (traceparent == nullptr) return;
  std::optional<TraceContext> trace = ParseTraceparent(*traceparent);
  if (trace.has_value() && (trace->flags & 1) != 0) {
    // Well-formed, so its first 55 bytes are lowercase hex and dashes; a
    // later version's extra fields are not repeated.
    LogInfo("emulator: received ", request.method, " ", path,
            " traceparent=", absl::string_view(*traceparent).substr(0, 55));
  }
  absl::MutexLock lock(&mu_);
  if (recent_.size() == kKept) recent_.pop_front();
  recent_.push_back(TracedRequest{request.method, std::string(path),
                                  traceparent->substr(0, 64)});
}

std::vector<TracedRequest> RequestLog::Recent() const {
  absl::MutexLock lock(&mu_);
  return std::vector<TracedRequest>(recent_.begin(), recent_.end());
}

}  // namespace perch::emulator
