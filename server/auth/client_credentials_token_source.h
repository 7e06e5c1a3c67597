// Obtains and invalidates the app's bearer token with the OAuth 2.0 client
// credentials grant, exactly as Twitter's application-only auth specifies
// (UPSTREAM.md sections 1-2). Holds nothing: caching is CachingTokenSource's.
#ifndef PERCH_SERVER_AUTH_CLIENT_CREDENTIALS_TOKEN_SOURCE_H_
#define PERCH_SERVER_AUTH_CLIENT_CREDENTIALS_TOKEN_SOURCE_H_

#include <string>

#include "server/auth/app_credentials.h"
#include "server/auth/token_source.h"
#include "server/common/clock.h"
#include "server/http/http_transport.h"
#include "server/metrics/perch_metrics.h"

namespace perch::auth {

class ClientCredentialsTokenSource final : public TokenSource {
 public:
  // `transport`, `clock` and `metrics` must outlive this object.
  // `api_base_url` has no trailing slash, e.g. "https://api.twitter.com".
  // `metrics` (null: none) gets each request to the two token endpoints.
  ClientCredentialsTokenSource(AppCredentials credentials,
                               std::string api_base_url,
                               http::HttpTransport& transport,
                               const Clock& clock,
                               metrics::UpstreamMetrics* metrics = nullptr);

  // POST {base}/oauth2/token; accepts the answer only if token_type is
  // "bearer" (case-insensitively, as OAuth 2.0 token types are).
  void Fetch(absl::Time deadline, TokenCallback done) override;

  // POST {base}/oauth2/invalidate_token with access_token=<form-encoded
  // token>; OK only if the answer names the same token.
  void Revoke(std::string token, absl::Time deadline,
              RevokeCallback done) override;

 private:
  http::HttpRequest MakeFormPost(absl::string_view path, std::string body,
                                 absl::Time deadline) const;

  const std::string basic_authorization_;
  const std::string api_base_url_;
  http::HttpTransport& transport_;
  const Clock& clock_;
  metrics::EndpointMetrics* const token_metrics_;
  metrics::EndpointMetrics* const invalidate_metrics_;
};

}  // namespace perch::auth

#endif  // PERCH_SERVER_AUTH_CLIENT_CREDENTIALS_TOKEN_SOURCE_H_
