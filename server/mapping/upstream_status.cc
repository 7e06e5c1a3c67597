#include "server/mapping/upstream_status.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/mapping/error_json.h"

namespace perch::mapping {
namespace {

using C = absl::StatusCode;

struct Outcome {
  absl::StatusCode code;
  absl::string_view reason;
  // Appended to the message: what the operator can do about it.
  absl::string_view advice = {};
};

constexpr absl::string_view kUseV2 =
    "this app's access level has no v1.1 reads; run perch with "
    "--upstream_api=v2";
constexpr absl::string_view kRetiredUseV2 =
    "the upstream retired this v1.1 endpoint; run perch with "
    "--upstream_api=v2";

// Reads: the rows a body names. `problem` is the v2 problem type's last path
// segment ("" for v1.1 bodies); v1.1 codes are looked at first because a
// 403/453 body has been seen with problem members (type about:blank) too.
// Returns nullopt when no row matches, for the status fallbacks.
std::optional<Outcome> ClassifyRead(int http_status, const UpstreamError& error,
                                    absl::string_view problem) {
  const int code = error.code;
  // 401 per the response-code page; one table in the docs says 403.
  if ((http_status == 401 || http_status == 403) && code == 89) {
    return Outcome{C::kUnauthenticated, reasons::kAppTokenRejected};
  }
  // 401/32 "Could not authenticate you": the bearer was not accepted either,
  // so it gets the same one re-obtain (the reader keys on the reason).
  if (http_status == 401 && code == 32) {
    return Outcome{C::kUnauthenticated, reasons::kAppTokenRejected};
  }
  // A protected account's timeline: 401 with {"error":"Not authorized."}.
  if (http_status == 401 && code == 0 && error.message == "Not authorized.") {
    return Outcome{C::kPermissionDenied, reasons::kProtectedResource};
  }
  if (http_status == 403) {
    switch (code) {
      case 220:  // credentials do not allow access (needs a user context)
      case 87:   // client is not permitted to perform this action
        return Outcome{C::kPermissionDenied, reasons::kAppOnlyNotAllowed};
      case 453:  // Free/Basic apps: v2 plus a few v1.1 endpoints only
        return Outcome{C::kPermissionDenied, reasons::kAccessLevelInsufficient,
                       kUseV2};
      case 179:
        return Outcome{C::kPermissionDenied, reasons::kProtectedResource};
      case 63:
        return Outcome{C::kFailedPrecondition, reasons::kUserSuspended};
      default:
        break;
    }
  }
  // 34 page, 50 user, 144 status, 109 list: what the request names is gone.
  if (http_status == 404 &&
      (code == 34 || code == 50 || code == 144 || code == 109)) {
    return Outcome{C::kNotFound, reasons::kNotFound};
  }
  // 410 Gone: the endpoint was turned off; retrying cannot help.
  if (http_status == 410) {
    return Outcome{C::kFailedPrecondition, reasons::kEndpointRetired,
                   kRetiredUseV2};
  }
  // 420 Enhance Your Calm: the old rate-limit answer, treated as 429.
  if (http_status == 420) {
    return Outcome{C::kResourceExhausted, reasons::kRateLimited};
  }

  // v2 problems (RFC 7807 bodies).
  // v2 answers 401 (type about:blank) only about the bearer itself.
  if (http_status == 401 && !problem.empty()) {
    return Outcome{C::kUnauthenticated, reasons::kAppTokenRejected};
  }
  // The app (or its tier) is not enrolled for this endpoint: an operator
  // fixes this in the developer portal, not by retrying.
  if (http_status == 403 && problem == "client-forbidden") {
    return Outcome{C::kPermissionDenied, reasons::kAppNotEnrolled};
  }
  if (http_status == 403 && problem == "unsupported-authentication") {
    return Outcome{C::kPermissionDenied, reasons::kAppOnlyNotAllowed};
  }
  // 402 (type credits, in no spec): a pay-per-use account out of credits.
  // Only billing clears it, so no RetryInfo.
  if (http_status == 402) {
    return Outcome{C::kFailedPrecondition, reasons::kCreditsDepleted};
  }
  // A usage cap is also a 429 but waiting for x-rate-limit-reset does not
  // clear it; only the body tells it from a rate limit.
  if (http_status == 429 &&
      (problem == "usage-capped" || error.title == "UsageCapExceeded")) {
    return Outcome{C::kResourceExhausted, reasons::kUsageCapped};
  }
  return std::nullopt;
}

// The table. `error` is empty when the body said nothing we read.
Outcome Classify(Endpoint endpoint, int http_status, const UpstreamError& error,
                 absl::string_view problem) {
  switch (endpoint) {
    case Endpoint::kObtainToken:
      // 403/99 covers wrong credentials, missing grant_type, wrong content
      // type and too-frequent requests; older docs say 403/170 for a missing
      // grant_type. Every one means the app could not get a token.
      if (http_status == 403 || http_status == 401) {
        return {C::kUnauthenticated, reasons::kAppCredentialsRejected};
      }
      break;
    case Endpoint::kInvalidateToken:
      // 403/99: the token is wrong or already revoked (or the credentials
      // are wrong): nothing was invalidated.
      if (http_status == 403 || http_status == 401) {
        return {C::kFailedPrecondition, reasons::kTokenNotInvalidated};
      }
      break;
    case Endpoint::kRead:
      if (auto outcome = ClassifyRead(http_status, error, problem);
          outcome.has_value()) {
        return *outcome;
      }
      break;
  }
  // 429/88 and v2's about:blank 429.
  if (http_status == 429) return {C::kResourceExhausted, reasons::kRateLimited};
  if (http_status >= 500)
    return {C::kUnavailable, reasons::kUpstreamUnavailable};
  // 400/215, v2's 400 invalid-request and any other 4xx: perch built a
  // request the upstream refused, which is a bug in perch, not in the caller
  // (the v2 dialect turns an invalid-request about the caller's own search
  // query into INVALID_ARGUMENT).
  if (http_status >= 400)
    return {C::kInternal, reasons::kUpstreamRejectedRequest};
  // 1xx/3xx reaching us means the exchange is not what the API documents.
  return {C::kInternal, reasons::kUpstreamMalformedResponse};
}

using Metadata = std::vector<std::pair<std::string, std::string>>;

void AddIfSet(Metadata& metadata, absl::string_view key,
              absl::string_view value) {
  if (!value.empty()) metadata.emplace_back(key, value);
}

// What a v2 problem said, for metadata and message alike.
void AddProblem(Metadata& metadata, absl::string_view problem,
                absl::string_view title, absl::string_view detail) {
  AddIfSet(metadata, kUpstreamTypeKey, problem);
  AddIfSet(metadata, kUpstreamTitleKey, title);
  AddIfSet(metadata, kUpstreamDetailKey, detail);
}

// " (type): title: detail", leaving out what is empty or repeated
// ({"title":"Too Many Requests","detail":"Too Many Requests"}).
std::string DescribeProblem(absl::string_view problem, absl::string_view title,
                            absl::string_view detail) {
  std::string text;
  if (!problem.empty()) absl::StrAppend(&text, " (", problem, ")");
  if (!title.empty()) absl::StrAppend(&text, ": ", title);
  if (!detail.empty() && detail != title) absl::StrAppend(&text, ": ", detail);
  return text;
}

// RetryInfo and QuotaFailure of a RESOURCE_EXHAUSTED answer.
void AttachQuotaDetails(absl::Status& status, absl::string_view reason,
                        absl::string_view path, const UpstreamError& error,
                        const http::HttpResponse& response, absl::Time now) {
  auto reset_after =
      [&](absl::string_view header) -> std::optional<absl::Duration> {
    int64_t reset_seconds = 0;
    auto reset = response.Header(header);
    if (!reset.has_value() || !absl::SimpleAtoi(*reset, &reset_seconds)) {
      return std::nullopt;
    }
    return absl::FromUnixSeconds(reset_seconds) - now;
  };
  if (reason == reasons::kUsageCapped) {
    // x-rate-limit-reset is the 15-minute window, which a cap outlives: a
    // RetryInfo from it would have callers retry into the same cap. Only a
    // daily window's reset says when the cap may lift.
    if (auto delay = reset_after("x-app-limit-24hour-reset")) {
      AttachRetryInfo(status, *delay);
    }
    AttachQuotaFailure(
        status, path,
        error.detail.empty()
            ? std::string("upstream usage cap exceeded")
            : absl::StrCat("upstream usage cap exceeded: ", error.detail));
    return;
  }
  // Without a reset time the safe answer is a whole window, not "now".
  AttachRetryInfo(
      status, reset_after("x-rate-limit-reset").value_or(absl::Minutes(15)));
  auto limit = response.Header("x-rate-limit-limit");
  AttachQuotaFailure(
      status, path,
      absl::StrCat("upstream rate limit of ",
                   limit.has_value() ? *limit : absl::string_view("?"),
                   " requests per 15 minutes exhausted"));
}

}  // namespace

absl::Status StatusFromResponse(Endpoint endpoint, absl::string_view path,
                                const http::HttpResponse& response,
                                absl::Time now) {
  if (response.status >= 200 && response.status < 300) return absl::OkStatus();

  const UpstreamError error =
      ParseUpstreamError(response.body).value_or(UpstreamError());
  const std::string problem =
      error.type.empty() ? std::string() : v2::ProblemName(error.type);
  const Outcome outcome = Classify(endpoint, response.status, error, problem);

  Metadata metadata = {
      {std::string(kHttpStatusKey), absl::StrCat(response.status)},
      {std::string(kEndpointKey), std::string(path)}};
  if (error.code != 0) {
    metadata.emplace_back(kUpstreamCodeKey, absl::StrCat(error.code));
  }
  AddIfSet(metadata, kUpstreamMessageKey, error.message);
  AddProblem(metadata, problem, error.title, error.detail);
  AddIfSet(metadata, kUpstreamParametersKey,
           absl::StrJoin(error.parameters, ","));
  AddIfSet(metadata, kRequiredEnrollmentKey, error.required_enrollment);
  AddIfSet(metadata, kRegistrationUrlKey, error.registration_url);

  std::string message = absl::StrCat(path, " answered HTTP ", response.status);
  if (error.code != 0) absl::StrAppend(&message, " code ", error.code);
  absl::StrAppend(&message,
                  DescribeProblem(problem, error.title, error.detail));
  if (!error.message.empty()) absl::StrAppend(&message, ": ", error.message);
  if (!outcome.advice.empty()) absl::StrAppend(&message, "; ", outcome.advice);

  absl::Status status = MakeError(outcome.code, message, outcome.reason,
                                  kUpstreamDomain, std::move(metadata));
  if (outcome.code == C::kResourceExhausted) {
    AttachQuotaDetails(status, outcome.reason, path, error, response, now);
  }
  return status;
}

absl::Status StatusFromV2Errors(absl::string_view path, bool has_data,
                                const std::vector<v2::Problem>& errors) {
  if (has_data) return absl::OkStatus();
  const v2::Problem* about_data = nullptr;
  for (const v2::Problem& problem : errors) {
    // An includes error (a referenced tweet gone) never fails the read.
    if (problem.section != "includes") {
      about_data = &problem;
      break;
    }
  }
  if (about_data == nullptr) return absl::OkStatus();

  const std::string name = v2::ProblemName(about_data->type);
  Outcome outcome{C::kInternal, reasons::kUpstreamRejectedRequest};
  if (name == "resource-not-found") {
    // Suspended users come as resource-not-found too; only the title and
    // detail tell them apart.
    const bool suspended =
        about_data->title == "Forbidden" ||
        absl::StartsWith(about_data->detail, "User has been suspended");
    outcome = suspended
                  ? Outcome{C::kFailedPrecondition, reasons::kUserSuspended}
                  : Outcome{C::kNotFound, reasons::kResourceNotFound};
  } else if (name == "not-authorized-for-resource") {
    outcome = {C::kPermissionDenied, reasons::kProtectedResource};
  }
  // Any other type is one this table does not know: reported as perch's to
  // fix, with the upstream's words.

  Metadata metadata = {{std::string(kHttpStatusKey), "200"},
                       {std::string(kEndpointKey), std::string(path)}};
  AddProblem(metadata, name, about_data->title, about_data->detail);
  return MakeError(outcome.code,
                   absl::StrCat(path, " answered HTTP 200 with an error",
                                DescribeProblem(name, about_data->title,
                                                about_data->detail)),
                   outcome.reason, kUpstreamDomain, std::move(metadata));
}

}  // namespace perch::mapping
