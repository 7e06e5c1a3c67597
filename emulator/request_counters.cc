#include "emulator/request_counters.h"

namespace perch::emulator {

void RequestCounters::Increment(absl::string_view path) {
  absl::MutexLock lock(&mu_);
  ++counts_[path];
}

int64_t RequestCounters::Get(absl::string_view path) const {
  absl::MutexLock lock(&mu_);
  auto it = counts_.find(path);
  return it == counts_.end() ? 0 : it->second;
}

std::map<std::string, int64_t> RequestCounters::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return std::map<std::string, int64_t>(counts_.begin(), counts_.end());
}

void RequestCounters::Reset() {
  absl::MutexLock lock(&mu_);
  counts_.clear();
}

}  // namespace perch::emulator
