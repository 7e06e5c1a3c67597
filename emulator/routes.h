// The front door of the emulator: every request passes here. Admin requests
// go straight to AdminRoutes; the others are counted (v2 ones under their
// route pattern, "/2/users/:id/tweets") and their traceparents noted
// (request_log.h), rolled against the fault rules, dispatched to the token,
// v1.1 or v2 read routes (or 404/34), and the fault's outcome is applied. Owns
// the emulator's state; no sockets here.
#ifndef PERCH_EMULATOR_ROUTES_H_
#define PERCH_EMULATOR_ROUTES_H_

#include <vector>

#include "emulator/account_status.h"
#include "emulator/admin_routes.h"
#include "emulator/emulator_options.h"
#include "emulator/fault_schedule.h"
#include "emulator/faults.h"
#include "emulator/http_message.h"
#include "emulator/read_routes.h"
#include "emulator/request_counters.h"
#include "emulator/request_log.h"
#include "emulator/token_authority.h"
#include "emulator/token_routes.h"
#include "emulator/v2_routes.h"
#include "server/common/clock.h"

namespace perch::emulator {

// Handle() runs on the loop thread. The accessors hand out components that
// are thread-safe themselves, for the Emulator's test-facing methods.
class Router {
 public:
  // `clock` must outlive the router. `options.faults` become the first rules.
  Router(const EmulatorOptions& options, const Clock& clock,
         std::vector<ReadEndpoint> read_endpoints,
         std::vector<V2Endpoint> v2_endpoints = {});

  Outcome Handle(const Request& request);

  TokenAuthority& tokens() { return tokens_; }
  FaultInjector& faults() { return faults_; }
  FaultSchedule& schedule() { return schedule_; }
  RequestCounters& counters() { return counters_; }
  const RequestLog& requests() const { return requests_; }
  RateLimiter& read_limits() { return reads_.limiter(); }
  AccountStatus& account() { return account_; }

 private:
  // The route's own answer, as if no fault were active.
  Response Dispatch(const Request& request, absl::string_view token_type);

  const Clock& clock_;
  TokenAuthority tokens_;
  AccountStatus account_;
  FaultInjector faults_;
  // After the admin's own rules: an admin rule with an outcome wins.
  FaultSchedule schedule_;
  RequestCounters counters_;
  RequestLog requests_;
  TokenRoutes token_routes_;
  ReadRoutes reads_;
  V2Routes v2_;
  AdminRoutes admin_;
};

// The 19-digit developer account id v2's billing errors name, from `seed`.
std::string AccountIdFor(uint64_t seed);

// The first half of `body` (at least one byte shorter): a JSON document cut
// short, the way a connection reset mid-body looks to a parser.
std::string TruncateBody(const std::string& body);

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_ROUTES_H_
