#include "server/common/trace_context.h"

#include "absl/random/distributions.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace perch {
namespace {

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(absl::string_view s) {
  return s.find_first_not_of('0') == absl::string_view::npos;
}

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

// `digits` random lowercase hex digits, not all zero (an all-zero id is
// invalid in the spec).
std::string RandomHex(absl::BitGenRef random, int digits) {
  std::string out;
  do {
    out.clear();
    for (int i = 0; i < digits; i += 16) {
      absl::StrAppendFormat(&out, "%016x", absl::Uniform<uint64_t>(random));
    }
    out.resize(static_cast<size_t>(digits));
  } while (AllZero(out));
  return out;
}

}  // namespace

std::string TraceContext::Traceparent() const {
  return absl::StrFormat("00-%s-%s-%02x", trace_id, span_id, flags);
}

std::optional<TraceContext> ParseTraceparent(absl::string_view value) {
  // version(2) '-' trace-id(32) '-' parent-id(16) '-' flags(2)
  constexpr size_t kLength = 55;
  if (value.size() < kLength) return std::nullopt;
  const absl::string_view version = value.substr(0, 2);
  if (!IsLowerHex(version) || version == "ff") return std::nullopt;
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') {
    return std::nullopt;
  }
  if (value.size() > kLength && (version == "00" || value[kLength] != '-')) {
    return std::nullopt;
  }
  const absl::string_view trace_id = value.substr(3, 32);
  const absl::string_view parent_id = value.substr(36, 16);
  const absl::string_view flags = value.substr(53, 2);
  if (!IsLowerHex(trace_id) || !IsLowerHex(parent_id) || !IsLowerHex(flags) ||
      AllZero(trace_id) || AllZero(parent_id)) {
    return std::nullopt;
  }
  TraceContext context;
  context.trace_id = std::string(trace_id);
  context.parent_id = std::string(parent_id);
  context.flags =
      static_cast<uint8_t>(HexValue(flags[0]) * 16 + HexValue(flags[1]));
  return context;
}

TraceContext ContinueOrStartTrace(absl::string_view traceparent,
                                  absl::BitGenRef random) {
  std::optional<TraceContext> context = ParseTraceparent(traceparent);
  if (!context.has_value()) {
    context.emplace();
    context->trace_id = RandomHex(random, 32);
  }
  context->span_id = RandomHex(random, 16);
  return *std::move(context);
}

}  // namespace perch
