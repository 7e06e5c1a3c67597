#include "server/upstream/ttl_cache.h"

#include <utility>

namespace perch::upstream {

std::optional<std::string> TtlCache::Get(absl::string_view key) {
  const absl::Time now = clock_.Now();
  MutexLock lock(&mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    NoteLocked(/*hit=*/false);
    return std::nullopt;
  }
  Order::iterator entry = it->second;
  if (entry->expires <= now) {
    order_.erase(entry);
    index_.erase(it);
    NoteLocked(/*hit=*/false);
    return std::nullopt;
  }
  order_.splice(order_.begin(), order_, entry);
  NoteLocked(/*hit=*/true);
  return entry->value;
}

void TtlCache::NoteLocked(bool hit) {
  if (!metrics_.has_value()) return;
  (hit ? metrics_->hits : metrics_->misses)->Increment();
  metrics_->entries->Set(static_cast<double>(order_.size()));
}

void TtlCache::Put(absl::string_view key, std::string value) {
  if (capacity_ == 0 || ttl_ <= absl::ZeroDuration()) return;
  const absl::Time expires = clock_.Now() + ttl_;
  MutexLock lock(&mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->value = std::move(value);
    it->second->expires = expires;
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.push_front(Entry{std::string(key), std::move(value), expires});
  index_.emplace(order_.front().key, order_.begin());
  if (order_.size() > capacity_) {
    index_.erase(order_.back().key);
    order_.pop_back();
  }
  if (metrics_.has_value()) {
    metrics_->entries->Set(static_cast<double>(order_.size()));
  }
}

size_t TtlCache::size() const {
  MutexLock lock(&mu_);
  return order_.size();
}

}  // namespace perch::upstream
