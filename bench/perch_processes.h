// What the benchmark and the soak give perch-emulator and perch-server
// (started as tests/testing/child_process.h children, found ready with
// tests/testing/perch_process_lines.h): the emulator's app credentials, and
// callers' API keys with the SHA-256 a callers file (--api_keys_file) holds.
#ifndef PERCH_BENCH_PERCH_PROCESSES_H_
#define PERCH_BENCH_PERCH_PROCESSES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace perch::bench {

// The example app of the application-only authentication guide, which the
// emulator accepts by default.
inline constexpr char kEmulatorAppKey[] = "xvz1evFS4wEEPTGEFPHBog";
inline constexpr char kEmulatorAppSecret[] =
    "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg";

// A fresh random API key, "<prefix>-" and 48 hex digits; never printed.
absl::StatusOr<std::string> NewApiKey(absl::string_view prefix);
// Its SHA-256 in hex, as a callers file names a key.
std::string Sha256Hex(absl::string_view key);

}  // namespace perch::bench

#endif  // PERCH_BENCH_PERCH_PROCESSES_H_
