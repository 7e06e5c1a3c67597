// The upstream's error answers, byte for byte as UPSTREAM.md §3 gives them:
// every route builds its failures here so the bodies cannot drift apart.
// Knows nothing about when each error applies; the routes decide that.
#ifndef PERCH_EMULATOR_ERROR_BODIES_H_
#define PERCH_EMULATOR_ERROR_BODIES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "emulator/http_message.h"

namespace perch::emulator {

inline constexpr absl::string_view kJsonContentType =
    "application/json;charset=utf-8";

// A response with a JSON body and the upstream's content type.
Response JsonResponse(int status, std::string body);

// {"errors":[{"code":N,"message":"..."}]}
Response ErrorResponse(int status, int code, absl::string_view message);

// 403 {"errors":[{"code":99,"message":"Unable to verify your credentials",
// "label":"authenticity_token_error"}]}: every token-endpoint failure.
Response TokenErrorResponse();

// The rows of the table used by more than one route.
Response BadAuthenticationData();  // 400/215
Response InvalidOrExpiredToken();  // 401/89
Response AppOnlyNotAllowed();      // 403/220
Response PageDoesNotExist();       // 404/34
Response RateLimitExceeded();      // 429/88
Response UserNotFound();           // 404/50
Response UserSuspended();          // 403/63
// 403/453: the app's access level covers v2 (and media/oauth) only
// (UPSTREAM-V2.md §3.6, the current wording).
Response AccessLevelInsufficient();

// A protected account's timeline (and follower lists): 401 with the old
// {"request":"<path>","error":"Not authorized."} body, not an errors array.
Response NotAuthorized(absl::string_view request_path);

// A read without the parameter that names what to read. The upstream's
// answer varies by endpoint and era; we use the documented 400/25
// "Query parameters are missing." for search and user endpoints **(choice)**
// and 400/112 for a list named neither by id nor by owner and slug.
Response QueryParametersMissing();  // 400/25
Response ListNotSpecified();        // 400/112

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_ERROR_BODIES_H_
