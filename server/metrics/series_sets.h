// The series of one label value from a closed set (an upstream endpoint, a
// caller name), grouped in one object per value, made on the first ask and
// kept for the process's life. Every ask takes this object's lock; recording
// into the returned object takes none for the series it holds. So ask when
// the value becomes known: the caller gate when a callers file loads, the
// upstream reader once per read (not per attempt).
#ifndef PERCH_SERVER_METRICS_SERIES_SETS_H_
#define PERCH_SERVER_METRICS_SERIES_SETS_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "server/common/mutex.h"

namespace perch::metrics {

// `Set` is built as Set(families, name) from the `Set::Families` it was
// given. Sets are never removed: a counter that vanished and came back from
// zero would read as a reset to Prometheus, and the families keep every
// series anyway. Thread-safe; returned references stay valid as long as
// this object.
template <typename Set>
class SeriesSets {
 public:
  explicit SeriesSets(typename Set::Families families)
      : families_(std::move(families)) {}

  Set& Get(absl::string_view name) {
    MutexLock lock(&mu_);
    auto it = sets_.find(name);
    if (it == sets_.end()) {
      const std::string key(name);
      it = sets_.emplace(key, std::make_unique<Set>(families_, key)).first;
    }
    return *it->second;
  }

 private:
  const typename Set::Families families_;
  Mutex mu_;
  std::map<std::string, std::unique_ptr<Set>, std::less<>> sets_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace perch::metrics

#endif  // PERCH_SERVER_METRICS_SERIES_SETS_H_
