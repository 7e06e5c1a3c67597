#include "emulator/routes.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "emulator/error_bodies.h"

namespace perch::emulator {
namespace {

// The apps /oauth2/token accepts, in TokenAuthority's numbering.
std::vector<AppCredentials> AppsOf(const EmulatorOptions& options) {
  std::vector<AppCredentials> apps = {{options.app_key, options.app_secret}};
  if (!options.second_app_key.empty() && !options.second_app_secret.empty()) {
    apps.push_back({options.second_app_key, options.second_app_secret});
  }
  return apps;
}

}  // namespace

Router::Router(const EmulatorOptions& options, const Clock& clock,
               std::vector<ReadEndpoint> read_endpoints,
               std::vector<V2Endpoint> v2_endpoints)
    : clock_(clock),
      tokens_(options.seed, AppsOf(options).size()),
      account_(options.access_level, options.account_state),
      faults_(options.seed),
      schedule_(options.seed, [this] { tokens_.Revoke(); }),
      token_routes_(AppsOf(options), tokens_,
                    options.max_token_requests_per_minute, clock),
      reads_(tokens_, clock, account_, std::move(read_endpoints)),
      // Both dialects' windows live in one limiter, keyed by v1.1 path or
      // v2 pattern, so admin overrides and resets reach either.
      v2_(tokens_, clock, reads_.limiter(), account_,
          AccountIdFor(options.seed), std::move(v2_endpoints)),
      admin_(faults_, schedule_, tokens_, counters_, reads_.limiter(), account_,
             clock) {
  for (const FaultRule& rule : options.faults) faults_.Add(rule);
}

Outcome Router::Handle(const Request& request) {
  Outcome outcome;
  if (AdminRoutes::Serves(request.path)) {
    outcome.response = admin_.Handle(request);
    return outcome;
  }
  const std::string pattern = V2Routes::Serves(request.path)
                                  ? v2_.PatternOf(request.path)
                                  : request.path;
  counters_.Increment(pattern);
  requests_.Record(request, pattern);

  FaultDecision fault = faults_.Decide(request.path, pattern);
  FaultDecision scheduled =
      schedule_.Decide(clock_.Now(), request.path, pattern);
  fault.latency += scheduled.latency;
  if (!fault.outcome.has_value()) fault.outcome = std::move(scheduled.outcome);
  outcome.delay = fault.latency;
  const FaultRule* rule = fault.outcome ? &*fault.outcome : nullptr;
  // An injected failure stands in for the upstream entirely: the request
  // does not reach the routes, so it spends no rate limit and mints no token.
  if (rule != nullptr && (rule->drop_connection || rule->reset_connection)) {
    outcome.drop = true;
    outcome.reset = rule->reset_connection;
    return outcome;
  }
  if (rule != nullptr && rule->status != 0) {
    if (rule->error_code != 0) {
      outcome.response =
          ErrorResponse(rule->status, rule->error_code, rule->error_message);
    } else {
      outcome.response.status = rule->status;
      outcome.response.body = rule->body;
      if (!rule->body.empty()) {
        outcome.response.headers.emplace_back(
            "content-type", rule->content_type.empty()
                                ? std::string("text/html;charset=utf-8")
                                : rule->content_type);
      }
    }
    return outcome;
  }

  absl::string_view token_type = "bearer";
  if (rule != nullptr && !rule->token_type.empty()) {
    token_type = rule->token_type;
  }
  outcome.response = Dispatch(request, token_type);
  if (rule != nullptr && rule->malformed_body) {
    outcome.response.body = TruncateBody(outcome.response.body);
  }
  if (rule != nullptr && rule->cut_body) {
    // evhttp keeps a Content-Length it is given and closes the connection
    // after a reply that says "Connection: close".
    outcome.response.headers.emplace_back(
        "Content-Length", absl::StrCat(outcome.response.body.size()));
    outcome.response.headers.emplace_back("Connection", "close");
    outcome.response.body = TruncateBody(outcome.response.body);
  }
  if (rule != nullptr && rule->trickle_bytes > 0) {
    outcome.trickle_bytes = static_cast<size_t>(rule->trickle_bytes);
    outcome.trickle_every = rule->trickle_every;
  }
  return outcome;
}

Response Router::Dispatch(const Request& request,
                          absl::string_view token_type) {
  if (TokenRoutes::Serves(request.path)) {
    return token_routes_.Handle(request, token_type);
  }
  if (reads_.Serves(request.path)) return reads_.Handle(request);
  if (V2Routes::Serves(request.path)) return v2_.Handle(request);
  return PageDoesNotExist();
}

std::string AccountIdFor(uint64_t seed) {
  uint64_t z = (seed + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 31)) * 0xBF58476D1CE4E5B9ull;
  return absl::StrCat(1000000000000000000ull + z % 8000000000000000000ull);
}

std::string TruncateBody(const std::string& body) {
  if (body.size() <= 1) return "{";
  return body.substr(0, body.size() / 2);
}

}  // namespace perch::emulator
