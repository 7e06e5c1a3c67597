// The emulator faults the integration suites inject most, by what the
// upstream answers instead of the route (emulator/faults.h has every field).
// Tests only.
#ifndef PERCH_TESTS_INTEGRATION_FAULT_RULES_H_
#define PERCH_TESTS_INTEGRATION_FAULT_RULES_H_

#include <cstdint>
#include <string>
#include <utility>

#include "emulator/faults.h"

namespace perch::testing {

// Requests to paths starting with `path` are answered `status`, with a v1.1
// error body {"errors":[{code, "injected"}]} when `code` is not 0. `times`:
// 0 fires until cleared, N > 0 fires N times.
inline emulator::FaultRule StatusFault(std::string path, int status,
                                       int code = 0, int64_t times = 0) {
  emulator::FaultRule rule;
  rule.path_prefix = std::move(path);
  rule.status = status;
  rule.error_code = code;
  if (code != 0) rule.error_message = "injected";
  rule.times = times;
  return rule;
}

// The same with `body` as the answer's body (a v2 problem, HTML, ...).
inline emulator::FaultRule BodyFault(std::string path, int status,
                                     std::string body, int64_t times = 0) {
  emulator::FaultRule rule = StatusFault(std::move(path), status, 0, times);
  rule.body = std::move(body);
  return rule;
}

}  // namespace perch::testing

#endif  // PERCH_TESTS_INTEGRATION_FAULT_RULES_H_
