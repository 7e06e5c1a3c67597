// Micro-benchmark of the emulator's synthetic World: every emulator start
// (each integration test, each bench and soak run) generates one, so its
// cost is start-up time everywhere. Speed is measured here, not by a timed
// unit test: a loaded CI machine makes any fixed budget flaky
// (issue 13). emulator/world_test.cc holds what bounds the work: the sizes.
#include "benchmark/benchmark.h"
#include "emulator/world.h"

namespace {

void BM_GenerateWorld(benchmark::State& state) {
  size_t tweets = 0;
  for (auto _ : state) {
    auto world = perch::emulator::World::Generate(1);
    tweets = world->tweets().size();
    benchmark::DoNotOptimize(world);
  }
  state.counters["tweets"] = static_cast<double>(tweets);
}
BENCHMARK(BM_GenerateWorld)->Unit(benchmark::kMillisecond);

}  // namespace
