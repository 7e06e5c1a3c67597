// A deterministic, scripted rotation of fault phases: each phase has a name,
// a duration, the fault rules active during it and, optionally, a period at
// which the live token is revoked behind the client's back. Which phase is
// active is a pure function of the time, so a driver that set the schedule
// knows which fault any of its calls met. Phases switch lazily, on the first
// request (or query) at or after their start: no thread or timer of its own.
#ifndef PERCH_EMULATOR_FAULT_SCHEDULE_H_
#define PERCH_EMULATOR_FAULT_SCHEDULE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "emulator/faults.h"

namespace perch::emulator {

struct FaultPhase {
  std::string name;
  absl::Duration duration = absl::Seconds(1);  // > 0
  std::vector<FaultRule> rules;
  // > 0: the live token is revoked on entering the phase and again each
  // time this much more of the phase has passed.
  absl::Duration revoke_every = absl::ZeroDuration();
};

// Where a schedule stands at some time.
struct SchedulePosition {
  bool active = false;  // false: no schedule, not started, or run out
  int64_t cycle = 0;    // 0-based pass through the phases
  size_t index = 0;     // the phase within the cycle
  std::string name;
  absl::Time phase_start;
};

// Thread-safe: the loop thread decides while an admin request replaces it.
class FaultSchedule {
 public:
  // `revoke` revokes the live token (called with no lock of the caller's
  // held, at most once per request).
  FaultSchedule(uint64_t seed, absl::AnyInvocable<void()> revoke)
      : revoke_(std::move(revoke)), injector_(seed) {}

  // Replaces the schedule: the phases run one after the other from `start`;
  // with `repeat` the rotation starts over after the last phase, otherwise
  // nothing is injected after it.
  void Set(std::vector<FaultPhase> phases, absl::Time start, bool repeat);
  void Clear();

  // The length of one pass through the phases (zero when none).
  absl::Duration cycle_length() const;
  SchedulePosition At(absl::Time now) const;

  // Enters the phase `now` falls in (revoking the token when the phase asks
  // for it), then rolls the phase's rules as FaultInjector::Decide does.
  FaultDecision Decide(absl::Time now, absl::string_view path,
                       absl::string_view pattern);

 private:
  SchedulePosition PositionLocked(absl::Time now) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // True when the token is due to be revoked.
  bool AdvanceLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::AnyInvocable<void()> revoke_;
  mutable absl::Mutex mu_;
  std::vector<FaultPhase> phases_ ABSL_GUARDED_BY(mu_);
  absl::Time start_ ABSL_GUARDED_BY(mu_);
  bool repeat_ ABSL_GUARDED_BY(mu_) = false;
  // The phase whose rules `injector_` holds, as cycle * size + index; -1
  // for none.
  int64_t entered_ ABSL_GUARDED_BY(mu_) = -1;
  // Revocations done in the entered phase (the one on entry included).
  int64_t revoked_in_phase_ ABSL_GUARDED_BY(mu_) = 0;
  FaultInjector injector_;  // thread-safe itself
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_FAULT_SCHEDULE_H_
