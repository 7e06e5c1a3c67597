#include "server/common/trace_context.h"

#include <string>
#include <vector>

#include "absl/random/random.h"
#include "gtest/gtest.h"

namespace perch {
namespace {

constexpr char kValid[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(ParseTraceparent, ReadsTraceIdParentIdAndFlags) {
  std::optional<TraceContext> t = ParseTraceparent(kValid);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t->parent_id, "00f067aa0ba902b7");
  EXPECT_EQ(t->flags, 1);
  EXPECT_EQ(t->span_id, "");
  EXPECT_EQ(ParseTraceparent(
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff")
                ->flags,
            0xff);
}

TEST(ParseTraceparent, RejectsEveryMalformedShape) {
  const std::string v = kValid;
  for (const std::string& bad : std::vector<std::string>{
           std::string(),
           v.substr(0, 54),     // short
           v + "-",             // 00 + extra
           v + "x",             // 00 + extra
           "ff" + v.substr(2),  // version ff
           "0g" + v.substr(2),  // version hex
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
           "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
       }) {
    EXPECT_FALSE(ParseTraceparent(bad).has_value()) << bad;
  }
}

// The spec's forward compatibility: a later version may add fields after
// a dash; the first four are read as version 00's.
TEST(ParseTraceparent, ALaterVersionMayAppendFields) {
  const std::string later =
      "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  EXPECT_TRUE(ParseTraceparent(later).has_value());
  EXPECT_TRUE(ParseTraceparent(later + "-what-comes-next").has_value());
}

TEST(ContinueOrStartTrace, ContinuesTheCallersTraceUnderANewSpan) {
  absl::BitGen random;
  const TraceContext t = ContinueOrStartTrace(kValid, random);
  EXPECT_EQ(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t.parent_id, "00f067aa0ba902b7");
  EXPECT_EQ(t.flags, 1);
  ASSERT_EQ(t.span_id.size(), 16u);
  EXPECT_NE(t.span_id, t.parent_id);
  // What the upstream gets: same trace and flags, perch's span as parent.
  EXPECT_EQ(t.Traceparent(),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-" + t.span_id + "-01");
  EXPECT_TRUE(ParseTraceparent(t.Traceparent()).has_value());
}

TEST(ContinueOrStartTrace, StartsAFreshUnsampledTraceWhenAbsentOrMalformed) {
  absl::BitGen random;
  for (const char* in : {"", "00-garbage",
                         "ff-4bf92f3577b34da6a3ce929d0e0e4736"
                         "-00f067aa0ba902b7-01"}) {
    const TraceContext t = ContinueOrStartTrace(in, random);
    EXPECT_EQ(t.parent_id, "") << in;
    EXPECT_EQ(t.flags, 0) << in;
    std::optional<TraceContext> sent = ParseTraceparent(t.Traceparent());
    ASSERT_TRUE(sent.has_value()) << t.Traceparent();
    EXPECT_EQ(sent->trace_id, t.trace_id);
    EXPECT_EQ(sent->parent_id, t.span_id);
    EXPECT_NE(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  }
  // Two calls, two traces.
  EXPECT_NE(ContinueOrStartTrace("", random).trace_id,
            ContinueOrStartTrace("", random).trace_id);
}

}  // namespace
}  // namespace perch
