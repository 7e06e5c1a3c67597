// The one table that turns an upstream HTTP response into perch's status
// (UPSTREAM.md section 5). Transport failures (no response at all) are mapped
// by the http layer; this file owns what a response *says*.
#ifndef PERCH_SERVER_UPSTREAM_UPSTREAM_STATUS_H_
#define PERCH_SERVER_UPSTREAM_UPSTREAM_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/http/http_types.h"

namespace perch::upstream {

// Which kind of endpoint answered: the same HTTP outcome means different
// things on the token endpoints and on reads (403/99 is "bad app
// credentials" on oauth2/token but "not that token" on invalidate_token).
enum class Endpoint { kObtainToken, kInvalidateToken, kRead };

// OK for 2xx. Otherwise an error with exactly one ErrorInfo (domain
// api.twitter.com, metadata http_status / upstream_code / upstream_message),
// plus RetryInfo and QuotaFailure for 429. `path` names the endpoint in
// messages and QuotaFailure; `now` measures the time to x-rate-limit-reset.
absl::Status StatusFromResponse(Endpoint endpoint, absl::string_view path,
                                const http::HttpResponse& response,
                                absl::Time now);

// The reasons callers branch on.
inline constexpr absl::string_view kBearerTokenRejected =
    "BEARER_TOKEN_REJECTED";
inline constexpr absl::string_view kUpstreamUnavailable =
    "UPSTREAM_UNAVAILABLE";

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_UPSTREAM_STATUS_H_
