// Fault injection: rules that add latency to, fail, corrupt or drop the
// requests whose path they match, decided with a seeded RNG so a run is
// reproducible. Says what to do to a request; routes.cc and the HTTP server
// do it. Admin paths never reach this.
#ifndef PERCH_EMULATOR_FAULTS_H_
#define PERCH_EMULATOR_FAULTS_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace perch::emulator {

// One rule. A rule "fires" on a request whose path starts with `path_prefix`
// with chance `probability`; a firing rule adds `latency` and, if it has an
// outcome (status, malformed body, drop, token type), imposes it.
struct FaultRule {
  std::string path_prefix;  // "" matches every path
  absl::Duration latency = absl::ZeroDuration();
  double probability = 1.0;  // in [0, 1]

  // Outcomes, at most one applied per request (the first firing rule's):
  // drop_connection / reset_connection, then status, then the ones that
  // change the route's own answer (malformed_body, cut_body, trickle,
  // token_type).
  int status = 0;                // non-zero: answer this instead of the route
  int error_code = 0;            // with status: {"errors":[{code, message}]}
  std::string error_message;     // with error_code
  std::string body;              // with status and no error_code: this body
  std::string content_type;      // with body; "" means text/html
  bool malformed_body = false;   // the route's answer, its body cut short
  bool drop_connection = false;  // close without answering
  bool reset_connection = false;  // abort the connection (RST), no answer
  // The route's answer with its whole length announced, half the body sent,
  // then the connection closed: a transfer cut short, not a short document.
  bool cut_body = false;
  // > 0: the route's answer, its body sent this many bytes at a time, one
  // piece every `trickle_every`.
  int64_t trickle_bytes = 0;
  absl::Duration trickle_every = absl::Milliseconds(100);
  std::string token_type;        // non-empty: a token success says this type

  // 0: fires until cleared; N > 0: fires N more times, then disappears.
  int64_t times = 0;

  bool has_outcome() const {
    return status != 0 || malformed_body || drop_connection ||
           reset_connection || cut_body || trickle_bytes > 0 ||
           !token_type.empty();
  }
};

// What the firing rules decided for one request.
struct FaultDecision {
  absl::Duration latency = absl::ZeroDuration();  // summed over firing rules
  std::optional<FaultRule> outcome;  // the first firing rule with an outcome
};

// Thread-safe: the loop thread decides while a test thread adds and clears.
class FaultInjector {
 public:
  explicit FaultInjector(uint64_t seed) : rng_(seed) {}

  void Add(FaultRule rule);
  void Clear();
  size_t size() const;

  // Rolls every rule matching `path` in the order they were added. A rule
  // also matches when its prefix starts `pattern`, the route pattern of a v2
  // path ("/2/users/:id/tweets"), so one endpoint can be faulted alone.
  FaultDecision Decide(absl::string_view path, absl::string_view pattern = "");

 private:
  mutable absl::Mutex mu_;
  std::vector<FaultRule> rules_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_FAULTS_H_
