// What the benchmark and the soak give perch-emulator and perch-server
// (started as tests/testing/child_process.h children and found ready with
// tests/testing/perch_process_lines.h, both through SpawnReady): the
// emulator's app credentials, and callers' API keys with the SHA-256 a
// callers file (--api_keys_file) holds.
#ifndef PERCH_BENCH_PERCH_PROCESSES_H_
#define PERCH_BENCH_PERCH_PROCESSES_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/testing/child_process.h"

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

// A child started and found ready, with what its ready line said (the
// emulator's URL, the server's port).
template <typename Ready>
struct ReadyChild {
  std::unique_ptr<testing::ChildProcess> process;
  Ready ready;
};

// Spawns `options` and waits up to `timeout` for the ready line `wait` reads
// (testing::WaitForEmulatorUrl, testing::WaitForServerPort). A child that
// never gets ready is stopped before the error returns.
template <typename Ready>
absl::StatusOr<ReadyChild<Ready>> SpawnReady(
    testing::ChildProcess::Options options,
    absl::StatusOr<Ready> (*wait)(testing::ChildProcess&, absl::Duration),
    absl::Duration timeout) {
  auto process = testing::ChildProcess::Spawn(std::move(options));
  if (!process.ok()) return process.status();
  absl::StatusOr<Ready> ready = wait(**process, timeout);
  if (!ready.ok()) return ready.status();
  return ReadyChild<Ready>{*std::move(process), *std::move(ready)};
}

}  // namespace perch::bench

#endif  // PERCH_BENCH_PERCH_PROCESSES_H_
