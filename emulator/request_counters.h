// How many requests the emulator has seen per path, for tests that assert
// "perch asked for a token exactly once". Admin requests are not counted.
#ifndef PERCH_EMULATOR_REQUEST_COUNTERS_H_
#define PERCH_EMULATOR_REQUEST_COUNTERS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace perch::emulator {

// Thread-safe.
class RequestCounters {
 public:
  void Increment(absl::string_view path);
  int64_t Get(absl::string_view path) const;
  // Every path seen since the last Reset, sorted.
  std::map<std::string, int64_t> Snapshot() const;
  void Reset();

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, int64_t> counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_REQUEST_COUNTERS_H_
