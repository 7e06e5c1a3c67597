#include "server/service/access_log.h"

#include "absl/time/clock.h"
#include "server/common/log.h"

namespace perch::service {

JsonFields AccessLogFields(const CallRecord& record) {
  JsonFields fields;
  fields.Str("method", security::MethodName(record.method))
      .Str("caller", record.caller)
      .Str("peer", record.peer)
      .Str("code", absl::StatusCodeToString(record.code))
      .Str("reason", record.reason)
      .Int("duration_us", absl::ToInt64Microseconds(record.duration))
      .Int("upstream_requests", record.upstream_requests)
      .Bool("coalesced", record.coalesced)
      .Bool("from_cache", record.from_cache)
      .Int("page_size", record.page_size)
      .Str("trace_id", record.trace_id)
      .Str("span_id", record.span_id);
  return fields;
}

void AccessLog::OnCallDone(const CallRecord& record) {
  LogEvent(LogLevel::kInfo, "access", absl::Now(), AccessLogFields(record));
}

}  // namespace perch::service
