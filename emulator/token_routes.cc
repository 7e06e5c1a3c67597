#include "emulator/token_routes.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "emulator/codec.h"
#include "emulator/error_bodies.h"
#include "server/common/json_escape.h"

namespace perch::emulator {
namespace {

// Splits "Scheme credentials"; the scheme compares case-insensitively
// (RFC 7235), the credentials are returned untouched.
bool SplitAuthorization(const std::string* header, absl::string_view scheme,
                        absl::string_view* credentials) {
  if (header == nullptr) return false;
  absl::string_view value = absl::StripAsciiWhitespace(*header);
  size_t space = value.find(' ');
  if (space == absl::string_view::npos) return false;
  if (!absl::EqualsIgnoreCase(value.substr(0, space), scheme)) return false;
  *credentials = absl::StripLeadingAsciiWhitespace(value.substr(space + 1));
  return !credentials->empty();
}

}  // namespace

bool IsFormContentType(const Request& request) {
  const std::string* content_type = request.Header("Content-Type");
  if (content_type == nullptr) return false;
  absl::string_view media_type = *content_type;
  media_type = media_type.substr(0, media_type.find(';'));
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(media_type),
                                "application/x-www-form-urlencoded");
}

TokenRoutes::TokenRoutes(std::vector<AppCredentials> apps,
                         TokenAuthority& tokens,
                         int max_token_requests_per_minute, const Clock& clock)
    : apps_(std::move(apps)),
      tokens_(tokens),
      clock_(clock),
      token_requests_(absl::Minutes(1),
                      [max_token_requests_per_minute](absl::string_view) {
                        return max_token_requests_per_minute;
                      }) {}

bool TokenRoutes::Serves(absl::string_view path) {
  return path == kTokenPath || path == kInvalidateTokenPath;
}

Response TokenRoutes::Handle(const Request& request,
                             absl::string_view token_type) {
  if (request.path == kTokenPath) return IssueToken(request, token_type);
  return InvalidateToken(request);
}

std::optional<int> TokenRoutes::AppOf(const Request& request) const {
  absl::string_view encoded;
  if (!SplitAuthorization(request.Header("Authorization"), "Basic", &encoded)) {
    return std::nullopt;
  }
  std::string decoded;
  if (!absl::Base64Unescape(encoded, &decoded)) return std::nullopt;
  // Percent-encoding turns ':' into %3A, so the first ':' is the separator.
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  absl::StatusOr<std::string> key = PercentDecode(decoded.substr(0, colon));
  absl::StatusOr<std::string> secret = PercentDecode(decoded.substr(colon + 1));
  if (!key.ok() || !secret.ok()) return std::nullopt;
  for (size_t i = 0; i < apps_.size(); ++i) {
    if (*key == apps_[i].key && *secret == apps_[i].secret) {
      return static_cast<int>(i);
    }
  }
  return std::nullopt;
}

std::optional<TokenRoutes::AppFormField> TokenRoutes::ReadAppForm(
    const Request& request, absl::string_view field) const {
  const std::optional<int> app = AppOf(request);
  if (request.method != "POST" || !app.has_value() ||
      !IsFormContentType(request)) {
    return std::nullopt;
  }
  absl::StatusOr<FormFields> form = ParseForm(request.body);
  if (!form.ok()) return std::nullopt;
  const std::string* value = FindField(*form, field);
  if (value == nullptr) return std::nullopt;
  return AppFormField{*app, *value};
}

Response TokenRoutes::IssueToken(const Request& request,
                                 absl::string_view token_type) {
  // Every attempt counts toward the threshold: a client hammering the
  // endpoint with bad credentials is as "too frequent" as one with good ones.
  if (!token_requests_.Acquire("app", clock_.Now()).allowed) {
    return TokenErrorResponse();
  }
  const std::optional<AppFormField> grant_type =
      ReadAppForm(request, "grant_type");
  if (!grant_type.has_value() || grant_type->value != "client_credentials") {
    return TokenErrorResponse();
  }
  std::string token = tokens_.IssueOrGet(grant_type->app);
  return JsonResponse(
      200, absl::StrCat(R"({"token_type":")", JsonEscape(token_type),
                        R"(","access_token":")", JsonEscape(token), R"("})"));
}

Response TokenRoutes::InvalidateToken(const Request& request) {
  // The body is form-decoded, so a client that sent the token raw (its "%2F"
  // read as '/') names a different token and is refused, as upstream.
  const std::optional<AppFormField> token =
      ReadAppForm(request, "access_token");
  if (!token.has_value() ||
      !tokens_.InvalidateIfCurrent(token->value, token->app)) {
    return TokenErrorResponse();
  }
  return JsonResponse(200, absl::StrCat(R"({"access_token":")",
                                        JsonEscape(token->value), R"("})"));
}

}  // namespace perch::emulator
