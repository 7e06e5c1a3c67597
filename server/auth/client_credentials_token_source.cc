#include "server/auth/client_credentials_token_source.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/auth/token_fingerprint.h"
#include "server/common/call_context.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/common/log.h"
#include "server/common/percent_encoding.h"
#include "server/mapping/request_metrics.h"
#include "server/mapping/token_json.h"
#include "server/mapping/upstream_status.h"

namespace perch::auth {
namespace {

constexpr absl::string_view kTokenPath = "/oauth2/token";
constexpr absl::string_view kInvalidatePath = "/oauth2/invalidate_token";

// Sends `request` (to `path`, an endpoint of that `kind`) and records it
// in `endpoint` before `done` sees the answer.
void Send(http::HttpTransport& transport, http::HttpRequest request,
          mapping::Endpoint kind, absl::string_view path,
          metrics::EndpointMetrics* endpoint,
          http::HttpTransport::Callback done) {
  transport.Send(
      std::move(request),
      [endpoint, kind, path, sent = absl::Now(), done = std::move(done)](
          absl::StatusOr<http::HttpResponse> response) mutable {
        mapping::RecordUpstreamRequest(endpoint, kind, path, response,
                                       absl::Now() - sent);
        std::move(done)(std::move(response));
      });
}

// What a token endpoint answered: the transport's failure, the upstream's
// error status, or else what `parse` reads from the body. Obtain and revoke
// judge their answers alike; only the body they expect differs.
template <typename T>
absl::StatusOr<T> ReadAnswer(const absl::StatusOr<http::HttpResponse>& response,
                             mapping::Endpoint kind, absl::string_view path,
                             absl::Time now,
                             absl::StatusOr<T> (*parse)(absl::string_view)) {
  if (!response.ok()) return response.status();
  absl::Status status = mapping::StatusFromResponse(kind, path, *response, now);
  if (!status.ok()) return status;
  return parse(response->body);
}

}  // namespace

ClientCredentialsTokenSource::ClientCredentialsTokenSource(
    AppCredentials credentials, std::string api_base_url,
    http::HttpTransport& transport, const Clock& clock,
    metrics::UpstreamMetrics* metrics)
    : basic_authorization_(BasicAuthorization(credentials)),
      api_base_url_(std::move(api_base_url)),
      transport_(transport),
      clock_(clock),
      token_metrics_(metrics ? &metrics->Endpoint(kTokenPath) : nullptr),
      invalidate_metrics_(metrics ? &metrics->Endpoint(kInvalidatePath)
                                  : nullptr) {}

http::HttpRequest ClientCredentialsTokenSource::MakeFormPost(
    absl::string_view path, std::string body, absl::Time deadline) const {
  http::HttpRequest request;
  request.method = http::HttpMethod::kPost;
  request.url = absl::StrCat(api_base_url_, path);
  request.headers = {
      {"Authorization", basic_authorization_},
      {"Content-Type", "application/x-www-form-urlencoded;charset=UTF-8"},
  };
  // Made for the RPC current on this thread, if any (call_context.h): it
  // carries the RPC's traceparent and counts as one of its requests.
  if (const auto& call = CallContext::Current()) {
    request.headers.emplace_back("traceparent", call->NoteUpstreamRequest());
  }
  request.body = std::move(body);
  request.deadline = deadline;
  // Each token request reaches the upstream once: the backoff's bound counts
  // them, and a revocation sent twice would be refused the second time.
  request.own_connection = true;
  return request;
}

void ClientCredentialsTokenSource::Fetch(absl::Time deadline,
                                         TokenCallback done) {
  Send(transport_,
       MakeFormPost(kTokenPath, "grant_type=client_credentials", deadline),
       mapping::Endpoint::kObtainToken, kTokenPath, token_metrics_,
       [this, done = std::move(done)](
           absl::StatusOr<http::HttpResponse> response) mutable {
         const absl::Time now = clock_.Now();
         auto grant = ReadAnswer(response, mapping::Endpoint::kObtainToken,
                                 kTokenPath, now, &mapping::ParseTokenGrant);
         if (!grant.ok()) {
           std::move(done)(grant.status());
           return;
         }
         if (absl::AsciiStrToLower(grant->token_type) != "bearer") {
           // The upstream's answer decides, so its domain: like the other
           // app-side UNAUTHENTICATEDs, never read as the caller's key
           // (docs/api.md).
           std::move(done)(MakeError(
               absl::StatusCode::kUnauthenticated,
               absl::StrCat("token endpoint issued a token of type '",
                            grant->token_type.substr(0, 32), "', not 'bearer'"),
               reasons::kAppTokenTypeUnexpected, kUpstreamDomain,
               {{std::string(kHttpStatusKey), "200"},
                {std::string(mapping::kEndpointKey), std::string(kTokenPath)},
                {"token_type", grant->token_type.substr(0, 32)}}));
           return;
         }
         // Once per upstream fetch, however many callers shared it.
         LogInfo("obtained bearer token fingerprint=",
                 TokenFingerprint(grant->access_token));
         std::move(done)(BearerToken{std::move(grant->access_token), now,
                                     /*from_cache=*/false});
       });
}

void ClientCredentialsTokenSource::Revoke(std::string token,
                                          absl::Time deadline,
                                          RevokeCallback done) {
  // The token is form-encoded, so its own '%' travel as %25: the upstream
  // form-decodes the body and compares with the token as issued.
  std::string body = absl::StrCat("access_token=", PercentEncode(token));
  Send(transport_, MakeFormPost(kInvalidatePath, std::move(body), deadline),
       mapping::Endpoint::kInvalidateToken, kInvalidatePath,
       invalidate_metrics_,
       [this, token = std::move(token), done = std::move(done)](
           absl::StatusOr<http::HttpResponse> response) mutable {
         auto invalidated = ReadAnswer(
             response, mapping::Endpoint::kInvalidateToken, kInvalidatePath,
             clock_.Now(), &mapping::ParseInvalidatedToken);
         if (!invalidated.ok()) {
           std::move(done)(invalidated.status());
           return;
         }
         if (*invalidated != token) {
           std::move(done)(MakeError(
               absl::StatusCode::kInternal,
               "invalidate_token confirmed a different token than the one sent",
               reasons::kUpstreamMalformedResponse, kPerchDomain,
               {{std::string(kHttpStatusKey), "200"}}));
           return;
         }
         std::move(done)(absl::OkStatus());
       });
}

}  // namespace perch::auth
