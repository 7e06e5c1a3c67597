// POST /oauth2/token and POST /oauth2/invalidate_token as UPSTREAM.md §1-3
// describe them: the Basic app credentials check, the form checks, the
// per-minute request threshold, and the one answer for every failure (403/99).
// Which token is live belongs to TokenAuthority.
#ifndef PERCH_EMULATOR_TOKEN_ROUTES_H_
#define PERCH_EMULATOR_TOKEN_ROUTES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "emulator/http_message.h"
#include "emulator/rate_limiter.h"
#include "emulator/token_authority.h"
#include "server/common/clock.h"

namespace perch::emulator {

inline constexpr absl::string_view kTokenPath = "/oauth2/token";
inline constexpr absl::string_view kInvalidateTokenPath =
    "/oauth2/invalidate_token";

struct AppCredentials {
  std::string key;
  std::string secret;
};

// Called on the loop thread only; the TokenAuthority it shares is what other
// threads may touch.
class TokenRoutes {
 public:
  // `apps[i]` is the credentials of `tokens`' app i.
  TokenRoutes(std::vector<AppCredentials> apps, TokenAuthority& tokens,
              int max_token_requests_per_minute, const Clock& clock);

  static bool Serves(absl::string_view path);

  // `token_type` is what a successful token answer says ("bearer" unless a
  // fault asks for another).
  Response Handle(const Request& request, absl::string_view token_type);

 private:
  Response IssueToken(const Request& request, absl::string_view token_type);
  Response InvalidateToken(const Request& request);
  // The app whose credentials the request carries, as Authorization: Basic
  // base64(urlencode(key) ":" urlencode(secret)); nullopt for none.
  std::optional<int> AppOf(const Request& request) const;
  // What both routes first check: a POST from a known app with a form body
  // holding `field`. Gives the app and the field's (decoded) value; nullopt
  // when any of that is off, which upstream answers alike.
  struct AppFormField {
    int app;
    std::string value;
  };
  std::optional<AppFormField> ReadAppForm(const Request& request,
                                          absl::string_view field) const;

  const std::vector<AppCredentials> apps_;
  TokenAuthority& tokens_;
  const Clock& clock_;
  RateLimiter token_requests_;  // one key: the app
};

// Content-Type is application/x-www-form-urlencoded, with any parameters
// (the upstream's own clients send ";charset=UTF-8").
bool IsFormContentType(const Request& request);

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_TOKEN_ROUTES_H_
