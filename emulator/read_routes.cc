#include "emulator/read_routes.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "emulator/error_bodies.h"

namespace perch::emulator {
namespace {

// The app-only rows of UPSTREAM.md §4 and UPSTREAM-V2.md §1.5 (the
// observed x-rate-limit-limit with a bearer).
struct LimitRow {
  absl::string_view path;
  int limit;
};
constexpr LimitRow kAppOnlyLimits[] = {
    {"/1.1/statuses/user_timeline.json", 1500},
    {"/1.1/search/tweets.json", 450},
    {"/1.1/followers/list.json", 15},
    {"/1.1/followers/ids.json", 15},
    {"/1.1/lists/show.json", 75},
    {"/1.1/lists/statuses.json", 900},
    {"/1.1/lists/members.json", 75},
    {"/2/users/by/username/:username", 300},
    {"/2/users/:id", 300},
    {"/2/users/:id/tweets", 1500},
    {"/2/tweets/search/recent", 450},
    {"/2/users/:id/followers", 15},
    {"/2/lists/:id", 75},
    {"/2/lists/:id/tweets", 900},
    {"/2/lists/:id/members", 900},
    {"/2/users/:id/owned_lists", 15},
};

// Endpoints that exist but need a user context: a bearer token gets 403/220.
constexpr absl::string_view kUserContextOnly[] = {
    "/1.1/statuses/home_timeline.json",
    "/1.1/statuses/mentions_timeline.json",
    "/1.1/account/verify_credentials.json",
};

bool IsUserContextOnly(absl::string_view path) {
  for (absl::string_view p : kUserContextOnly) {
    if (p == path) return true;
  }
  return false;
}

constexpr absl::Duration kWindow = absl::Minutes(15);

}  // namespace

int AppOnlyReadLimit(absl::string_view path) {
  for (const LimitRow& row : kAppOnlyLimits) {
    if (row.path == path) return row.limit;
  }
  return kDefaultReadLimit;
}

std::optional<absl::string_view> BearerToken(const Request& request) {
  const std::string* authorization = request.Header("Authorization");
  if (authorization == nullptr) return std::nullopt;
  absl::string_view value = absl::StripAsciiWhitespace(*authorization);
  size_t space = value.find(' ');
  if (space == absl::string_view::npos ||
      !absl::EqualsIgnoreCase(value.substr(0, space), "Bearer")) {
    return std::nullopt;
  }
  // The token is compared byte for byte: a client that percent-decoded it
  // ("%2F" -> "/") presents a token the upstream never issued.
  absl::string_view token = value.substr(space + 1);
  if (token.empty()) return std::nullopt;
  return token;
}

ReadRoutes::ReadRoutes(const TokenAuthority& tokens, const Clock& clock,
                       const AccountStatus& account,
                       std::vector<ReadEndpoint> endpoints)
    : tokens_(tokens),
      clock_(clock),
      account_(account),
      // A function pointer, not a lambda: GCC 12 at -O3 falsely reports the
      // AnyInvocable holding an empty lambda as moved uninitialized.
      limiter_(kWindow, &AppOnlyReadLimit) {
  for (ReadEndpoint& endpoint : endpoints) {
    std::string path = endpoint.path;
    endpoints_.emplace(std::move(path), std::move(endpoint));
  }
}

bool ReadRoutes::Serves(absl::string_view path) const {
  return endpoints_.contains(path) || IsUserContextOnly(path);
}

Response ReadRoutes::Handle(const Request& request) {
  // Authentication comes first: an app that cannot be identified has no
  // window to count against.
  std::optional<absl::string_view> token = BearerToken(request);
  if (!token.has_value()) return BadAuthenticationData();
  if (!tokens_.IsCurrent(*token)) return InvalidOrExpiredToken();
  // An app with v2 access only is refused every v1.1 read, before anything
  // about the endpoint is looked at.
  if (account_.access() == AccessLevel::kV2Only) {
    return AccessLevelInsufficient();
  }

  if (IsUserContextOnly(request.path)) return AppOnlyNotAllowed();
  auto endpoint = endpoints_.find(request.path);
  if (endpoint == endpoints_.end() || request.method != "GET") {
    return PageDoesNotExist();
  }

  RateLimiter::Decision quota = limiter_.Acquire(request.path, clock_.Now());
  Response response;
  if (!quota.allowed) {
    response = RateLimitExceeded();
  } else {
    absl::StatusOr<FormFields> params = ParseForm(request.query);
    response =
        endpoint->second.handle(request, params.ok() ? *params : FormFields());
  }
  response.headers.emplace_back("x-rate-limit-limit",
                                absl::StrCat(quota.limit));
  response.headers.emplace_back("x-rate-limit-remaining",
                                absl::StrCat(quota.remaining));
  response.headers.emplace_back("x-rate-limit-reset",
                                absl::StrCat(absl::ToUnixSeconds(quota.reset)));
  return response;
}

}  // namespace perch::emulator
