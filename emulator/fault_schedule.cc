#include "emulator/fault_schedule.h"

#include <utility>

namespace perch::emulator {

void FaultSchedule::Set(std::vector<FaultPhase> phases, absl::Time start,
                        bool repeat) {
  absl::MutexLock lock(&mu_);
  phases_ = std::move(phases);
  start_ = start;
  repeat_ = repeat;
  entered_ = -1;
  revoked_in_phase_ = 0;
  injector_.Clear();
}

void FaultSchedule::Clear() { Set({}, absl::InfinitePast(), false); }

absl::Duration FaultSchedule::cycle_length() const {
  absl::ReaderMutexLock lock(&mu_);
  absl::Duration total = absl::ZeroDuration();
  for (const FaultPhase& phase : phases_) total += phase.duration;
  return total;
}

SchedulePosition FaultSchedule::At(absl::Time now) const {
  absl::ReaderMutexLock lock(&mu_);
  return PositionLocked(now);
}

SchedulePosition FaultSchedule::PositionLocked(absl::Time now) const {
  SchedulePosition position;
  absl::Duration cycle = absl::ZeroDuration();
  for (const FaultPhase& phase : phases_) cycle += phase.duration;
  if (phases_.empty() || cycle <= absl::ZeroDuration() || now < start_) {
    return position;
  }
  const absl::Duration elapsed = now - start_;
  absl::Duration unused_remainder;
  const int64_t cycles = absl::IDivDuration(elapsed, cycle, &unused_remainder);
  if (cycles > 0 && !repeat_) return position;
  absl::Time phase_start = start_ + cycles * cycle;
  for (size_t i = 0; i < phases_.size(); ++i) {
    if (now < phase_start + phases_[i].duration) {
      position.active = true;
      position.cycle = cycles;
      position.index = i;
      position.name = phases_[i].name;
      position.phase_start = phase_start;
      return position;
    }
    phase_start += phases_[i].duration;
  }
  return position;  // not reached: `now` is inside the cycle
}

bool FaultSchedule::AdvanceLocked(absl::Time now) {
  const SchedulePosition position = PositionLocked(now);
  const int64_t entered =
      position.active
          ? position.cycle * static_cast<int64_t>(phases_.size()) +
                static_cast<int64_t>(position.index)
          : -1;
  if (entered != entered_) {
    entered_ = entered;
    revoked_in_phase_ = 0;
    injector_.Clear();
    if (position.active) {
      for (const FaultRule& rule : phases_[position.index].rules) {
        injector_.Add(rule);
      }
    }
  }
  if (!position.active) return false;
  const absl::Duration every = phases_[position.index].revoke_every;
  if (every <= absl::ZeroDuration()) return false;
  // Revocations due so far in this phase: the one on entry, then one per
  // period. Several due at once (no request came between) collapse into
  // one: a token revoked twice with none issued between is revoked once.
  absl::Duration unused_remainder;
  const int64_t due =
      1 + absl::IDivDuration(now - position.phase_start, every,
                             &unused_remainder);
  if (due <= revoked_in_phase_) return false;
  revoked_in_phase_ = due;
  return true;
}

FaultDecision FaultSchedule::Decide(absl::Time now, absl::string_view path,
                                    absl::string_view pattern) {
  bool revoke = false;
  {
    absl::MutexLock lock(&mu_);
    if (phases_.empty()) return FaultDecision{};
    revoke = AdvanceLocked(now);
  }
  if (revoke) revoke_();
  return injector_.Decide(path, pattern);
}

}  // namespace perch::emulator
