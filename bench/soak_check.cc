#include "bench/soak_check.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/status_code_name.h"

namespace perch::bench {
namespace {

using Code = grpc::StatusCode;

constexpr size_t kExamplesPerKind = 3;

std::string Ms(absl::Duration d) {
  return absl::StrFormat("%.0f ms", absl::ToDoubleMilliseconds(d));
}

}  // namespace

std::vector<TimedPhase> LayOut(const std::vector<SoakPhase>& rotation,
                               absl::Time start, absl::Time until) {
  std::vector<TimedPhase> phases;
  if (rotation.empty()) return phases;
  absl::Time at = start;
  for (size_t i = 0; at < until; i = (i + 1) % rotation.size()) {
    const absl::Duration d = std::max(rotation[i].duration, absl::Seconds(1));
    phases.push_back({rotation[i].fault, at, std::min(at + d, until)});
    at += d;
  }
  return phases;
}

SoakChecker::SoakChecker(std::vector<FaultClass> classes,
                         std::vector<TimedPhase> phases, absl::Duration margin)
    : classes_(std::move(classes)),
      calm_(CalmClass()),
      phases_(std::move(phases)),
      margin_(margin) {
  for (const TimedPhase& p : phases_) ++rows_[ClassOf(p).name].phases;
}

const FaultClass& SoakChecker::ClassOf(const TimedPhase& p) const {
  return p.fault < 0 ? calm_ : classes_[p.fault];
}

const CodeSet& SoakChecker::Allowed(const TimedPhase& p, SoakRpc rpc) const {
  const FaultClass& c = ClassOf(p);
  if (IsRead(rpc)) return c.reads;
  return rpc == SoakRpc::kObtain ? c.obtain : c.invalidate;
}

void SoakChecker::Note(const std::string& kind, const std::string& example) {
  ++violation_counts_[kind];
  auto& examples = violation_examples_[kind];
  if (examples.size() < kExamplesPerKind) examples.push_back(example);
}

void SoakChecker::Add(const SoakCall& call) {
  // The row: the phase the call started in.
  std::string row_name = "warm-up";
  if (call.drain) {
    row_name = "shutdown";
  } else {
    for (const TimedPhase& p : phases_) {
      if (call.start >= p.start && call.start < p.end) {
        row_name = ClassOf(p).name;
        break;
      }
    }
  }
  SoakRow& row = rows_[row_name];
  row.name = row_name;
  ++row.calls;
  ++row.codes[call.code];

  const std::string what = absl::StrCat(
      SoakRpcName(call.rpc), " in ", row_name, ": ", StatusCodeName(call.code),
      call.message.empty() ? "" : absl::StrCat(" \"", call.message, "\""));

  // The codes allowed: those of every phase the call overlapped, and of
  // every phase whose aftermath it started in. Warm-up and shutdown: calm.
  CodeSet allowed = calm_.reads;
  if (!call.drain) {
    for (const TimedPhase& p : phases_) {
      const FaultClass& c = ClassOf(p);
      const bool overlaps = call.start < p.end && call.end >= p.start;
      const bool after =
          call.start >= p.end && call.start < p.end + c.aftermath;
      if (overlaps || after) {
        const CodeSet& codes = Allowed(p, call.rpc);
        allowed.insert(codes.begin(), codes.end());
      }
      if (overlaps && IsRead(call.rpc) && call.code == c.signature &&
          c.signature != Code::OK) {
        signature_seen_[c.name] = true;
      }
    }
  }
  if (allowed.count(call.code) == 0) {
    ++row.unexpected;
    Note(call.code == Code::UNKNOWN    ? "UNKNOWN code"
         : call.code == Code::INTERNAL ? "INTERNAL outside malformed JSON"
                                       : "code the fault does not map to",
         what);
  }
  const absl::Duration over = (call.end - call.start) - call.budget;
  row.slowest_over_budget = std::max(row.slowest_over_budget, over);
  if (over > margin_) {
    ++row.late;
    Note(absl::StrCat("ended later than its deadline + ", Ms(margin_)),
         absl::StrCat(what, " (", Ms(over), " over)"));
  }
}

std::vector<SoakRow> SoakChecker::Rows() const {
  std::vector<std::string> order = {"warm-up"};
  for (const FaultClass& c : classes_) order.push_back(c.name);
  order.push_back("calm");
  order.push_back("shutdown");
  std::vector<SoakRow> rows;
  for (const std::string& name : order) {
    auto it = rows_.find(name);
    SoakRow row = it == rows_.end() ? SoakRow{} : it->second;
    row.name = name;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::string> SoakChecker::Violations() const {
  std::vector<std::string> out;
  for (const auto& [kind, count] : violation_counts_) {
    std::string line = absl::StrCat(count, " call(s): ", kind, "; e.g.");
    for (const std::string& e : violation_examples_.at(kind)) {
      absl::StrAppend(&line, "\n    ", e);
    }
    out.push_back(std::move(line));
  }
  for (const FaultClass& c : classes_) {
    auto row = rows_.find(c.name);
    const bool ran = row != rows_.end() && row->second.calls > 0;
    if (ran && c.signature != Code::OK && !signature_seen_.count(c.name)) {
      out.push_back(absl::StrCat("fault ", c.name, " never showed: no read ",
                                 "during it ended ",
                                 StatusCodeName(c.signature)));
    }
  }
  return out;
}

std::string FormatSoakTable(const std::vector<SoakRow>& rows) {
  const std::vector<Code> columns = {Code::OK,
                                     Code::UNAVAILABLE,
                                     Code::DEADLINE_EXCEEDED,
                                     Code::INTERNAL,
                                     Code::RESOURCE_EXHAUSTED,
                                     Code::UNAUTHENTICATED,
                                     Code::FAILED_PRECONDITION};
  std::string out =
      absl::StrFormat("| %-19s | %6s | %7s |", "phase", "phases", "calls");
  std::string rule = "|---------------------|-------:|--------:|";
  for (Code c : columns) {
    absl::StrAppendFormat(&out, " %s |", StatusCodeName(c));
    absl::StrAppend(&rule, std::string(StatusCodeName(c).size() + 1, '-'),
                    ":|");
  }
  absl::StrAppend(&out, " other | unexpected | late | worst vs deadline |\n");
  absl::StrAppend(&rule, "------:|-----------:|-----:|------------------:|\n");
  absl::StrAppend(&out, rule);
  for (const SoakRow& row : rows) {
    absl::StrAppendFormat(&out, "| %-19s | %6d | %7d |", row.name, row.phases,
                          row.calls);
    int64_t listed = 0;
    for (Code c : columns) {
      auto it = row.codes.find(c);
      const int64_t n = it == row.codes.end() ? 0 : it->second;
      listed += n;
      absl::StrAppendFormat(&out, " %*d |",
                            static_cast<int>(StatusCodeName(c).size()), n);
    }
    const std::string worst =
        row.calls == 0
            ? "-"
            : absl::StrFormat("%+.0f ms", absl::ToDoubleMilliseconds(
                                              row.slowest_over_budget));
    absl::StrAppendFormat(&out, " %5d | %10d | %4d | %17s |\n",
                          row.calls - listed, row.unexpected, row.late, worst);
  }
  return out;
}

}  // namespace perch::bench
