#include "emulator/v2_routes.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "emulator/codec.h"
#include "emulator/error_bodies.h"
#include "emulator/problem_bodies.h"
#include "emulator/read_routes.h"

namespace perch::emulator {
namespace {

// Endpoints that exist but need a user context: a bearer token gets 403
// unsupported-authentication (§1.1: users-lookup's /2/users/me).
constexpr absl::string_view kUserContextOnly[] = {"/2/users/me"};

// The daily app budget a usage-capped answer reports (§3.8, §4).
constexpr int kAppDailyLimit = 10000;

std::vector<std::string> Segments(absl::string_view path) {
  return absl::StrSplit(path, '/');
}

void AddHeader(Response& response, absl::string_view name, int64_t value) {
  response.headers.emplace_back(std::string(name), absl::StrCat(value));
}

}  // namespace

V2Routes::V2Routes(const TokenAuthority& tokens, const Clock& clock,
                   RateLimiter& limiter, const AccountStatus& account,
                   std::string account_id, std::vector<V2Endpoint> endpoints)
    : tokens_(tokens),
      clock_(clock),
      limiter_(limiter),
      account_(account),
      account_id_(std::move(account_id)),
      endpoints_(std::move(endpoints)) {
  auto add = [this](absl::string_view pattern, const V2Endpoint* endpoint) {
    Route route;
    route.segments = Segments(pattern);
    for (const std::string& s : route.segments) {
      if (!absl::StartsWith(s, ":")) ++route.literals;
    }
    route.endpoint = endpoint;
    routes_.push_back(std::move(route));
  };
  for (const V2Endpoint& endpoint : endpoints_)
    add(endpoint.pattern, &endpoint);
  for (absl::string_view path : kUserContextOnly) add(path, nullptr);
}

const V2Routes::Route* V2Routes::Match(absl::string_view path,
                                       PathParams* params) const {
  const std::vector<std::string> segments = Segments(path);
  const Route* best = nullptr;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    if (best != nullptr && best->literals >= route.literals) continue;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      const std::string& want = route.segments[i];
      match = absl::StartsWith(want, ":") ? !segments[i].empty()
                                          : want == segments[i];
    }
    if (match) best = &route;
  }
  if (best != nullptr && params != nullptr) {
    for (size_t i = 0; i < segments.size(); ++i) {
      if (absl::StartsWith(best->segments[i], ":")) {
        (*params)[best->segments[i].substr(1)] = segments[i];
      }
    }
  }
  return best;
}

std::string V2Routes::PatternOf(absl::string_view path) const {
  const Route* route = Match(path, nullptr);
  if (route == nullptr) return std::string(path);
  return route->endpoint != nullptr ? route->endpoint->pattern
                                    : std::string(path);
}

Response V2Routes::Handle(const Request& request) {
  // v2 answers every bearer problem alike: 401 about:blank.
  std::optional<absl::string_view> token = BearerToken(request);
  if (!token.has_value() || !tokens_.IsCurrent(*token)) {
    return V2Unauthorized();
  }
  PathParams path_params;
  const Route* route = Match(request.path, &path_params);
  if (route != nullptr && route->endpoint == nullptr) {
    return V2UnsupportedAuthentication();
  }
  if (route == nullptr || request.method != "GET") return PageDoesNotExist();
  const V2Endpoint& endpoint = *route->endpoint;

  // The account is refused before its windows are counted: these answers
  // carry no rate-limit headers (§3.5, §3.7).
  if (account_.access() == AccessLevel::kNotEnrolled) {
    return V2ClientNotEnrolled();
  }
  const AccountState state = account_.state();
  if (state == AccountState::kCreditsDepleted) {
    return V2CreditsDepleted(account_id_);
  }

  const absl::Time now = clock_.Now();
  RateLimiter::Decision quota = limiter_.Acquire(endpoint.pattern, now);
  Response response;
  if (!quota.allowed) {
    response = V2TooManyRequests();
  } else if (state == AccountState::kUsageCapped) {
    // A cap, not a window: x-rate-limit-remaining stays above zero and
    // only the daily reset says when to look again (§3.8).
    response = V2UsageCapped(account_id_);
    const int64_t day = absl::ToUnixSeconds(now) / 86400;
    AddHeader(response, "x-app-limit-24hour-limit", kAppDailyLimit);
    AddHeader(response, "x-app-limit-24hour-remaining", 0);
    AddHeader(response, "x-app-limit-24hour-reset", (day + 1) * 86400);
  } else {
    std::vector<InvalidParameter> problems;
    for (const auto& [name, value] : path_params) {
      std::optional<InvalidParameter> bad = CheckPathParameter(name, value);
      if (bad.has_value()) problems.push_back(*std::move(bad));
    }
    absl::StatusOr<FormFields> fields = ParseForm(request.query);
    std::optional<V2Params> params;
    if (!fields.ok()) {
      problems.push_back({"query", request.query,
                          "The query string is not valid percent-encoding"});
    } else {
      params = ParseV2Params(*fields, endpoint.spec, &problems);
    }
    response = problems.empty() ? endpoint.handle(path_params, *params)
                                : V2InvalidRequest(problems);
  }
  AddHeader(response, "x-rate-limit-limit", quota.limit);
  AddHeader(response, "x-rate-limit-remaining", quota.remaining);
  AddHeader(response, "x-rate-limit-reset", absl::ToUnixSeconds(quota.reset));
  return response;
}

}  // namespace perch::emulator
