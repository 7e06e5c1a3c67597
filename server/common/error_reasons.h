// Every ErrorInfo.reason perch sends, defined once: each layer that builds an
// error names its reason from here, so a reason is spelled in one place, and
// docs/api.md's table (security.md's for the caller gate) lists each one a
// caller can get. Which code and domain go with each is the builder's
// business; the comments say who builds it. Reasons are API: callers switch
// on them.
#ifndef PERCH_SERVER_COMMON_ERROR_REASONS_H_
#define PERCH_SERVER_COMMON_ERROR_REASONS_H_

#include "absl/strings/string_view.h"

namespace perch::reasons {

// The caller's own credentials, roles and quota at perch (security/'s caller
// gate; domain perch.v1). Only these start with CALLER_, and
// CALLER_UNAUTHENTICATED is the only UNAUTHENTICATED about the caller.
inline constexpr absl::string_view kCallerUnauthenticated =
    "CALLER_UNAUTHENTICATED";
inline constexpr absl::string_view kCallerNotPermitted = "CALLER_NOT_PERMITTED";
inline constexpr absl::string_view kCallerQuotaExceeded =
    "CALLER_QUOTA_EXCEEDED";

// perch's own app identity at the upstream (domain api.twitter.com): the
// caller can do nothing about these, an operator must. The strings are
// perch's contract (UPSTREAM.md's error mapping) and stay as they are; the
// constants say whose token: BEARER_TOKEN_REJECTED is perch's app token,
// never the caller's "authorization: Bearer <key>", whose refusal is
// CALLER_UNAUTHENTICATED in domain perch.v1.
inline constexpr absl::string_view kAppCredentialsRejected =
    "APP_CREDENTIALS_REJECTED";
inline constexpr absl::string_view kAppTokenRejected = "BEARER_TOKEN_REJECTED";
// The token endpoint issued a token_type other than bearer (domain
// api.twitter.com since issue #14, with the other two; was perch.v1).
inline constexpr absl::string_view kAppTokenTypeUnexpected =
    "UNEXPECTED_TOKEN_TYPE";
inline constexpr absl::string_view kAppNotEnrolled = "APP_NOT_ENROLLED";
inline constexpr absl::string_view kAppOnlyNotAllowed = "APP_ONLY_NOT_ALLOWED";
inline constexpr absl::string_view kAccessLevelInsufficient =
    "ACCESS_LEVEL_INSUFFICIENT";
inline constexpr absl::string_view kEndpointRetired = "ENDPOINT_RETIRED";
inline constexpr absl::string_view kCreditsDepleted = "CREDITS_DEPLETED";
inline constexpr absl::string_view kTokenNotInvalidated =
    "TOKEN_NOT_INVALIDATED";

// What the upstream said about the resource asked for (api.twitter.com).
inline constexpr absl::string_view kNotFound = "NOT_FOUND";  // v1.1
inline constexpr absl::string_view kResourceNotFound =
    "RESOURCE_NOT_FOUND";  // v2
inline constexpr absl::string_view kProtectedResource = "PROTECTED_RESOURCE";
inline constexpr absl::string_view kUserSuspended = "USER_SUSPENDED";
inline constexpr absl::string_view kRateLimited = "RATE_LIMITED";
inline constexpr absl::string_view kUsageCapped = "USAGE_CAPPED";

// The request itself: perch's validation (perch.v1) or the upstream's
// refusal of the caller's own search terms (api.twitter.com).
inline constexpr absl::string_view kInvalidRequest = "INVALID_REQUEST";

// The exchange with the upstream failed or made no sense (either domain:
// api.twitter.com when an answer said so, perch.v1 when perch found out).
inline constexpr absl::string_view kUpstreamUnavailable =
    "UPSTREAM_UNAVAILABLE";
inline constexpr absl::string_view kUpstreamRejectedRequest =
    "UPSTREAM_REJECTED_REQUEST";
inline constexpr absl::string_view kUpstreamMalformedResponse =
    "UPSTREAM_MALFORMED_RESPONSE";
inline constexpr absl::string_view kUpstreamResponseTooLarge =
    "UPSTREAM_RESPONSE_TOO_LARGE";
// perch asked libcurl for something impossible (a bug, not an outage).
inline constexpr absl::string_view kHttpTransportFailed =
    "HTTP_TRANSPORT_FAILED";

// The call's own lifetime (perch.v1), wherever it is noticed: the transport,
// the token holder, the coalescer, the reader.
inline constexpr absl::string_view kDeadlineExceeded = "DEADLINE_EXCEEDED";
inline constexpr absl::string_view kCancelled = "CANCELLED";

// perch itself (perch.v1): a configuration the transport cannot use (at
// start), and an error no layer explained or a reply that cannot be sent.
inline constexpr absl::string_view kInvalidConfig = "INVALID_CONFIG";
inline constexpr absl::string_view kInternal = "INTERNAL";
inline constexpr absl::string_view kUnavailable = "UNAVAILABLE";

}  // namespace perch::reasons

#endif  // PERCH_SERVER_COMMON_ERROR_REASONS_H_
