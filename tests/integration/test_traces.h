// W3C trace context for tests that follow a caller's trace through perch:
// one distinct sampled traceparent per call, so that a log line, an
// ErrorInfo or an upstream request names the call it belongs to. Tests only.
#ifndef PERCH_TESTS_INTEGRATION_TEST_TRACES_H_
#define PERCH_TESTS_INTEGRATION_TEST_TRACES_H_

#include <string>

#include "absl/strings/str_cat.h"

namespace perch::testing {

// Trace ids `prefix` followed by 4700 + n (`prefix` is 28 hex digits, so
// the id has 32), all with one parent span id. A suite picks its own prefix
// so that its traces are told apart from another suite's.
class TestTraces {
 public:
  explicit constexpr TestTraces(const char* prefix) : prefix_(prefix) {}

  std::string TraceId(int n) const { return absl::StrCat(prefix_, 4700 + n); }

  // The traceparent header of call `n`, sampled.
  std::string Traceparent(int n) const {
    return absl::StrCat("00-", TraceId(n), "-00f067aa0ba902b7-01");
  }

 private:
  const char* prefix_;
};

}  // namespace perch::testing

#endif  // PERCH_TESTS_INTEGRATION_TEST_TRACES_H_
