// The deadline perch works to for one RPC: the caller's, capped so that a
// call without one still cannot hold an upstream request forever.
#ifndef PERCH_SERVER_SERVICE_CALL_DEADLINE_H_
#define PERCH_SERVER_SERVICE_CALL_DEADLINE_H_

#include <algorithm>
#include <chrono>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"

namespace perch::service {

inline absl::Time CallDeadline(const grpc::CallbackServerContext& context,
                               absl::Duration max_call_time) {
  const absl::Time cap = absl::Now() + max_call_time;
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return cap;
  return std::min(cap, absl::FromChrono(deadline));
}

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_CALL_DEADLINE_H_
