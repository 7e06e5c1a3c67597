#include "bench/soak_check.h"

#include "emulator/admin_routes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace perch::bench {
namespace {

using Code = grpc::StatusCode;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const absl::Time kStart = absl::FromUnixSeconds(1700000000);
constexpr absl::Duration kDeadline = absl::Seconds(2);

int IndexOf(const std::vector<FaultClass>& classes, absl::string_view name) {
  for (size_t i = 0; i < classes.size(); ++i) {
    if (classes[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

class SoakCheckerTest : public ::testing::Test {
 protected:
  SoakCheckerTest()
      : classes_(SoakFaultClasses(UpstreamApi::kV2, kDeadline)),
        burst_(IndexOf(classes_, "5xx_burst")),
        malformed_(IndexOf(classes_, "malformed_json")),
        // 5xx for 10 s, calm for 20 s, malformed for 10 s.
        phases_({{burst_, kStart, kStart + absl::Seconds(10)},
                 {-1, kStart + absl::Seconds(10), kStart + absl::Seconds(30)},
                 {malformed_, kStart + absl::Seconds(30),
                  kStart + absl::Seconds(40)}}) {}

  static SoakCall Read(absl::Duration at, absl::Duration took, Code code) {
    SoakCall call;
    call.rpc = SoakRpc::kGetTimeline;
    call.start = kStart + at;
    call.end = call.start + took;
    call.budget = kDeadline;
    call.code = code;
    return call;
  }

  SoakChecker Checker() {
    return SoakChecker(classes_, phases_, absl::Milliseconds(500));
  }

  // A checker that has already seen each fault end a call with its own code
  // inside its phase, so "never showed" is not among the violations of a
  // test about something else.
  SoakChecker CheckerThatSawBothFaults() {
    SoakChecker checker = Checker();
    checker.Add(
        Read(absl::Seconds(1), absl::Milliseconds(5), Code::UNAVAILABLE));
    checker.Add(Read(absl::Seconds(31), absl::Milliseconds(5), Code::INTERNAL));
    return checker;
  }

  const std::vector<FaultClass> classes_;
  const int burst_;
  const int malformed_;
  const std::vector<TimedPhase> phases_;
};

TEST_F(SoakCheckerTest, TheFaultsOwnCodesPass) {
  SoakChecker checker = CheckerThatSawBothFaults();
  checker.Add(Read(absl::Seconds(2), absl::Milliseconds(5), Code::OK));
  checker.Add(Read(absl::Seconds(20), absl::Milliseconds(5), Code::OK));
  EXPECT_THAT(checker.Violations(), IsEmpty());
}

TEST_F(SoakCheckerTest, AFailureInCalmIsAViolation) {
  SoakChecker checker = CheckerThatSawBothFaults();
  // Past the burst's aftermath (deadline + 1 s).
  checker.Add(
      Read(absl::Seconds(20), absl::Milliseconds(5), Code::UNAVAILABLE));
  ASSERT_THAT(checker.Violations(), SizeIs(1));
  EXPECT_THAT(checker.Violations()[0], HasSubstr("does not map to"));
}

TEST_F(SoakCheckerTest, ACallOverlappingAFaultMayEndWithItsCode) {
  SoakChecker checker = CheckerThatSawBothFaults();
  // Starts in calm, ends inside the malformed phase.
  checker.Add(
      Read(absl::Milliseconds(29900), absl::Milliseconds(200), Code::INTERNAL));
  // Starts within the burst's aftermath.
  checker.Add(Read(absl::Milliseconds(10500), absl::Milliseconds(5),
                   Code::UNAVAILABLE));
  EXPECT_THAT(checker.Violations(), IsEmpty());
}

TEST_F(SoakCheckerTest, InternalOutsideMalformedAndUnknownAreViolations) {
  SoakChecker checker = CheckerThatSawBothFaults();
  checker.Add(Read(absl::Seconds(2), absl::Milliseconds(5), Code::INTERNAL));
  checker.Add(Read(absl::Seconds(3), absl::Milliseconds(5), Code::UNKNOWN));
  const std::vector<std::string> v = checker.Violations();
  ASSERT_THAT(v, SizeIs(2));
  EXPECT_THAT(v[0] + v[1], HasSubstr("INTERNAL outside malformed JSON"));
  EXPECT_THAT(v[0] + v[1], HasSubstr("UNKNOWN code"));
}

TEST_F(SoakCheckerTest, ACallPastItsDeadlinePlusTheMarginIsLate) {
  SoakChecker checker = CheckerThatSawBothFaults();
  checker.Add(Read(absl::Seconds(15), kDeadline + absl::Milliseconds(400),
                   Code::OK));  // within the margin
  checker.Add(Read(absl::Seconds(16), kDeadline + absl::Seconds(1),
                   Code::DEADLINE_EXCEEDED));
  const std::vector<std::string> v = checker.Violations();
  ASSERT_THAT(v, SizeIs(2));  // late, and DEADLINE_EXCEEDED in calm
  EXPECT_THAT(v[0] + v[1], HasSubstr("ended later than its deadline"));
  std::vector<SoakRow> rows = checker.Rows();
  for (const SoakRow& row : rows) {
    if (row.name == "calm") {
      EXPECT_EQ(row.late, 1);
    }
  }
}

TEST_F(SoakCheckerTest, AFaultThatNeverShowedIsAViolation) {
  SoakChecker checker = Checker();
  checker.Add(Read(absl::Seconds(1), absl::Milliseconds(5), Code::OK));
  checker.Add(Read(absl::Seconds(31), absl::Milliseconds(5), Code::INTERNAL));
  ASSERT_THAT(checker.Violations(), SizeIs(1));
  EXPECT_THAT(checker.Violations()[0], HasSubstr("5xx_burst never showed"));
}

TEST(SoakSchedule, TheEmulatorReadsTheRotationTheSoakWrites) {
  for (UpstreamApi api : {UpstreamApi::kV2, UpstreamApi::kV1_1}) {
    const std::vector<FaultClass> classes = SoakFaultClasses(api, kDeadline);
    const std::vector<SoakPhase> rotation =
        SoakRotation(classes.size(), absl::Seconds(8), absl::Seconds(3));
    absl::StatusOr<emulator::FaultScheduleSpec> spec =
        emulator::ParseFaultScheduleJson(
            ScheduleJson(classes, rotation, kStart));
    ASSERT_TRUE(spec.ok()) << spec.status();
    ASSERT_THAT(spec->phases, SizeIs(2 * classes.size()));
    EXPECT_EQ(spec->start, kStart);
    EXPECT_TRUE(spec->repeat);
    for (size_t i = 0; i < classes.size(); ++i) {
      const emulator::FaultPhase& fault = spec->phases[2 * i];
      EXPECT_EQ(fault.name, classes[i].name);
      EXPECT_EQ(fault.duration, absl::Seconds(8));
      EXPECT_EQ(fault.revoke_every, classes[i].revoke_every);
      EXPECT_EQ(spec->phases[2 * i + 1].name, "calm");
      EXPECT_THAT(spec->phases[2 * i + 1].rules, IsEmpty());
    }
  }
}

TEST(SoakSchedule, LayOutRepeatsTheRotationUntilTheEnd) {
  const std::vector<SoakPhase> rotation = {{0, absl::Seconds(8)},
                                           {-1, absl::Seconds(3)}};
  const std::vector<TimedPhase> phases =
      LayOut(rotation, kStart, kStart + absl::Seconds(25));
  ASSERT_THAT(phases, SizeIs(5));
  EXPECT_EQ(phases[2].fault, 0);
  EXPECT_EQ(phases[2].start, kStart + absl::Seconds(11));
  EXPECT_EQ(phases[4].end, kStart + absl::Seconds(25));  // cut at the end
}

}  // namespace
}  // namespace perch::bench
