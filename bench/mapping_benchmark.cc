// Micro-benchmarks of the per-call CPU work perch does beyond moving bytes:
// one recorded 20-tweet user_timeline body (shared/fixtures) parsed into
// perch.v1 messages, moved into a GetTimelineResponse and serialized for the
// wire, each step alone and together.
#include <fstream>
#include <sstream>
#include <string>

#include "benchmark/benchmark.h"
#include "perch/v1/read_service.pb.h"
#include "server/mapping/tweet_json.h"

namespace {

const std::string& Body() {
  static const std::string* body = [] {
    const char* dir = std::getenv("PERCH_SHARED_DIR");
    std::string path =
        std::string(dir != nullptr ? dir : PERCH_SHARED_DIR_DEFAULT) +
        "/fixtures/recorded/bodies/testcursornext.0.json";
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return new std::string(s.str());
  }();
  return *body;
}

void BM_ParseTweetArray(benchmark::State& state) {
  for (auto _ : state) {
    auto tweets = perch::mapping::ParseTweetArray(Body());
    if (!tweets.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(tweets);
  }
  state.SetBytesProcessed(state.iterations() * Body().size());
}
BENCHMARK(BM_ParseTweetArray);

// What core/read_operations.cc does with the parsed vector.
void BM_ParseAndBuildResponse(benchmark::State& state) {
  for (auto _ : state) {
    auto tweets = perch::mapping::ParseTweetArray(Body());
    perch::v1::GetTimelineResponse response;
    for (auto& t : *tweets) *response.add_tweets() = std::move(t);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_ParseAndBuildResponse);

void BM_ParseBuildSerialize(benchmark::State& state) {
  std::string wire;
  for (auto _ : state) {
    auto tweets = perch::mapping::ParseTweetArray(Body());
    perch::v1::GetTimelineResponse response;
    for (auto& t : *tweets) *response.add_tweets() = std::move(t);
    response.SerializeToString(&wire);
    benchmark::DoNotOptimize(wire);
  }
  state.counters["wire_bytes"] = static_cast<double>(wire.size());
  state.counters["json_bytes"] = static_cast<double>(Body().size());
}
BENCHMARK(BM_ParseBuildSerialize);

// The copy alone: proto messages moved out of a std::vector into a repeated
// field are copied when the arenas differ (no arena here: moved).
void BM_MoveIntoResponse(benchmark::State& state) {
  auto parsed = perch::mapping::ParseTweetArray(Body());
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<perch::v1::Tweet> tweets = *parsed;
    state.ResumeTiming();
    perch::v1::GetTimelineResponse response;
    for (auto& t : tweets) *response.add_tweets() = std::move(t);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_MoveIntoResponse);

}  // namespace
