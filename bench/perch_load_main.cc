// perch-load: drives ReadService.GetTimeline on a running perch-server and
// prints one summary line and the result as JSON. See perch_load.h.
//   perch-load --target=127.0.0.1:50051 --mode=closed --concurrency=64
//              --duration=10s [--watch_pid=PID]
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/cli_flags.h"
#include "bench/load_shape_flags.h"
#include "bench/perch_load.h"
#include "bench/proc_stats.h"

namespace {

constexpr char kUsage[] = R"(usage: perch-load --target=HOST:PORT [flags]
  --rpc=GetTimeline|Obtain   Obtain: TokenService.Obtain, no upstream call
  --mode=closed|open|burst   default closed
  --concurrency=N            closed: calls in flight; burst: calls at once (1)
  --rate=R                   open: calls per second (100)
  --warmup=D --duration=D    e.g. 1s, 10s (closed/open)
  --channels=N               gRPC channels, each its own connection (1)
  --screen_name=S --page_size=N   default perch_dev, 20
  --distinct_keys=K          cycle since_id over 1..K (0: identical calls)
  --deadline=D               per call (30s)
  --watch_pid=PID            report this process's peak RSS and threads
  --api_key_file=PATH        first line: the API key perch authenticates
)";

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "perch-load: %s\n%s", status.ToString().c_str(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using perch::bench::CliFlags;
  auto flags = CliFlags::Parse(
      argc, argv,
      {"target", "rpc", "mode", "concurrency", "rate", "warmup", "duration",
       "channels", "screen_name", "page_size", "distinct_keys", "deadline",
       "watch_pid", "api_key_file", "help"});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->Has("help") || !flags->Has("target")) {
    std::fputs(kUsage, flags->Has("help") ? stdout : stderr);
    return flags->Has("help") ? 0 : 2;
  }
  perch::bench::PerchLoadOptions o;
  o.target = flags->String("target", "");
  o.rpc = flags->String("rpc", "GetTimeline");
  if (flags->Has("api_key_file")) {
    std::ifstream in(flags->String("api_key_file", ""));
    std::getline(in, o.api_key);
  }
  if (o.rpc != "GetTimeline" && o.rpc != "Obtain") {
    return Fail(absl::InvalidArgumentError("--rpc is GetTimeline or Obtain"));
  }
  if (absl::Status shape = perch::bench::ReadLoadShapeFlags(*flags, o);
      !shape.ok()) {
    return Fail(shape);
  }
  auto channels = flags->Int("channels", 1);
  auto deadline = flags->Duration("deadline", absl::Seconds(30));
  auto watch = flags->Int("watch_pid", 0);
  for (const absl::Status& s :
       {channels.status(), deadline.status(), watch.status()}) {
    if (!s.ok()) return Fail(s);
  }
  o.channels = *channels;
  o.deadline = *deadline;
  std::unique_ptr<perch::bench::ProcSampler> sampler;
  if (*watch > 0) {
    sampler = std::make_unique<perch::bench::ProcSampler>(*watch, 50);
  }
  auto result = perch::bench::RunPerchLoad(o);
  if (!result.ok()) {
    std::fprintf(stderr, "perch-load: %s\n",
                 result.status().ToString().c_str());
    return 1;
  }
  perch::bench::Json out = result->ToJson();
  if (sampler) {
    sampler->Stop();
    out.Set("watched_process", sampler->ToJson());
  }
  std::fprintf(stderr, "%s\n", result->Describe().c_str());
  std::fputs(out.Dump().c_str(), stdout);
  return 0;
}
