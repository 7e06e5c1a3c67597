// The one table that turns an upstream answer into perch's status, for both
// dialects: v1.1 error codes (UPSTREAM.md section 5) and v2 problems,
// including the errors v2 sends inside a 200 (UPSTREAM-V2.md section 9).
// Transport failures (no response at all) are mapped by the http layer; this
// file owns what a response *says*. It lives in mapping, below auth and
// upstream, because both map answers through it (the token endpoints and the
// reads): a pure function of a response, like the rest of this layer.
#ifndef PERCH_SERVER_MAPPING_UPSTREAM_STATUS_H_
#define PERCH_SERVER_MAPPING_UPSTREAM_STATUS_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/http/http_types.h"
#include "server/mapping/v2_json.h"

namespace perch::mapping {

// Which kind of endpoint answered: the same HTTP outcome means different
// things on the token endpoints and on reads (403/99 is "bad app
// credentials" on oauth2/token but "not that token" on invalidate_token).
enum class Endpoint { kObtainToken, kInvalidateToken, kRead };

// OK for 2xx. Otherwise an error with exactly one ErrorInfo (domain
// api.twitter.com whatever the host, metadata http_status, endpoint and what
// the body said: upstream_code / upstream_message for v1.1, upstream_type /
// upstream_title / upstream_detail for a v2 problem), plus RetryInfo and
// QuotaFailure for rate limits and usage caps. `path` names the endpoint in
// messages and QuotaFailure (a route pattern such as "/2/users/:id/tweets",
// never a caller's value); `now` measures the time to a reset header.
absl::Status StatusFromResponse(Endpoint endpoint, absl::string_view path,
                                const http::HttpResponse& response,
                                absl::Time now);

// A v2 200 that may carry `errors` instead of the resource asked for. OK when
// `has_data` (partial errors about `includes` leave nested fields unset, not
// the read failed) or when no error concerns the requested resource (no
// error, or only `section: includes` ones). Otherwise the first such error:
// resource-not-found -> NOT_FOUND RESOURCE_NOT_FOUND, or FAILED_PRECONDITION
// USER_SUSPENDED when its title is "Forbidden" or its detail says "User has
// been suspended"; not-authorized-for-resource -> PERMISSION_DENIED
// PROTECTED_RESOURCE; any other type -> INTERNAL UPSTREAM_REJECTED_REQUEST.
// Metadata as above, http_status "200".
absl::Status StatusFromV2Errors(absl::string_view path, bool has_data,
                                const std::vector<v2::Problem>& errors);

// ErrorInfo metadata keys beside http_status / upstream_code /
// upstream_message (server/common/errors.h).
inline constexpr absl::string_view kEndpointKey = "endpoint";
// The problem type's last path segment ("usage-capped", "about:blank"), so
// callers see the same value whichever API host answered.
inline constexpr absl::string_view kUpstreamTypeKey = "upstream_type";
inline constexpr absl::string_view kUpstreamTitleKey = "upstream_title";
inline constexpr absl::string_view kUpstreamDetailKey = "upstream_detail";
// invalid-request: the parameters the upstream named, comma-separated.
inline constexpr absl::string_view kUpstreamParametersKey =
    "upstream_parameters";
// client-forbidden: what the app must enrol in, and where.
inline constexpr absl::string_view kRequiredEnrollmentKey =
    "required_enrollment";
inline constexpr absl::string_view kRegistrationUrlKey = "registration_url";

}  // namespace perch::mapping

#endif  // PERCH_SERVER_MAPPING_UPSTREAM_STATUS_H_
