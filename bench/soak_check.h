// Judges a soak's calls against the fault schedule it ran: which phase each
// call met, whether its code is one that phase's fault maps to, and whether
// it ended within its deadline plus a margin. Builds the per-fault table the
// soak prints. Pure: the calls and the schedule go in, rows and violations
// come out.
#ifndef PERCH_BENCH_SOAK_CHECK_H_
#define PERCH_BENCH_SOAK_CHECK_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench/soak_faults.h"

namespace perch::bench {

struct SoakCall {
  SoakRpc rpc = SoakRpc::kGetTimeline;
  absl::Time start;
  absl::Time end;
  // The deadline perch works to: the call's own, or perch's --max_call_time
  // for a call that carries none.
  absl::Duration budget;
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string message;  // the status message, for the examples of failures
  // Sent after the schedule ended, to check the SIGTERM drain: must be OK.
  bool drain = false;
};

// One phase of the schedule, at its place in time; fault -1 is calm.
struct TimedPhase {
  int fault = -1;
  absl::Time start;
  absl::Time end;
};

// The rotation repeated from `start` until `until`.
std::vector<TimedPhase> LayOut(const std::vector<SoakPhase>& rotation,
                               absl::Time start, absl::Time until);

struct SoakRow {
  std::string name;  // a fault class, "calm", "warm-up" or "shutdown"
  int64_t calls = 0;
  std::map<grpc::StatusCode, int64_t> codes;
  int64_t unexpected = 0;  // codes the fault does not map to
  int64_t late = 0;        // ended past budget + margin
  absl::Duration slowest_over_budget = -absl::InfiniteDuration();
  int64_t phases = 0;  // how many of its phases the run went through
};

class SoakChecker {
 public:
  // Calls that start before the first phase are "warm-up" and judged as
  // calm.
  SoakChecker(std::vector<FaultClass> classes, std::vector<TimedPhase> phases,
              absl::Duration margin);

  void Add(const SoakCall& call);

  // Warm-up, then the fault classes in rotation order, calm, shutdown.
  std::vector<SoakRow> Rows() const;
  // Every violation so far, in words, at most a few examples per kind,
  // including fault classes whose signature code never showed.
  std::vector<std::string> Violations() const;

 private:
  // The codes allowed for `rpc` by phase `p`.
  const CodeSet& Allowed(const TimedPhase& p, SoakRpc rpc) const;
  const FaultClass& ClassOf(const TimedPhase& p) const;
  void Note(const std::string& kind, const std::string& example);

  const std::vector<FaultClass> classes_;
  const FaultClass calm_;
  const std::vector<TimedPhase> phases_;
  const absl::Duration margin_;
  std::map<std::string, SoakRow> rows_;
  std::map<std::string, bool> signature_seen_;
  std::map<std::string, int64_t> violation_counts_;
  std::map<std::string, std::vector<std::string>> violation_examples_;
};

// The rows as a fixed-width table, one line per row plus a header.
std::string FormatSoakTable(const std::vector<SoakRow>& rows);

}  // namespace perch::bench

#endif  // PERCH_BENCH_SOAK_CHECK_H_
