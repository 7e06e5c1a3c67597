#include "server/metrics/perch_metrics.h"

#include <algorithm>
#include <utility>

#include "absl/strings/strip.h"
#include "server/common/error_reasons.h"
#include "server/metrics/process_metrics.h"

namespace perch::metrics {

GrpcFamilies::GrpcFamilies(Registry& r)
    : calls(r.AddCounter("perch_grpc_calls_total",
                         "perch.v1 RPCs ended, by full method and gRPC code.",
                         {"method", "code"})),
      duration(r.AddHistogram(
          "perch_grpc_call_duration_seconds",
          "perch.v1 RPC latency, from the handler's start to its finish.",
          LatencyBuckets(), {"method"})),
      in_flight(r.AddGauge("perch_grpc_calls_in_flight",
                           "perch.v1 RPCs started and not yet ended.",
                           {"method"})) {}

EndpointMetrics::Families::Families(Registry& r)
    : requests(r.AddCounter(
          "perch_upstream_requests_total",
          "Upstream HTTP requests, by endpoint (route template) and status "
          "class (2xx 3xx 4xx 5xx, or transport_error when no response "
          "came).",
          {"endpoint", "status_class"})),
      duration(r.AddHistogram(
          "perch_upstream_request_duration_seconds",
          "Upstream request latency, until the response or the failure.",
          LatencyBuckets(), {"endpoint"})),
      retries(r.AddCounter("perch_upstream_retries_total",
                           "Upstream requests retried after a retryable "
                           "failure.",
                           {"endpoint"})),
      connection_failures(r.AddCounter(
          "perch_upstream_connection_failures_total",
          "Upstream requests that got no response: connect, TLS, DNS or "
          "reset failures.",
          {"endpoint"})),
      received_bytes(r.AddCounter("perch_upstream_received_bytes_total",
                                  "Upstream response body bytes received.",
                                  {"endpoint"})),
      rate_limit(r.AddGauge("perch_upstream_rate_limit",
                            "Last seen x-rate-limit-limit of the endpoint.",
                            {"endpoint"})),
      rate_remaining(r.AddGauge(
          "perch_upstream_rate_remaining",
          "Last seen x-rate-limit-remaining of the endpoint.", {"endpoint"})),
      rate_reset(r.AddGauge(
          "perch_upstream_rate_reset_timestamp_seconds",
          "Last seen x-rate-limit-reset of the endpoint (unix seconds).",
          {"endpoint"})),
      throttled(r.AddCounter(
          "perch_upstream_throttled_total",
          "Upstream 429 answers, by reason: rate_limit (the window is "
          "spent) or usage_cap (the app's monthly cap).",
          {"endpoint", "reason"})) {}

EndpointMetrics::EndpointMetrics(const Families& f, const std::string& endpoint)
    : by_class_{LazySeries<Counter>(f.requests, {endpoint, "2xx"}),
                LazySeries<Counter>(f.requests, {endpoint, "3xx"}),
                LazySeries<Counter>(f.requests, {endpoint, "4xx"}),
                LazySeries<Counter>(f.requests, {endpoint, "5xx"})},
      transport_errors_(f.requests, {endpoint, "transport_error"}),
      duration_(f.duration, {endpoint}),
      retries_(f.retries, {endpoint}),
      connection_failures_(f.connection_failures, {endpoint}),
      received_bytes_(f.received_bytes, {endpoint}),
      limit_(f.rate_limit, {endpoint}),
      remaining_(f.rate_remaining, {endpoint}),
      reset_(f.rate_reset, {endpoint}),
      throttled_rate_limit_(f.throttled, {endpoint, "rate_limit"}),
      throttled_usage_cap_(f.throttled, {endpoint, "usage_cap"}) {}

void EndpointMetrics::RecordResponse(int http_status, size_t body_bytes,
                                     absl::Duration latency) {
  const int index = std::clamp(http_status / 100 - 2, 0, 3);
  by_class_[index].Get().Increment();
  received_bytes_.Get().Increment(body_bytes);
  duration_.Get().Observe(absl::ToDoubleSeconds(latency));
}

void EndpointMetrics::RecordTransportError(bool connection_failure,
                                           absl::Duration latency) {
  transport_errors_.Get().Increment();
  if (connection_failure) connection_failures_.Get().Increment();
  duration_.Get().Observe(absl::ToDoubleSeconds(latency));
}

void EndpointMetrics::RecordRateWindow(int64_t limit, int64_t remaining,
                                       int64_t reset_unix_seconds) {
  limit_.Get().Set(static_cast<double>(limit));
  remaining_.Get().Set(static_cast<double>(remaining));
  reset_.Get().Set(static_cast<double>(reset_unix_seconds));
}

void EndpointMetrics::RecordThrottled(ThrottleReason reason) {
  (reason == ThrottleReason::kUsageCap ? throttled_usage_cap_
                                       : throttled_rate_limit_)
      .Get()
      .Increment();
}

EndpointMetrics& UpstreamMetrics::Endpoint(absl::string_view path) {
  absl::ConsumePrefix(&path, "/");
  return endpoints_.Get(path);
}

TokenMetrics::TokenMetrics(Registry& r, const Clock& clock)
    : fetch_family_(r.AddCounter(
          "perch_token_fetches_total",
          "Bearer token requests to the upstream, by outcome: ok, rejected "
          "(the app credentials), unavailable, rate_limited, error.",
          {"outcome"})),
      reobtains_(r.AddCounter("perch_token_reobtains_total",
                              "Bearer tokens obtained again after the "
                              "upstream rejected the one held.")
                     .Get()),
      invalidations_(r.AddCounter("perch_token_invalidations_total",
                                  "Bearer tokens invalidated upstream "
                                  "(TokenService.Invalidate).")
                         .Get()) {
  constexpr absl::string_view kOutcomes[] = {"ok", "rejected", "unavailable",
                                             "rate_limited", "error"};
  for (size_t i = 0; i < fetches_.size(); ++i) {
    fetches_[i] =
        LazySeries<Counter>(fetch_family_, {std::string(kOutcomes[i])});
  }
  r.AddCallbackGauge(
      "perch_token_age_seconds",
      "Seconds since the bearer token held was obtained; 0 when none is "
      "held.",
      [this, &clock] { return AgeSeconds(clock.Now()); });
}

void TokenMetrics::RecordFetch(TokenOutcome outcome) {
  fetches_[static_cast<size_t>(outcome)].Get().Increment();
}

void TokenMetrics::SetHeld(absl::Time at) {
  held_since_ns_.store(at == absl::InfinitePast() ? 0 : absl::ToUnixNanos(at),
                       std::memory_order_relaxed);
}

double TokenMetrics::AgeSeconds(absl::Time now) const {
  const int64_t since = held_since_ns_.load(std::memory_order_relaxed);
  if (since == 0) return 0;
  return std::max(0.0, absl::ToDoubleSeconds(now - absl::FromUnixNanos(since)));
}

CallerSeries::CallerSeries(const Families& f, absl::string_view caller)
    : families_(f),
      caller_(caller),
      calls_(f.calls, {caller_}),
      // In DenialSlot order.
      denials_{
          LazySeries<Counter>(
              f.denials,
              {caller_, std::string(reasons::kCallerUnauthenticated)}),
          LazySeries<Counter>(
              f.denials, {caller_, std::string(reasons::kCallerNotPermitted)}),
          LazySeries<Counter>(
              f.denials,
              {caller_, std::string(reasons::kCallerQuotaExceeded)})},
      throttles_(f.throttles, {caller_}) {}

void CallerSeries::RecordDenied(absl::string_view reason) {
  if (reason == reasons::kCallerUnauthenticated) {
    denials_[kUnauthenticated].Get().Increment();
  } else if (reason == reasons::kCallerNotPermitted) {
    denials_[kNotPermitted].Get().Increment();
  } else if (reason == reasons::kCallerQuotaExceeded) {
    denials_[kQuotaExceeded].Get().Increment();
    throttles_.Get().Increment();
  } else {
    // Not a reason the gate gives today: the family's lock, per call.
    families_.denials.WithLabels({caller_, reason}).Increment();
  }
}

CallerSeries::Families::Families(Registry& r)
    : calls(r.AddCounter("perch_caller_calls_total",
                         "perch.v1 calls admitted, by caller name from the "
                         "callers file (anonymous when auth is off).",
                         {"caller"})),
      denials(r.AddCounter(
          "perch_caller_denials_total",
          "perch.v1 calls refused by the caller gate, by caller (unknown "
          "when no caller was identified) and ErrorInfo reason.",
          {"caller", "reason"})),
      throttles(r.AddCounter("perch_caller_throttles_total",
                             "perch.v1 calls refused by the caller's quota.",
                             {"caller"})) {}

PerchMetrics::PerchMetrics(Registry& registry, const Clock& clock,
                           const BuildInfo& build)
    : grpc_(registry),
      upstream_(registry),
      token_(registry, clock),
      coalesced_(registry.AddCounter(
          "perch_coalesced_calls_total",
          "perch.v1 calls served by joining an identical request in flight.",
          {"method"})),
      cache_requests_(registry.AddCounter(
          "perch_cache_requests_total",
          "Lookups in perch's caches (user_id: screen name to user id, "
          "list_slug: owner and slug to list id), by result (hit, miss).",
          {"cache", "result"})),
      cache_entries_(registry.AddGauge(
          "perch_cache_entries", "Entries held in perch's caches.", {"cache"})),
      callers_(registry) {
  registry
      .AddGauge("perch_build_info",
                "Always 1: the perch version, the commit it was built from "
                "and the upstream dialect it reads.",
                {"version", "commit", "dialect"})
      .WithLabels({build.version, build.commit, build.dialect})
      .Set(1);
  AddProcessMetrics(registry);
}

CacheMetrics PerchMetrics::Cache(absl::string_view name) {
  return CacheMetrics{&cache_requests_.WithLabels({name, "hit"}),
                      &cache_requests_.WithLabels({name, "miss"}),
                      &cache_entries_.WithLabels({name})};
}

}  // namespace perch::metrics
