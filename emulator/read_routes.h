// The v1.1 read endpoints' common contract (UPSTREAM.md §3-4): the bearer
// check (400/215, 401/89), 403/453 when the account has v2 access only,
// 403/220 on user-context-only endpoints, 15-minute per-endpoint windows
// with the app-only limits and x-rate-limit-* headers, 429/88 past them. What
// each endpoint answers is a ReadEndpoint's business: placeholder_reads.cc
// today, a synthetic World later.
#ifndef PERCH_EMULATOR_READ_ROUTES_H_
#define PERCH_EMULATOR_READ_ROUTES_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "emulator/account_status.h"
#include "emulator/codec.h"
#include "emulator/http_message.h"
#include "emulator/rate_limiter.h"
#include "emulator/token_authority.h"
#include "server/common/clock.h"

namespace perch::emulator {

// Requests per 15-minute window for a path missing from the §4 table.
inline constexpr int kDefaultReadLimit = 900;

// The app-only limit of `path` (a v1.1 path or a v2 route pattern) per
// UPSTREAM.md §4 and UPSTREAM-V2.md §1.5, else kDefaultReadLimit.
int AppOnlyReadLimit(absl::string_view path);

// The token of an "Authorization: Bearer <token>" header, byte for byte;
// nullopt when the header is missing, of another scheme or empty.
std::optional<absl::string_view> BearerToken(const Request& request);

// One GET endpoint. `handle` runs only for authenticated requests within the
// rate limit, on the loop thread; `params` is the decoded query. It returns
// the whole response (status, body); the rate-limit headers are added after.
struct ReadEndpoint {
  std::string path;
  std::function<Response(const Request& request, const FormFields& params)>
      handle;
};

// Called on the loop thread, except limiter(), which is thread-safe.
class ReadRoutes {
 public:
  ReadRoutes(const TokenAuthority& tokens, const Clock& clock,
             const AccountStatus& account, std::vector<ReadEndpoint> endpoints);

  // True for every endpoint given and for the user-context-only paths.
  bool Serves(absl::string_view path) const;

  Response Handle(const Request& request);

  RateLimiter& limiter() { return limiter_; }

 private:
  const TokenAuthority& tokens_;
  const Clock& clock_;
  const AccountStatus& account_;
  absl::flat_hash_map<std::string, ReadEndpoint> endpoints_;
  RateLimiter limiter_;
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_READ_ROUTES_H_
