#include "server/upstream/upstream_status.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/mapping/error_json.h"

namespace perch::upstream {
namespace {

struct Outcome {
  absl::StatusCode code;
  absl::string_view reason;
};

// The table. `upstream_code` is 0 when the body carried no code.
Outcome Classify(Endpoint endpoint, int http_status, int upstream_code,
                 absl::string_view upstream_message) {
  using C = absl::StatusCode;
  switch (endpoint) {
    case Endpoint::kObtainToken:
      // 403/99 covers wrong credentials, missing grant_type, wrong content
      // type and too-frequent requests; older docs say 403/170 for a missing
      // grant_type. Every one means the app could not get a token.
      if (http_status == 403 || http_status == 401) {
        return {C::kUnauthenticated, "APP_CREDENTIALS_REJECTED"};
      }
      break;
    case Endpoint::kInvalidateToken:
      // 403/99: the token is wrong or already revoked (or the credentials
      // are wrong): nothing was invalidated.
      if (http_status == 403 || http_status == 401) {
        return {C::kFailedPrecondition, "TOKEN_NOT_INVALIDATED"};
      }
      break;
    case Endpoint::kRead:
      // 401 per the response-code page; one table in the docs says 403.
      if ((http_status == 401 || http_status == 403) && upstream_code == 89) {
        return {C::kUnauthenticated, kBearerTokenRejected};
      }
      // A protected account's timeline: 401 with {"error":"Not authorized."}.
      if (http_status == 401 && upstream_code == 0 &&
          upstream_message == "Not authorized.") {
        return {C::kPermissionDenied, "PROTECTED_RESOURCE"};
      }
      if (http_status == 403 && upstream_code == 220) {
        return {C::kPermissionDenied, "APP_ONLY_NOT_ALLOWED"};
      }
      if (http_status == 403 && upstream_code == 179) {
        return {C::kPermissionDenied, "PROTECTED_RESOURCE"};
      }
      if (http_status == 403 && upstream_code == 63) {
        return {C::kFailedPrecondition, "USER_SUSPENDED"};
      }
      if (http_status == 404 && (upstream_code == 34 || upstream_code == 50)) {
        return {C::kNotFound, "NOT_FOUND"};
      }
      break;
  }
  if (http_status == 429) return {C::kResourceExhausted, "RATE_LIMITED"};
  if (http_status >= 500) return {C::kUnavailable, kUpstreamUnavailable};
  // 400/215 and any other 4xx: perch built a request the upstream refused,
  // which is a bug in perch, not in the caller.
  if (http_status >= 400) return {C::kInternal, "UPSTREAM_REJECTED_REQUEST"};
  // 1xx/3xx reaching us means the exchange is not what the API documents.
  return {C::kInternal, "UPSTREAM_MALFORMED_RESPONSE"};
}

}  // namespace

absl::Status StatusFromResponse(Endpoint endpoint, absl::string_view path,
                                const http::HttpResponse& response,
                                absl::Time now) {
  if (response.status >= 200 && response.status < 300) return absl::OkStatus();

  auto parsed = mapping::ParseUpstreamError(response.body);
  const int upstream_code = parsed.has_value() ? parsed->code : 0;
  const std::string upstream_message =
      parsed.has_value() ? parsed->message : std::string();
  const Outcome outcome =
      Classify(endpoint, response.status, upstream_code, upstream_message);

  std::vector<std::pair<std::string, std::string>> metadata = {
      {std::string(kHttpStatusKey), absl::StrCat(response.status)},
      {"endpoint", std::string(path)}};
  if (upstream_code != 0) {
    metadata.emplace_back(kUpstreamCodeKey, absl::StrCat(upstream_code));
  }
  if (!upstream_message.empty()) {
    metadata.emplace_back(kUpstreamMessageKey, upstream_message);
  }
  std::string message = absl::StrCat(path, " answered HTTP ", response.status);
  if (upstream_code != 0) absl::StrAppend(&message, " code ", upstream_code);
  if (!upstream_message.empty())
    absl::StrAppend(&message, ": ", upstream_message);

  absl::Status status = MakeError(outcome.code, message, outcome.reason,
                                  kUpstreamDomain, std::move(metadata));
  if (outcome.code == absl::StatusCode::kResourceExhausted) {
    int64_t reset_seconds = 0;
    auto reset = response.Header("x-rate-limit-reset");
    // Without a reset time the safe answer is a whole window, not "now".
    absl::Duration delay = absl::Minutes(15);
    if (reset.has_value() && absl::SimpleAtoi(*reset, &reset_seconds)) {
      delay = absl::FromUnixSeconds(reset_seconds) - now;
    }
    AttachRetryInfo(status, delay);
    auto limit = response.Header("x-rate-limit-limit");
    AttachQuotaFailure(
        status, path,
        absl::StrCat("upstream rate limit of ",
                     limit.has_value() ? *limit : absl::string_view("?"),
                     " requests per 15 minutes exhausted"));
  }
  return status;
}

}  // namespace perch::upstream
