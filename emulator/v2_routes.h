// The v2 read endpoints' common contract (UPSTREAM-V2.md §1, §3-4): route
// patterns with path parameters, the bearer check (401 about:blank for a
// missing, unknown or revoked token), 403 unsupported-authentication on
// user-context-only endpoints, the account's access level and billing state
// (403 client-not-enrolled, 402, 429 usage-capped), per-endpoint 15-minute
// windows with the app-only limits and x-rate-limit-* headers (429 past
// them) and the parameter checks (400 invalid-request). What each endpoint
// answers is a V2Endpoint's business (world_reads_v2.cc).
#ifndef PERCH_EMULATOR_V2_ROUTES_H_
#define PERCH_EMULATOR_V2_ROUTES_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "emulator/account_status.h"
#include "emulator/http_message.h"
#include "emulator/rate_limiter.h"
#include "emulator/token_authority.h"
#include "emulator/v2_params.h"
#include "server/common/clock.h"

namespace perch::emulator {

inline constexpr absl::string_view kV2Prefix = "/2/";

// ":id" -> "2244994945", ":username" -> "perch_dev" (names without ':').
using PathParams = absl::flat_hash_map<std::string, std::string>;

// One GET endpoint. `handle` runs only for authenticated, enrolled,
// in-budget requests whose parameters passed `spec`, on the loop thread.
struct V2Endpoint {
  std::string pattern;  // "/2/users/:id/tweets"
  V2ParamSpec spec;
  std::function<Response(const PathParams& path, const V2Params& params)>
      handle;
};

// Called on the loop thread; everything it shares is thread-safe.
class V2Routes {
 public:
  // `account_id` is the 19-digit id 402 and usage-capped bodies name.
  V2Routes(const TokenAuthority& tokens, const Clock& clock,
           RateLimiter& limiter, const AccountStatus& account,
           std::string account_id, std::vector<V2Endpoint> endpoints);

  static bool Serves(absl::string_view path) {
    return absl::StartsWith(path, kV2Prefix);
  }

  // The pattern of the endpoint `path` names ("/2/users/:id/tweets"), or
  // `path` itself when none does: the key of the request counters and of
  // the rate-limit windows.
  std::string PatternOf(absl::string_view path) const;

  Response Handle(const Request& request);

 private:
  struct Route {
    std::vector<std::string> segments;  // ":id" for a parameter
    int literals = 0;
    const V2Endpoint* endpoint = nullptr;  // nullptr: user context only
  };
  // The route with the most literal segments that matches, or nullptr.
  const Route* Match(absl::string_view path, PathParams* params) const;

  const TokenAuthority& tokens_;
  const Clock& clock_;
  RateLimiter& limiter_;
  const AccountStatus& account_;
  const std::string account_id_;
  std::vector<V2Endpoint> endpoints_;
  std::vector<Route> routes_;
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_V2_ROUTES_H_
