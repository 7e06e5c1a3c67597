#include "emulator/routes.h"

#include <string>
#include <utility>

#include "emulator/error_bodies.h"

namespace perch::emulator {

Router::Router(const EmulatorOptions& options, const Clock& clock,
               std::vector<ReadEndpoint> read_endpoints)
    : tokens_(options.seed),
      faults_(options.seed),
      token_routes_(AppCredentials{options.app_key, options.app_secret},
                    tokens_, options.max_token_requests_per_minute, clock),
      reads_(tokens_, clock, std::move(read_endpoints)),
      admin_(faults_, tokens_, counters_, reads_.limiter()) {
  for (const FaultRule& rule : options.faults) faults_.Add(rule);
}

Outcome Router::Handle(const Request& request) {
  Outcome outcome;
  if (AdminRoutes::Serves(request.path)) {
    outcome.response = admin_.Handle(request);
    return outcome;
  }
  counters_.Increment(request.path);

  FaultDecision fault = faults_.Decide(request.path);
  outcome.delay = fault.latency;
  const FaultRule* rule = fault.outcome ? &*fault.outcome : nullptr;
  // An injected failure stands in for the upstream entirely: the request
  // does not reach the routes, so it spends no rate limit and mints no token.
  if (rule != nullptr && rule->drop_connection) {
    outcome.drop = true;
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
        outcome.response.headers.emplace_back("content-type",
                                              "text/html;charset=utf-8");
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
  return outcome;
}

Response Router::Dispatch(const Request& request,
                          absl::string_view token_type) {
  if (TokenRoutes::Serves(request.path)) {
    return token_routes_.Handle(request, token_type);
  }
  if (reads_.Serves(request.path)) return reads_.Handle(request);
  return PageDoesNotExist();
}

std::string TruncateBody(const std::string& body) {
  if (body.size() <= 1) return "{";
  return body.substr(0, body.size() / 2);
}

}  // namespace perch::emulator
