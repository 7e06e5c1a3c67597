// The Prometheus text exposition format, version 0.0.4: what GET /metrics
// answers. Pure formatting of a registry's snapshot; no I/O, no locks.
#ifndef PERCH_SERVER_METRICS_TEXT_FORMAT_H_
#define PERCH_SERVER_METRICS_TEXT_FORMAT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/metrics/registry.h"

namespace perch::metrics {

// The Content-Type of the text format.
inline constexpr absl::string_view kTextContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Each family as `# HELP`, `# TYPE` and one line per series, families in the
// order given, series in the order given (Registry::Collect sorts them by
// label values, so the output is stable from one scrape to the next). A
// histogram's series become `_bucket{le=...}` lines (cumulative, `+Inf`
// last), `_sum` and `_count`. A family without series writes only its HELP
// and TYPE lines.
std::string FormatText(const std::vector<FamilySnapshot>& families);

// HELP text: backslash and line feed escaped.
std::string EscapeHelp(absl::string_view help);
// A label value: backslash, double quote and line feed escaped.
std::string EscapeLabelValue(absl::string_view value);
// A sample value or bucket bound: the shortest text that reads back as the
// same double; +Inf, -Inf and NaN as Prometheus spells them.
std::string FormatValue(double value);

}  // namespace perch::metrics

#endif  // PERCH_SERVER_METRICS_TEXT_FORMAT_H_
