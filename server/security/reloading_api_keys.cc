#include "server/security/reloading_api_keys.h"

#include <utility>

#include "server/common/log.h"

namespace perch::security {

absl::StatusOr<std::unique_ptr<ReloadingApiKeys>> ReloadingApiKeys::Open(
    std::string path, absl::Duration check_interval, const Clock& clock) {
  // Stamped before reading: an edit racing the first read is seen as a
  // change at the next check rather than lost.
  const FileStamp stamp = StampFile(path);
  auto keys = ApiKeys::Load(path);
  if (!keys.ok()) return keys.status();
  auto holder = std::unique_ptr<ReloadingApiKeys>(
      new ReloadingApiKeys(std::move(path), check_interval, clock));
  MutexLock lock(&holder->mu_);
  holder->current_ = std::make_shared<const ApiKeys>(*std::move(keys));
  holder->stamp_ = stamp;
  holder->last_check_ = clock.Now();
  return holder;
}

std::shared_ptr<const ApiKeys> ReloadingApiKeys::Current() {
  MutexLock lock(&mu_);
  const absl::Time now = clock_.Now();
  if (now - last_check_ < check_interval_) return current_;
  last_check_ = now;
  const FileStamp stamp = StampFile(path_);
  if (stamp == stamp_) return current_;
  // Whatever happens next, this version has been looked at: a broken file
  // is reported once, not on every call.
  stamp_ = stamp;
  if (!stamp.exists) {
    LogError("API keys file ", path_,
             " disappeared; keeping the keys loaded before");
    return current_;
  }
  auto keys = ApiKeys::Load(path_);
  if (!keys.ok()) {
    LogError(keys.status().message(), "; keeping the keys loaded before");
    return current_;
  }
  if (metrics_ != nullptr) keys->ResolveSeries(*metrics_);
  current_ = std::make_shared<const ApiKeys>(*std::move(keys));
  ++reloads_;
  if (current_->admits_nobody()) {
    LogWarning("API keys file ", path_,
               " reloaded: !no-callers, every caller is refused");
    return current_;
  }
  LogInfo("API keys file ", path_, " reloaded: ", current_->key_count(),
          " keys, ", current_->identity_count(), " certificate identities");
  return current_;
}

void ReloadingApiKeys::ResolveSeriesIn(metrics::CallerMetrics& metrics) {
  MutexLock lock(&mu_);
  metrics_ = &metrics;
  // The keys in force may already be shared: resolve a copy, swap it in.
  auto keys = std::make_shared<ApiKeys>(*current_);
  keys->ResolveSeries(metrics);
  current_ = std::move(keys);
}

int64_t ReloadingApiKeys::reloads() const {
  MutexLock lock(&mu_);
  return reloads_;
}

}  // namespace perch::security
