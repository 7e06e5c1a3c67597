#include "emulator/error_bodies.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "emulator/codec.h"
#include "server/common/json_escape.h"

namespace perch::emulator {

Response JsonResponse(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers.emplace_back("content-type", std::string(kJsonContentType));
  response.body = std::move(body);
  return response;
}

Response ErrorResponse(int status, int code, absl::string_view message) {
  return JsonResponse(
      status, absl::StrCat(R"({"errors":[{"code":)", code, R"(,"message":")",
                           JsonEscape(message), R"("}]})"));
}

Response TokenErrorResponse() {
  return JsonResponse(
      403,
      R"({"errors":[{"code":99,"message":"Unable to verify your credentials","label":"authenticity_token_error"}]})");
}

Response BadAuthenticationData() {
  return ErrorResponse(400, 215, "Bad Authentication data.");
}

Response InvalidOrExpiredToken() {
  return ErrorResponse(401, 89, "Invalid or expired token.");
}

Response AppOnlyNotAllowed() {
  return ErrorResponse(403, 220,
                       "Your credentials do not allow access to this resource");
}

Response PageDoesNotExist() {
  return ErrorResponse(404, 34, "Sorry, that page does not exist.");
}

Response RateLimitExceeded() {
  return ErrorResponse(429, 88, "Rate limit exceeded");
}

Response UserNotFound() { return ErrorResponse(404, 50, "User not found."); }

Response UserSuspended() {
  return ErrorResponse(403, 63, "User has been suspended.");
}

Response AccessLevelInsufficient() {
  return ErrorResponse(
      403, 453,
      "You currently have access to a subset of X API V2 endpoints and "
      "limited v1.1 endpoints (e.g. media post, oauth) only. If you need "
      "access to this endpoint, you may need a different access level. You "
      "can learn more here: https://developer.x.com/en/portal/product");
}

Response NotAuthorized(absl::string_view request_path) {
  return JsonResponse(401,
                      absl::StrCat(R"({"request":")", JsonEscape(request_path),
                                   R"(","error":"Not authorized."})"));
}

Response QueryParametersMissing() {
  return ErrorResponse(400, 25, "Query parameters are missing.");
}

Response ListNotSpecified() {
  return ErrorResponse(
      400, 112, "You must specify either a list ID or a slug and owner.");
}

}  // namespace perch::emulator
