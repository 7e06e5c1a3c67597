#ifndef PERCH_SERVER_SERVICE_CALL_OBSERVER_H_
#define PERCH_SERVER_SERVICE_CALL_OBSERVER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/security/roles.h"

namespace perch::service {

// What one finished RPC did, as the access log and the call metrics see it.
// Holds no request text beyond these fields and never a secret: `caller` is
// the name from the callers file, `reason` the ErrorInfo reason.
struct CallRecord {
  security::Method method = security::Method::kObtain;
  std::string caller;  // empty when the caller was not admitted
  std::string peer;
  absl::StatusCode code = absl::StatusCode::kOk;
  std::string reason;  // ErrorInfo reason; empty on OK
  absl::Duration duration;
  int upstream_requests = 0;
  bool coalesced = false;   // served by joining an in-flight request
  bool from_cache = false;  // served without an upstream request
  int page_size = 0;        // reads only; 0 when not asked
  std::string trace_id;     // W3C trace id, 32 lowercase hex digits
  std::string span_id;      // perch's span: the parent id sent upstream
};

// Told about every RPC twice: when its handler starts (before the caller is
// admitted) and once when it has finished. Implementations must be
// thread-safe and quick: they run on the threads that start and finish the
// call.
class CallObserver {
 public:
  virtual ~CallObserver() = default;
  // Every call started is later done, exactly once.
  virtual void OnCallStart(security::Method /*method*/) {}
  virtual void OnCallDone(const CallRecord& record) = 0;
};

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_CALL_OBSERVER_H_
