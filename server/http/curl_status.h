// The one table that turns a failed libcurl transfer (a CURLcode) into the
// transport's absl::Status. What an HTTP *response* means is upstream/'s
// business; this file only covers "no usable response arrived".
#ifndef PERCH_SERVER_HTTP_CURL_STATUS_H_
#define PERCH_SERVER_HTTP_CURL_STATUS_H_

#include <curl/curl.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace perch::http {

// The ErrorInfo metadata key holding the CURLcode number.
inline constexpr absl::string_view kCurlCodeKey = "curl_code";

// Maps `code` (not CURLE_OK) to UNAVAILABLE, DEADLINE_EXCEEDED or INTERNAL,
// with one ErrorInfo{reason, kPerchDomain, {curl_code: "<n>"}}, the reason
// UPSTREAM_UNAVAILABLE, DEADLINE_EXCEEDED or HTTP_TRANSPORT_FAILED. The message
// says what failed, then libcurl's own detail (`curl_detail`, its error
// buffer, may be empty), which names hosts, ports and TLS reasons but never
// request headers or bodies. CURLE_OK gives OkStatus(). Thread-safe.
absl::Status CurlCodeToStatus(CURLcode code, absl::string_view curl_detail);

}  // namespace perch::http

#endif  // PERCH_SERVER_HTTP_CURL_STATUS_H_
