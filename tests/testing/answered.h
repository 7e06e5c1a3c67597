// A gMock matcher for an answer a test captured from a callback into a
// std::optional (of absl::StatusOr<T>, absl::Status or grpc::Status): that
// the callback ran, and with which code. Answered() is an OK answer (for a
// StatusOr, one holding a value); Answered(code) one with `code`, whatever
// its message.
#ifndef PERCH_TESTS_TESTING_ANSWERED_H_
#define PERCH_TESTS_TESTING_ANSWERED_H_

#include <gmock/gmock.h>

#include "absl/status/status.h"
#include "tests/testing/status_matchers.h"

namespace perch::testing {

template <typename Code = absl::StatusCode>
auto Answered(Code code = absl::StatusCode::kOk) {
  return ::testing::Optional(StatusIs(code));
}

}  // namespace perch::testing

#endif  // PERCH_TESTS_TESTING_ANSWERED_H_
