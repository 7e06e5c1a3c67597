// The emulator's own control endpoints under /_emulator/, for scripts and
// benchmarks that run the binary: add and clear fault rules, revoke the token,
// override a rate limit, read and reset the counters. They are never counted
// nor faulted, and are not part of the imitated upstream.
#ifndef PERCH_EMULATOR_ADMIN_ROUTES_H_
#define PERCH_EMULATOR_ADMIN_ROUTES_H_

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "emulator/faults.h"
#include "emulator/http_message.h"
#include "emulator/rate_limiter.h"
#include "emulator/request_counters.h"
#include "emulator/token_authority.h"

namespace perch::emulator {

inline constexpr absl::string_view kAdminPrefix = "/_emulator/";

// One fault rule as JSON, every field optional:
//   {"path_prefix":"/1.1/", "latency_ms":200, "probability":0.5,
//    "status":503, "code":130, "message":"Over capacity", "body":"",
//    "malformed":true, "drop":true, "token_type":"mac", "times":3}
// INVALID_ARGUMENT on bad JSON, an unknown field or an out-of-range value.
absl::StatusOr<FaultRule> ParseFaultRuleJson(absl::string_view json);

// Runs on the loop thread; everything it touches is thread-safe.
class AdminRoutes {
 public:
  AdminRoutes(FaultInjector& faults, TokenAuthority& tokens,
              RequestCounters& counters, RateLimiter& read_limits)
      : faults_(faults),
        tokens_(tokens),
        counters_(counters),
        read_limits_(read_limits) {}

  static bool Serves(absl::string_view path) {
    return absl::StartsWith(path, kAdminPrefix);
  }

  //   POST   /_emulator/faults       body: a rule (above) -> {"faults":N}
  //   DELETE /_emulator/faults       -> {"faults":0}
  //   POST   /_emulator/revoke       -> {"revoked":true}
  //   POST   /_emulator/rate_limits  body: {"path":"/1.1/...","limit":N}
  //   POST   /_emulator/reset        counters and rate-limit windows
  //   GET    /_emulator/stats        -> {"requests":{path:n},
  //                                      "tokens_issued":n,"faults":n}
  Response Handle(const Request& request);

 private:
  Response AddFault(const Request& request);
  Response SetRateLimit(const Request& request);
  Response Stats();

  FaultInjector& faults_;
  TokenAuthority& tokens_;
  RequestCounters& counters_;
  RateLimiter& read_limits_;
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_ADMIN_ROUTES_H_
