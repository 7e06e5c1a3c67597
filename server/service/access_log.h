// The access log: one structured line per finished RPC (type "access"),
// written through server/common/log.h. docs/observability.md documents each
// field. It holds what CallRecord holds and nothing more: no request text,
// no credential.
#ifndef PERCH_SERVER_SERVICE_ACCESS_LOG_H_
#define PERCH_SERVER_SERVICE_ACCESS_LOG_H_

#include "absl/time/time.h"
#include "server/common/json_fields.h"
#include "server/service/call_observer.h"

namespace perch::service {

// The line's fields, in this order: method, caller, peer, code, reason,
// duration_us, upstream_requests, coalesced, from_cache, page_size,
// trace_id, span_id.
JsonFields AccessLogFields(const CallRecord& record);

// Thread-safe. Each call's line is stamped with the time it finished.
class AccessLog final : public CallObserver {
 public:
  void OnCallDone(const CallRecord& record) override;
};

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_ACCESS_LOG_H_
