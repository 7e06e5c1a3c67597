// perch-load: drives ReadService.GetTimeline on a running perch-server and
// prints one summary line and the result as JSON. See perch_load.h.
//   perch-load --target=127.0.0.1:50051 --mode=closed --concurrency=64
//              --duration=10s [--watch_pid=PID]
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "bench/bench_flags.h"
#include "bench/load_shape_flags.h"
#include "bench/perch_load.h"
#include "bench/proc_stats.h"

ABSL_FLAG(std::string, target, "", "HOST:PORT of the perch-server (required)");
ABSL_FLAG(std::string, rpc, "GetTimeline",
          "GetTimeline, or Obtain: TokenService.Obtain, no upstream call");
ABSL_FLAG(int, channels, 1, "gRPC channels, each its own connection");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(30), "per call");
ABSL_FLAG(int, watch_pid, 0, "report this process's peak RSS and threads");
ABSL_FLAG(std::string, api_key_file, "",
          "first line: the API key perch authenticates");

int main(int argc, char** argv) {
  perch::bench::ParseBenchFlags(
      argc, argv, "usage: perch-load --target=HOST:PORT [flags]\n",
      {&FLAGS_target});
  perch::bench::PerchLoadOptions o;
  o.target = absl::GetFlag(FLAGS_target);
  o.rpc = absl::GetFlag(FLAGS_rpc);
  if (const std::string path = absl::GetFlag(FLAGS_api_key_file);
      !path.empty()) {
    std::ifstream in(path);
    std::getline(in, o.api_key);
  }
  if (o.rpc != "GetTimeline" && o.rpc != "Obtain") {
    return perch::bench::UsageError(
        absl::InvalidArgumentError("--rpc is GetTimeline or Obtain"));
  }
  if (absl::Status shape = perch::bench::ReadLoadShapeFlags(o); !shape.ok()) {
    return perch::bench::UsageError(shape);
  }
  o.channels = absl::GetFlag(FLAGS_channels);
  o.deadline = absl::GetFlag(FLAGS_deadline);
  const int watch = absl::GetFlag(FLAGS_watch_pid);
  std::unique_ptr<perch::bench::ProcSampler> sampler;
  if (watch > 0) {
    sampler = std::make_unique<perch::bench::ProcSampler>(watch, 50);
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
