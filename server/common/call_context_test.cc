#include "server/common/call_context.h"

#include <memory>
#include <thread>

#include "gtest/gtest.h"

namespace perch {
namespace {

std::shared_ptr<CallContext> NewCall(const std::string& trace_id) {
  TraceContext trace;
  trace.trace_id = trace_id;
  trace.span_id = "00f067aa0ba902b7";
  trace.flags = 1;
  return std::make_shared<CallContext>(trace);
}

TEST(CallContext, ScopesNestAndRestoreOnTheirThreadOnly) {
  EXPECT_EQ(CallContext::Current(), nullptr);
  auto outer = NewCall("1");
  auto inner = NewCall("2");
  {
    const CallContext::Scope a(outer);
    EXPECT_EQ(CallContext::Current(), outer);
    {
      const CallContext::Scope b(inner);
      EXPECT_EQ(CallContext::Current(), inner);
      std::thread([] { EXPECT_EQ(CallContext::Current(), nullptr); }).join();
      {
        const CallContext::Scope none(nullptr);
        EXPECT_EQ(CallContext::Current(), nullptr);
      }
      EXPECT_EQ(CallContext::Current(), inner);
    }
    EXPECT_EQ(CallContext::Current(), outer);
  }
  EXPECT_EQ(CallContext::Current(), nullptr);
}

TEST(CallContext, CountsRequestsAndHandsOutItsTraceparent) {
  auto call = NewCall("4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(call->upstream_requests(), 0);
  EXPECT_FALSE(call->coalesced());
  EXPECT_FALSE(call->from_cache());
  EXPECT_EQ(call->NoteUpstreamRequest(),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  call->NoteUpstreamRequest();
  call->MarkCoalesced();
  call->MarkFromCache();
  EXPECT_EQ(call->upstream_requests(), 2);
  EXPECT_TRUE(call->coalesced());
  EXPECT_TRUE(call->from_cache());
}

}  // namespace
}  // namespace perch
