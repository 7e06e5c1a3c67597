// The soak's fault classes: for each, the emulator rules that inject it
// (per upstream dialect), whether it revokes the token, and the gRPC codes
// perch may answer while it is active, per RPC (docs/api.md's error table;
// docs/reliability.md says why each). Also the rotation of phases the soak
// sets as the emulator's fault schedule. Pure data: no I/O.
#ifndef PERCH_BENCH_SOAK_FAULTS_H_
#define PERCH_BENCH_SOAK_FAULTS_H_

#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench/upstream_timeline.h"
#include "grpcpp/support/status.h"

namespace perch::bench {

enum class SoakRpc {
  kGetTimeline,
  kSearch,
  kGetFollowers,
  kGetList,
  kObtain,
  kInvalidate
};
inline constexpr int kSoakRpcCount = 6;
const char* SoakRpcName(SoakRpc rpc);
inline bool IsRead(SoakRpc rpc) {
  return rpc != SoakRpc::kObtain && rpc != SoakRpc::kInvalidate;
}

using CodeSet = std::set<grpc::StatusCode>;

struct FaultClass {
  std::string name;  // "5xx_burst"
  // The emulator fault rules, a JSON array (admin_routes.h), for `api`.
  std::string rules_json;
  // > 0: the emulator revokes the token on entry and every this long.
  absl::Duration revoke_every = absl::ZeroDuration();
  // What perch may answer while the fault is active (and for `aftermath`
  // after it): reads, Obtain, Invalidate.
  CodeSet reads;
  CodeSet obtain;
  CodeSet invalidate;
  // The code that shows the fault reached perch: the run fails if no read
  // during the fault's phases ended with it. OK: not checked.
  grpc::StatusCode signature = grpc::StatusCode::OK;
  absl::Duration aftermath = absl::ZeroDuration();
  // Its phases bound the token requests (the token endpoint is down).
  bool token_endpoint_down = false;
};

// The calm state: every RPC answers OK.
FaultClass CalmClass();

// The nine classes in rotation order: 5xx bursts, connection resets,
// truncated bodies, slow bodies, malformed JSON, 429 windows, token revoked,
// token endpoint outage, latency spikes. `deadline` is the soak's longest
// call budget (aftermaths cover calls queued behind a fault's connections).
std::vector<FaultClass> SoakFaultClasses(UpstreamApi api,
                                         absl::Duration deadline);

// One phase of the rotation; `fault` indexes the classes, -1 for calm.
struct SoakPhase {
  int fault = -1;
  absl::Duration duration;
};

// Each class for `fault_time`, each followed by `calm_time` of calm.
std::vector<SoakPhase> SoakRotation(size_t classes, absl::Duration fault_time,
                                    absl::Duration calm_time);

// The emulator schedule (POST /_emulator/schedule) for `rotation`, starting
// at `start` and repeating.
std::string ScheduleJson(const std::vector<FaultClass>& classes,
                         const std::vector<SoakPhase>& rotation,
                         absl::Time start);

}  // namespace perch::bench

#endif  // PERCH_BENCH_SOAK_FAULTS_H_
