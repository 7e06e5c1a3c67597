// Request coalescing and the optional response cache, end to end and on
// both upstream dialects: identical concurrent reads cost one upstream
// request; with --cache_ttl repeats cost none and say so.
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/integration/dialects.h"
#include "tests/integration/perch_harness.h"

namespace perch::testing {
namespace {

class DialectTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<PerchHarness> Start(HarnessOptions options = {}) {
    options.server.upstream_api = GetParam();
    return PerchHarness::Start(std::move(options));
  }
  // Where a timeline page comes from; on v2 a screen name is looked up
  // first (user_lookup).
  DialectPaths paths() const { return PathsOf(GetParam()); }
};

using Coalescing = DialectTest;
using ResponseCache = DialectTest;
INSTANTIATE_TEST_SUITE_P(BothDialects, Coalescing, BothDialects(),
                         DialectTestName());
INSTANTIATE_TEST_SUITE_P(BothDialects, ResponseCache, BothDialects(),
                         DialectTestName());

// Every call is inside perch, waiting on the one upstream request, before
// that request is answered: the emulator holds it (an hour of latency) until
// perch counts all of them waiting, then ends the hold. A fixed hold (it
// was 500 ms) let a loaded machine deliver the later calls after the first
// answer, and each late wave made another upstream request.
TEST_P(Coalescing, ThousandIdenticalConcurrentReadsShareOneUpstreamRequest) {
  const std::string timeline_path = paths().timeline;
  auto h = Start();
  ASSERT_NE(h, nullptr);
  v1::ObtainResponse token;
  ASSERT_TRUE(h->tokens().Obtain(ContextWithTimeout().get(), {}, &token).ok());
  emulator::FaultRule hold;
  hold.path_prefix = timeline_path;
  hold.latency = absl::Hours(1);
  h->emulator().AddFault(hold);

  constexpr int kCalls = 1000;
  v1::GetTimelineRequest request;
  request.set_screen_name("perch_dev");
  std::vector<v1::GetTimelineResponse> responses(kCalls);
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  absl::Mutex mu;
  int done = 0, ok = 0;
  for (int i = 0; i < kCalls; ++i) {
    contexts.push_back(ContextWithTimeout(absl::Seconds(120)));
    h->reads().async()->GetTimeline(contexts.back().get(), &request,
                                    &responses[i], [&](grpc::Status s) {
                                      absl::MutexLock lock(&mu);
                                      ++done;
                                      ok += s.ok();
                                    });
  }
  // A condition with a deadline: every call waiting in perch, and the one
  // upstream request arrived (and held) at the emulator.
  const absl::Time until = absl::Now() + absl::Seconds(60);
  while ((h->server().reads_waiting_upstream() < kCalls ||
          h->emulator().RequestCount(timeline_path) < 1) &&
         absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(h->server().reads_waiting_upstream(), kCalls);
  EXPECT_EQ(h->emulator().RequestCount(timeline_path), 1);
  h->emulator().ClearFaults();
  h->emulator().EndLatenciesNow();
  {
    absl::MutexLock lock(&mu);
    auto all_done = absl::Condition(
        +[](int* d) { return *d == kCalls; }, &done);
    if (!mu.AwaitWithTimeout(all_done, absl::Seconds(60))) {
      // Callbacks still reference this frame: cancel them and drain first.
      for (auto& c : contexts) c->TryCancel();
      mu.Await(all_done);
      FAIL() << "only " << done << " of " << kCalls << " calls finished";
    }
  }
  EXPECT_EQ(ok, kCalls);
  EXPECT_EQ(h->emulator().RequestCount(timeline_path), 1);
  if (IsV2(GetParam())) {
    EXPECT_EQ(h->emulator().RequestCount(paths().user_lookup), 1);
  }
  EXPECT_EQ(h->server().reads_waiting_upstream(), 0);
  for (const auto& r : responses) {
    EXPECT_EQ(r.tweets_size(), responses[0].tweets_size());
    EXPECT_FALSE(r.from_cache());
  }
}

TEST_P(Coalescing, DifferentRequestsInFlightTogetherAreNotMerged) {
  const std::string timeline_path = paths().timeline;
  auto h = Start();
  ASSERT_NE(h, nullptr);
  emulator::FaultRule slow;
  slow.path_prefix = timeline_path;
  slow.latency = absl::Milliseconds(300);
  h->emulator().AddFault(slow);
  v1::GetTimelineRequest a, b;
  a.set_screen_name("perch_dev");
  b.set_screen_name("perch_popular");
  v1::GetTimelineResponse ra, rb;
  auto ca = ContextWithTimeout(), cb = ContextWithTimeout();
  absl::Mutex mu;
  int done = 0;
  auto count = [&](grpc::Status) {
    absl::MutexLock lock(&mu);
    ++done;
  };
  h->reads().async()->GetTimeline(ca.get(), &a, &ra, count);
  h->reads().async()->GetTimeline(cb.get(), &b, &rb, count);
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](int* d) { return *d == 2; }, &done));
  EXPECT_EQ(h->emulator().RequestCount(timeline_path), 2);
}

TEST_P(ResponseCache, RepeatWithinTtlIsServedFromMemoryAndSaysSo) {
  const std::string timeline_path = paths().timeline;
  HarnessOptions options;
  options.server.cache_ttl = absl::Seconds(60);
  auto h = Start(options);
  ASSERT_NE(h, nullptr);
  v1::GetTimelineRequest request;
  request.set_screen_name("perch_dev");
  v1::GetTimelineResponse first, second;
  ASSERT_TRUE(
      h->reads().GetTimeline(ContextWithTimeout().get(), request, &first).ok());
  ASSERT_TRUE(h->reads()
                  .GetTimeline(ContextWithTimeout().get(), request, &second)
                  .ok());
  EXPECT_FALSE(first.from_cache());
  EXPECT_TRUE(second.from_cache());
  EXPECT_EQ(second.tweets_size(), first.tweets_size());
  EXPECT_EQ(h->emulator().RequestCount(timeline_path), 1);
}

TEST_P(ResponseCache, OffByDefault) {
  const std::string timeline_path = paths().timeline;
  auto h = Start();
  ASSERT_NE(h, nullptr);
  v1::GetTimelineRequest request;
  request.set_screen_name("perch_dev");
  v1::GetTimelineResponse response;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(h->reads()
                    .GetTimeline(ContextWithTimeout().get(), request, &response)
                    .ok());
    EXPECT_FALSE(response.from_cache());
  }
  EXPECT_EQ(h->emulator().RequestCount(timeline_path), 2);
}

}  // namespace
}  // namespace perch::testing
