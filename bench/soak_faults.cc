#include "bench/soak_faults.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace perch::bench {
namespace {

using Code = grpc::StatusCode;

// A rule on every read of the dialect, with `outcome` (JSON members) and
// chance `p`.
std::string ReadRule(UpstreamApi api, absl::string_view outcome, double p) {
  return absl::StrCat(R"({"path_prefix":")", ReadPathPrefix(api), R"(",)",
                      outcome, R"(,"probability":)", p, "}");
}

// The dialect's error answer with `status`: v1.1 {"errors":[{code,message}]}
// (UPSTREAM.md §5), v2 an about:blank problem (UPSTREAM-V2.md §3.8, §3.9).
std::string ErrorOutcome(UpstreamApi api, int status, int v1_code,
                         absl::string_view title) {
  if (api == UpstreamApi::kV1_1) {
    if (v1_code == 0) return absl::StrCat(R"("status":)", status);
    return absl::StrCat(R"("status":)", status, R"(,"code":)", v1_code,
                        R"(,"message":")", title, R"(")");
  }
  return absl::StrCat(
      R"("status":)", status, R"(,"content_type":"application/problem+json")",
      R"(,"body":"{\"title\":\")", title, R"(\",\"detail\":\")", title,
      R"(\",\"type\":\"about:blank\",\"status\":)", status, R"(}")");
}

std::string Rules(std::initializer_list<std::string> rules) {
  return absl::StrCat("[", absl::StrJoin(rules, ","), "]");
}

}  // namespace

const char* SoakRpcName(SoakRpc rpc) {
  switch (rpc) {
    case SoakRpc::kGetTimeline:
      return "GetTimeline";
    case SoakRpc::kSearch:
      return "Search";
    case SoakRpc::kGetFollowers:
      return "GetFollowers";
    case SoakRpc::kGetList:
      return "GetList";
    case SoakRpc::kObtain:
      return "Obtain";
    case SoakRpc::kInvalidate:
      return "Invalidate";
  }
  return "?";
}

FaultClass CalmClass() {
  FaultClass calm;
  calm.name = "calm";
  calm.rules_json = "[]";
  calm.reads = calm.obtain = calm.invalidate = {Code::OK};
  return calm;
}

std::vector<FaultClass> SoakFaultClasses(UpstreamApi api,
                                         absl::Duration deadline) {
  // Calls that queued behind a fault's slow or broken connections end up to
  // one deadline after it.
  const absl::Duration settle = deadline + absl::Seconds(1);
  const CodeSet ok = {Code::OK};
  const CodeSet unavailable = {Code::OK, Code::UNAVAILABLE};
  // perch retries UNAVAILABLE twice with backoff inside the deadline; a call
  // whose deadline passes meanwhile ends DEADLINE_EXCEEDED (docs/api.md).
  const CodeSet retried = {Code::OK, Code::UNAVAILABLE,
                           Code::DEADLINE_EXCEEDED};
  const CodeSet late = {Code::OK, Code::DEADLINE_EXCEEDED};
  std::vector<FaultClass> classes;
  auto add = [&](std::string name, std::string rules, CodeSet reads,
                 Code signature) -> FaultClass& {
    FaultClass& c = classes.emplace_back();
    c.name = std::move(name);
    c.rules_json = std::move(rules);
    c.reads = std::move(reads);
    c.obtain = c.invalidate = ok;
    c.signature = signature;
    c.aftermath = settle;
    return c;
  };

  add("5xx_burst",
      Rules({ReadRule(api, ErrorOutcome(api, 503, 130, "Over capacity"), 0.5),
             ReadRule(api, ErrorOutcome(api, 500, 131, "Internal error"), 0.3),
             ReadRule(api, ErrorOutcome(api, 502, 0, "Bad Gateway"), 0.3)}),
      retried, Code::UNAVAILABLE);
  add("connection_reset", Rules({ReadRule(api, R"("reset":true)", 0.6)}),
      retried, Code::UNAVAILABLE);
  add("truncated_body", Rules({ReadRule(api, R"("cut":true)", 0.6)}), retried,
      Code::UNAVAILABLE);
  // 16 bytes every 250 ms: the smallest body takes longer than any deadline.
  FaultClass& slow =
      add("slow_body",
          Rules({ReadRule(api, R"("trickle_bytes":16,"trickle_ms":250)", 0.5)}),
          late, Code::DEADLINE_EXCEEDED);
  // Token requests share the upstream connections the trickles hold.
  slow.obtain = slow.invalidate = late;
  add("malformed_json", Rules({ReadRule(api, R"("malformed":true)", 0.5)}),
      {Code::OK, Code::INTERNAL}, Code::INTERNAL);
  add("429_window",
      Rules({ReadRule(
          api,
          ErrorOutcome(api, 429, 88,
                       api == UpstreamApi::kV1_1 ? "Rate limit exceeded"
                                                 : "Too Many Requests"),
          0.7)}),
      {Code::OK, Code::RESOURCE_EXHAUSTED}, Code::RESOURCE_EXHAUSTED);
  // A read that meets the revoked token obtains a new one and retries once;
  // only a second revocation inside that retry would reject it.
  FaultClass& revoked =
      add("token_revoked", "[]", {Code::OK, Code::UNAUTHENTICATED}, Code::OK);
  revoked.revoke_every = absl::Seconds(2);
  revoked.invalidate = {Code::OK, Code::FAILED_PRECONDITION};
  // The token is revoked on entry and every token request fails: reads
  // that need the token fail (fast, while perch backs off) until the end.
  FaultClass& down = add(
      "token_endpoint_down",
      Rules(
          {R"({"path_prefix":"/oauth2/token","reset":true,"probability":0.3})",
           R"({"path_prefix":"/oauth2/token","status":503,"code":130,)"
           R"("message":"Over capacity"})"}),
      unavailable, Code::UNAVAILABLE);
  down.revoke_every = absl::Hours(24);
  down.obtain = unavailable;
  down.invalidate = {Code::OK, Code::FAILED_PRECONDITION};
  down.token_endpoint_down = true;
  // perch asks again at most 4 s after the last failure (token_backoff.h).
  down.aftermath = std::max(settle, absl::Seconds(6));
  FaultClass& spikes = add("latency_spike",
                           Rules({ReadRule(api, R"("latency_ms":5000)", 0.1),
                                  ReadRule(api, R"("latency_ms":800)", 0.3)}),
                           late, Code::DEADLINE_EXCEEDED);
  spikes.obtain = spikes.invalidate = late;
  return classes;
}

std::vector<SoakPhase> SoakRotation(size_t classes, absl::Duration fault_time,
                                    absl::Duration calm_time) {
  std::vector<SoakPhase> rotation;
  for (size_t i = 0; i < classes; ++i) {
    rotation.push_back({static_cast<int>(i), fault_time});
    rotation.push_back({-1, calm_time});
  }
  return rotation;
}

std::string ScheduleJson(const std::vector<FaultClass>& classes,
                         const std::vector<SoakPhase>& rotation,
                         absl::Time start) {
  std::vector<std::string> phases;
  for (const SoakPhase& phase : rotation) {
    const bool calm = phase.fault < 0;
    const FaultClass* c = calm ? nullptr : &classes[phase.fault];
    phases.push_back(absl::StrCat(
        R"({"name":")", calm ? "calm" : c->name, R"(","duration_ms":)",
        absl::ToInt64Milliseconds(phase.duration), R"(,"revoke_every_ms":)",
        calm ? 0 : absl::ToInt64Milliseconds(c->revoke_every), R"(,"faults":)",
        calm ? "[]" : c->rules_json, "}"));
  }
  return absl::StrCat(R"({"start_unix_ms":)", absl::ToUnixMillis(start),
                      R"(,"repeat":true,"phases":[)",
                      absl::StrJoin(phases, ","), "]}");
}

}  // namespace perch::bench
