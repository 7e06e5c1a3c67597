// Holds the current callers file and picks up edits to it: Kubernetes
// updates a mounted Secret by swapping a symlink, so perch looks at the
// file's identity (inode, size, mtime, ctime) at most once per
// `check_interval`, lazily, on the call that needs the keys, and re-parses
// only when it changed. No thread of its own.
#ifndef PERCH_SERVER_SECURITY_RELOADING_API_KEYS_H_
#define PERCH_SERVER_SECURITY_RELOADING_API_KEYS_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/common/clock.h"
#include "server/common/file_stamp.h"
#include "server/common/mutex.h"
#include "server/security/api_keys.h"

namespace perch::security {

// Thread-safe.
class ReloadingApiKeys {
 public:
  // Loads `path` now: a missing, invalid or empty file is an error (perch
  // does not start on a broken callers file). `clock` must outlive this object.
  static absl::StatusOr<std::unique_ptr<ReloadingApiKeys>> Open(
      std::string path, absl::Duration check_interval, const Clock& clock);

  // The keys to decide this call with. When `check_interval` has passed
  // since the last look and the file changed, it is re-read first. A changed
  // file that is gone, cannot be read or parsed, or names no caller without
  // saying !no-callers keeps the previous keys in force (failing closed
  // would lock every caller out over a typo or an emptied Secret) and logs
  // the problem once per change; the file's own error names the line, never
  // a credential.
  std::shared_ptr<const ApiKeys> Current();

  // From now on every callers file in force has its entries' perch_caller_*
  // series resolved in `metrics` (ApiKeys::ResolveSeries), the one loaded
  // now included, so the gate never looks a series up per call. Called
  // while wiring (by the gate that records into `metrics`); `metrics` must
  // outlive this object.
  void ResolveSeriesIn(metrics::CallerMetrics& metrics);

  // How many times a changed file has been loaded successfully since Open.
  int64_t reloads() const;

 private:
  ReloadingApiKeys(std::string path, absl::Duration check_interval,
                   const Clock& clock)
      : path_(std::move(path)),
        check_interval_(check_interval),
        clock_(clock) {}

  const std::string path_;
  const absl::Duration check_interval_;
  const Clock& clock_;

  mutable Mutex mu_;
  std::shared_ptr<const ApiKeys> current_ ABSL_GUARDED_BY(mu_);
  FileStamp stamp_ ABSL_GUARDED_BY(mu_);
  absl::Time last_check_ ABSL_GUARDED_BY(mu_);
  int64_t reloads_ ABSL_GUARDED_BY(mu_) = 0;
  metrics::CallerMetrics* metrics_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace perch::security

#endif  // PERCH_SERVER_SECURITY_RELOADING_API_KEYS_H_
