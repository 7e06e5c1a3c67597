#include "server/metrics/text_format.h"

#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace perch::metrics {
namespace {

absl::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// Backslash and newline escaped as the exposition format asks of HELP text;
// a label value, being quoted, escapes `"` as well.
std::string Escape(absl::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quotes && c == '"') {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// `{a="x",b="y"}` with `extra` (the le label) last; "" without labels.
void AppendLabels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values,
                  absl::string_view extra_name = "",
                  absl::string_view extra_value = "") {
  if (names.empty() && extra_name.empty()) return;
  out.push_back('{');
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.push_back(',');
    absl::StrAppend(&out, names[i], "=\"", EscapeLabelValue(values[i]), "\"");
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out.push_back(',');
    absl::StrAppend(&out, extra_name, "=\"", extra_value, "\"");
  }
  out.push_back('}');
}

void AppendSample(std::string& out, absl::string_view name,
                  const std::vector<std::string>& label_names,
                  const std::vector<std::string>& label_values,
                  absl::string_view value, absl::string_view le = "") {
  out.append(name.data(), name.size());
  AppendLabels(out, label_names, label_values, le.empty() ? "" : "le", le);
  absl::StrAppend(&out, " ", value, "\n");
}

}  // namespace

std::string EscapeHelp(absl::string_view help) {
  return Escape(help, /*quotes=*/false);
}

std::string EscapeLabelValue(absl::string_view value) {
  return Escape(value, /*quotes=*/true);
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  const auto [end, error] =
      std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, end);
}

std::string FormatText(const std::vector<FamilySnapshot>& families) {
  std::string out;
  for (const FamilySnapshot& family : families) {
    absl::StrAppend(&out, "# HELP ", family.name, " ", EscapeHelp(family.help),
                    "\n# TYPE ", family.name, " ", TypeName(family.type), "\n");
    for (const SeriesSnapshot& series : family.series) {
      if (family.type != MetricType::kHistogram) {
        AppendSample(out, family.name, family.label_names, series.label_values,
                     FormatValue(series.value));
        continue;
      }
      const std::string bucket = absl::StrCat(family.name, "_bucket");
      for (size_t i = 0; i < series.buckets.size(); ++i) {
        const std::string le = i < family.bounds.size()
                                   ? FormatValue(family.bounds[i])
                                   : std::string("+Inf");
        AppendSample(out, bucket, family.label_names, series.label_values,
                     absl::StrCat(series.buckets[i]), le);
      }
      AppendSample(out, absl::StrCat(family.name, "_sum"), family.label_names,
                   series.label_values, FormatValue(series.sum));
      AppendSample(out, absl::StrCat(family.name, "_count"), family.label_names,
                   series.label_values, absl::StrCat(series.count));
    }
  }
  return out;
}

}  // namespace perch::metrics
