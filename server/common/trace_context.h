// W3C Trace Context (https://www.w3.org/TR/trace-context/) as perch uses it:
// parse the `traceparent` a caller sent, continue its trace or start one,
// and give the `traceparent` perch's upstream requests carry. No spans are
// recorded or exported: the trace id ties perch's access log, the caller's
// logs and the upstream's together.
#ifndef PERCH_SERVER_COMMON_TRACE_CONTEXT_H_
#define PERCH_SERVER_COMMON_TRACE_CONTEXT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/random/bit_gen_ref.h"
#include "absl/strings/string_view.h"

namespace perch {

struct TraceContext {
  std::string trace_id;   // 32 lowercase hex digits, not all zero
  std::string parent_id;  // the caller's span (16 hex); "" in a new trace
  std::string span_id;    // perch's own span for this call (16 hex)
  // trace-flags as the caller sent them (bit 0: sampled); 00 in a trace
  // perch starts, since perch records no spans itself.
  uint8_t flags = 0;

  // "00-<trace_id>-<span_id>-<flags>": the traceparent of a request perch
  // makes on this call's behalf (perch's span is the upstream's parent).
  std::string Traceparent() const;
};

// The trace id, parent id and flags of a `traceparent` header value; span_id
// is left empty. nullopt when it is malformed: not
// "<version>-<32 hex>-<16 hex>-<2 hex>" in lowercase hex, version ff, an
// all-zero trace or parent id, or, for version 00, anything after the flags.
// A later version may append "-..." fields, which are ignored (the spec's
// forward compatibility rule).
std::optional<TraceContext> ParseTraceparent(absl::string_view value);

// The context of a call that arrived with `traceparent` ("" when it sent
// none): the caller's trace continued under a new span id of perch's, or, if
// it is absent or malformed (ignored, never an error), a new trace.
TraceContext ContinueOrStartTrace(absl::string_view traceparent,
                                  absl::BitGenRef random);

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_TRACE_CONTEXT_H_
