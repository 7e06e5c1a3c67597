// What perch's own binaries print when they are ready, read from a
// ChildProcess: perch-emulator's URL, perch-server's gRPC and /metrics ports.
// The one place tests and the benchmark know these log lines.
#ifndef PERCH_TESTS_TESTING_PERCH_PROCESS_LINES_H_
#define PERCH_TESTS_TESTING_PERCH_PROCESS_LINES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/testing/child_process.h"

namespace perch::testing {

// The base URL from perch-emulator's "perch-emulator listening on <url>".
absl::StatusOr<std::string> WaitForEmulatorUrl(ChildProcess& emulator,
                                               absl::Duration timeout);

// The port from perch-server's "listening on ... (port N)".
absl::StatusOr<int> WaitForServerPort(ChildProcess& server,
                                      absl::Duration timeout);

// The /metrics port from perch-server's "GET /metrics at port N".
absl::StatusOr<int> WaitForMetricsPort(ChildProcess& server,
                                       absl::Duration timeout);

}  // namespace perch::testing

#endif  // PERCH_TESTS_TESTING_PERCH_PROCESS_LINES_H_
