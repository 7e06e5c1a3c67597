#include "emulator/fault_schedule.h"

#include "gtest/gtest.h"

namespace perch::emulator {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

FaultRule Status(int status) {
  FaultRule rule;
  rule.status = status;
  return rule;
}

// A 503 phase of 1 s, then a calm one of 2 s.
std::vector<FaultPhase> TwoPhases() {
  FaultPhase down{"down", absl::Seconds(1), {Status(503)}, {}};
  FaultPhase calm{"calm", absl::Seconds(2), {}, {}};
  return {down, calm};
}

int StatusAt(FaultSchedule& schedule, absl::Duration after_start) {
  FaultDecision d = schedule.Decide(kStart + after_start, "/2/tweets", "");
  return d.outcome.has_value() ? d.outcome->status : 0;
}

TEST(FaultSchedule, PhasesFollowTheClockAndRepeat) {
  int revocations = 0;
  FaultSchedule schedule(1, [&] { ++revocations; });
  schedule.Set(TwoPhases(), kStart, /*repeat=*/true);
  EXPECT_EQ(schedule.cycle_length(), absl::Seconds(3));
  EXPECT_EQ(StatusAt(schedule, -absl::Seconds(1)), 0);  // not started
  EXPECT_EQ(StatusAt(schedule, absl::Milliseconds(500)), 503);
  EXPECT_EQ(StatusAt(schedule, absl::Milliseconds(1500)), 0);
  EXPECT_EQ(StatusAt(schedule, absl::Milliseconds(3200)), 503);  // again
  const SchedulePosition at = schedule.At(kStart + absl::Milliseconds(4500));
  EXPECT_TRUE(at.active);
  EXPECT_EQ(at.cycle, 1);
  EXPECT_EQ(at.index, 1u);
  EXPECT_EQ(at.name, "calm");
  EXPECT_EQ(at.phase_start, kStart + absl::Seconds(4));
  EXPECT_EQ(revocations, 0);
}

TEST(FaultSchedule, WithoutRepeatNothingAfterTheLastPhase) {
  FaultSchedule schedule(1, [] {});
  schedule.Set(TwoPhases(), kStart, /*repeat=*/false);
  EXPECT_EQ(StatusAt(schedule, absl::Milliseconds(500)), 503);
  EXPECT_EQ(StatusAt(schedule, absl::Milliseconds(3500)), 0);
  EXPECT_FALSE(schedule.At(kStart + absl::Milliseconds(3500)).active);
}

TEST(FaultSchedule, ClearStopsIt) {
  FaultSchedule schedule(1, [] {});
  schedule.Set(TwoPhases(), kStart, true);
  EXPECT_EQ(StatusAt(schedule, absl::Milliseconds(500)), 503);
  schedule.Clear();
  EXPECT_EQ(StatusAt(schedule, absl::Milliseconds(600)), 0);
  EXPECT_FALSE(schedule.At(kStart).active);
}

TEST(FaultSchedule, RevokesOnEntryAndOncePerPeriod) {
  int revocations = 0;
  FaultSchedule schedule(1, [&] { ++revocations; });
  FaultPhase calm{"calm", absl::Seconds(1), {}, {}};
  FaultPhase revoking{"revoked", absl::Seconds(10), {}, absl::Seconds(2)};
  schedule.Set({calm, revoking}, kStart, /*repeat=*/false);
  StatusAt(schedule, absl::Milliseconds(500));
  EXPECT_EQ(revocations, 0);
  StatusAt(schedule, absl::Milliseconds(1100));  // entry
  EXPECT_EQ(revocations, 1);
  StatusAt(schedule, absl::Milliseconds(2900));
  EXPECT_EQ(revocations, 1);
  StatusAt(schedule, absl::Milliseconds(3000));  // 2 s into the phase
  EXPECT_EQ(revocations, 2);
  // Two periods passed without a request: one revocation, not two.
  StatusAt(schedule, absl::Milliseconds(7500));
  EXPECT_EQ(revocations, 3);
  StatusAt(schedule, absl::Milliseconds(7600));
  EXPECT_EQ(revocations, 3);
}

TEST(FaultSchedule, RulesKeepTheirPathScope) {
  FaultSchedule schedule(1, [] {});
  FaultRule token_only = Status(503);
  token_only.path_prefix = "/oauth2/token";
  schedule.Set({FaultPhase{"down", absl::Seconds(5), {token_only}, {}}},
               kStart, true);
  const absl::Time t = kStart + absl::Seconds(1);
  EXPECT_TRUE(schedule.Decide(t, "/oauth2/token", "").outcome.has_value());
  EXPECT_FALSE(schedule.Decide(t, "/2/tweets/search/recent", "")
                   .outcome.has_value());
  EXPECT_FALSE(
      schedule.Decide(t, "/oauth2/invalidate_token", "").outcome.has_value());
}

}  // namespace
}  // namespace perch::emulator
