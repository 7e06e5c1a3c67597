// Micro-benchmarks of the per-call CPU work perch does beyond moving bytes:
// one recorded 20-tweet user_timeline body (shared/fixtures) parsed into
// perch.v1 messages, moved into a GetTimelineResponse and serialized for the
// wire, each step alone and together; and the v2 dialect's parse of a
// recorded user timeline page with its includes.
#include <fstream>
#include <sstream>
#include <string>

#include "benchmark/benchmark.h"
#include "perch/v1/read_service.pb.h"
#include "server/mapping/tweet_json.h"
#include "server/mapping/v2_json.h"

namespace {

// The fixture at `path` under shared/fixtures, without its final newline
// (a .jsonl file holds one body per line).
std::string* ReadFixture(const std::string& path) {
  const char* dir = std::getenv("PERCH_SHARED_DIR");
  std::ifstream in(
      std::string(dir != nullptr ? dir : PERCH_SHARED_DIR_DEFAULT) +
      "/fixtures/" + path);
  std::stringstream s;
  s << in.rdbuf();
  auto* body = new std::string(s.str());
  while (!body->empty() && body->back() == '\n') body->pop_back();
  return body;
}

const std::string& Body() {
  static const std::string* body =
      ReadFixture("recorded/bodies/testcursornext.0.json");
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

// twarc's capture of a v2 user timeline: full fields and expansions, so
// every reader of v2_json.cc runs (tweets, users, media, references).
void BM_ParseV2TweetPage(benchmark::State& state) {
  static const std::string* body =
      ReadFixture("recorded-v2/twarc-csv/user_timeline.jsonl");
  for (auto _ : state) {
    auto page = perch::mapping::v2::ParseTweetPage(*body);
    if (!page.ok() || page->tweets.empty()) {
      state.SkipWithError("parse failed");
    }
    benchmark::DoNotOptimize(page);
  }
  state.SetBytesProcessed(state.iterations() * body->size());
}
BENCHMARK(BM_ParseV2TweetPage);

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
