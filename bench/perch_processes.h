// Starting perch-emulator and perch-server as child processes, for the
// benchmark and the soak: where each says it listens, and callers' API keys
// with the SHA-256 a callers file (--api_keys_file) holds.
#ifndef PERCH_BENCH_PERCH_PROCESSES_H_
#define PERCH_BENCH_PERCH_PROCESSES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/child_process.h"

namespace perch::bench {

// The example app of the application-only authentication guide, which the
// emulator accepts by default.
inline constexpr char kEmulatorAppKey[] = "xvz1evFS4wEEPTGEFPHBog";
inline constexpr char kEmulatorAppSecret[] =
    "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg";

// The base URL from perch-emulator's "perch-emulator listening on <url>".
absl::StatusOr<std::string> WaitForEmulatorUrl(ChildProcess& emulator,
                                               absl::Duration timeout);

// The port from perch-server's "listening on ... (port N)".
absl::StatusOr<int> WaitForServerPort(ChildProcess& server,
                                      absl::Duration timeout);

// The /metrics port from perch-server's "GET /metrics at port N".
absl::StatusOr<int> WaitForMetricsPort(ChildProcess& server,
                                       absl::Duration timeout);

// A fresh random API key, "<prefix>-" and 48 hex digits; never printed.
absl::StatusOr<std::string> NewApiKey(absl::string_view prefix);
// Its SHA-256 in hex, as a callers file names a key.
std::string Sha256Hex(absl::string_view key);

}  // namespace perch::bench

#endif  // PERCH_BENCH_PERCH_PROCESSES_H_
