#include "emulator/faults.h"

#include <utility>

#include "absl/strings/match.h"

namespace perch::emulator {

void FaultInjector::Add(FaultRule rule) {
  absl::MutexLock lock(&mu_);
  rules_.push_back(std::move(rule));
}

void FaultInjector::Clear() {
  absl::MutexLock lock(&mu_);
  rules_.clear();
}

size_t FaultInjector::size() const {
  absl::MutexLock lock(&mu_);
  return rules_.size();
}

FaultDecision FaultInjector::Decide(absl::string_view path,
                                    absl::string_view pattern) {
  FaultDecision decision;
  absl::MutexLock lock(&mu_);
  for (auto it = rules_.begin(); it != rules_.end();) {
    FaultRule& rule = *it;
    if (!absl::StartsWith(path, rule.path_prefix) &&
        (pattern.empty() || !absl::StartsWith(pattern, rule.path_prefix))) {
      ++it;
      continue;
    }
    // Certain rules (probability 0 or 1) do not consume randomness, so adding
    // a latency-only rule does not reshuffle which requests an error rule hits.
    bool fires;
    if (rule.probability >= 1.0) {
      fires = true;
    } else if (rule.probability <= 0.0) {
      fires = false;
    } else {
      // 53 random bits as a double in [0, 1): the same sequence on every
      // standard library, unlike std::uniform_real_distribution.
      double roll = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
      fires = roll < rule.probability;
    }
    if (!fires) {
      ++it;
      continue;
    }
    decision.latency += rule.latency;
    if (rule.has_outcome() && !decision.outcome.has_value()) {
      decision.outcome = rule;
    }
    if (rule.times > 0 && --rule.times == 0) {
      it = rules_.erase(it);
    } else {
      ++it;
    }
  }
  return decision;
}

}  // namespace perch::emulator
