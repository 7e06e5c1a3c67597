// The emulator's own control endpoints under /_emulator/, for scripts and
// benchmarks that run the binary: add and clear fault rules, revoke the token,
// override a rate limit, switch the account's access level and state, read
// and reset the counters. They are never counted nor faulted, and are not
// part of the imitated upstream.
#ifndef PERCH_EMULATOR_ADMIN_ROUTES_H_
#define PERCH_EMULATOR_ADMIN_ROUTES_H_

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include <optional>
#include <vector>

#include "emulator/account_status.h"
#include "emulator/fault_schedule.h"
#include "emulator/faults.h"
#include "emulator/http_message.h"
#include "emulator/rate_limiter.h"
#include "emulator/request_counters.h"
#include "emulator/token_authority.h"
#include "server/common/clock.h"

namespace perch::emulator {

inline constexpr absl::string_view kAdminPrefix = "/_emulator/";

// One fault rule as JSON, every field optional:
//   {"path_prefix":"/1.1/", "latency_ms":200, "probability":0.5,
//    "status":503, "code":130, "message":"Over capacity", "body":"",
//    "content_type":"application/problem+json", "malformed":true,
//    "drop":true, "reset":true, "cut":true, "trickle_bytes":8,
//    "trickle_ms":250, "token_type":"mac", "times":3}
// INVALID_ARGUMENT on bad JSON, an unknown field or an out-of-range value.
absl::StatusOr<FaultRule> ParseFaultRuleJson(absl::string_view json);

// A fault schedule as JSON (fault_schedule.h):
//   {"start_unix_ms":1700000000000, "repeat":true,
//    "phases":[{"name":"5xx", "duration_ms":8000, "revoke_every_ms":0,
//               "faults":[<rule as above>, ...]}, ...]}
// Without start_unix_ms it starts when it is set; repeat defaults to true.
struct FaultScheduleSpec {
  std::vector<FaultPhase> phases;
  std::optional<absl::Time> start;
  bool repeat = true;
};
absl::StatusOr<FaultScheduleSpec> ParseFaultScheduleJson(
    absl::string_view json);

// Runs on the loop thread; everything it touches is thread-safe.
class AdminRoutes {
 public:
  // `clock` dates a schedule that names no start and tells where it is.
  AdminRoutes(FaultInjector& faults, FaultSchedule& schedule,
              TokenAuthority& tokens, RequestCounters& counters,
              RateLimiter& read_limits, AccountStatus& account,
              const Clock& clock)
      : faults_(faults),
        schedule_(schedule),
        tokens_(tokens),
        counters_(counters),
        read_limits_(read_limits),
        account_(account),
        clock_(clock) {}

  static bool Serves(absl::string_view path) {
    return absl::StartsWith(path, kAdminPrefix);
  }

  //   POST   /_emulator/faults       body: a rule (above) -> {"faults":N}
  //   DELETE /_emulator/faults       -> {"faults":0}
  //   POST   /_emulator/schedule     body: a schedule (above)
  //                                  -> {"phases":N,"start_unix_ms":T,
  //                                      "cycle_ms":C}
  //   GET    /_emulator/schedule     -> {"active":false} or {"active":true,
  //                                  "cycle":C,"index":I,"phase":NAME,
  //                                  "phase_start_unix_ms":T}
  //   DELETE /_emulator/schedule     -> {"active":false}
  //   POST   /_emulator/revoke       -> {"revoked":true}
  //   POST   /_emulator/rate_limits  body: {"path":"/1.1/...","limit":N}
  //                                  (v2: the route pattern as "path",
  //                                  e.g. "/2/users/:id/tweets")
  //   POST   /_emulator/account      body: {"access":A,"state":S}, either
  //                                  optional; A full|v2_only|not_enrolled,
  //                                  S ok|usage_capped|credits_depleted
  //                                  -> {"access":A,"state":S}
  //   GET    /_emulator/account      -> {"access":A,"state":S}
  //   POST   /_emulator/reset        counters, rate-limit windows, and the
  //                                  account back to its start-up values
  //   GET    /_emulator/stats        -> {"requests":{key:n},
  //                                      "tokens_issued":n,
  //                                      "revocations":n,"faults":n,
  //                                      "apps":[{"tokens_issued":n,
  //                                               "token_uses":n}, ...]}
  //                                  apps: the app, then the second app if
  //                                  configured; token_uses: reads whose
  //                                  token was that app's
  //                                  key: the path, or for v2 the route
  //                                  pattern ("/2/users/by/username/:username")
  Response Handle(const Request& request);

 private:
  Response AddFault(const Request& request);
  Response SetSchedule(const Request& request);
  Response Schedule();
  Response SetRateLimit(const Request& request);
  Response SetAccount(const Request& request);
  Response Account();
  Response Stats();

  FaultInjector& faults_;
  FaultSchedule& schedule_;
  TokenAuthority& tokens_;
  RequestCounters& counters_;
  RateLimiter& read_limits_;
  AccountStatus& account_;
  const Clock& clock_;
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_ADMIN_ROUTES_H_
