// direct-curl: the baseline client. Obtains a bearer token from the emulator,
// then reads the timeline directly with libcurl and perch_mapping, in the
// upstream dialect asked for; prints one summary line and the result as
// JSON. See direct_curl.h.
//   direct-curl --base_url=http://127.0.0.1:8080 --concurrency=64
//   direct-curl --base_url=http://127.0.0.1:8080 --upstream_api=v1.1
#include <unistd.h>

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "bench/bench_flags.h"
#include "bench/direct_curl.h"
#include "bench/emulator_admin.h"
#include "bench/load_shape_flags.h"
#include "bench/perch_processes.h"
#include "bench/proc_stats.h"

ABSL_FLAG(std::string, base_url, "",
          "http://HOST:PORT of the emulator (required)");
ABSL_FLAG(int, threads, 1, "libcurl multi loops, one per thread");
ABSL_FLAG(std::string, upstream_api, "v2",
          "v2 or v1.1: the requests of perch's dialect (v2, as "
          "perch-server's default, reads by user id)");
ABSL_FLAG(std::string, user_id, "", "v2: skip the one screen-name lookup");
// "" stands for the emulator's example app: --help prints no secret.
ABSL_FLAG(std::string, app_key, "", "app key (empty: the emulator's example)");
ABSL_FLAG(std::string, app_secret, "",
          "app secret (empty: the emulator's example); never printed");
ABSL_FLAG(int, max_host_connections, 0,
          "CURLMOPT_MAX_HOST_CONNECTIONS (0: unlimited)");
ABSL_FLAG(int, app_queue_limit, 0,
          "at most N transfers in libcurl; the rest queue here (0: hand "
          "libcurl everything)");

int main(int argc, char** argv) {
  perch::bench::ParseBenchFlags(
      argc, argv, "usage: direct-curl --base_url=http://HOST:PORT [flags]\n",
      {&FLAGS_base_url});
  perch::bench::DirectCurlOptions o;
  o.base_url = absl::GetFlag(FLAGS_base_url);
  if (absl::Status shape = perch::bench::ReadLoadShapeFlags(o); !shape.ok()) {
    return perch::bench::UsageError(shape);
  }
  auto api = perch::bench::ParseUpstreamApi(absl::GetFlag(FLAGS_upstream_api));
  if (!api.ok()) return perch::bench::UsageError(api.status());
  o.api = *api;
  o.user_id = absl::GetFlag(FLAGS_user_id);
  o.threads = absl::GetFlag(FLAGS_threads);
  o.max_host_connections = absl::GetFlag(FLAGS_max_host_connections);
  o.app_queue_limit = absl::GetFlag(FLAGS_app_queue_limit);
  const std::string key = absl::GetFlag(FLAGS_app_key);
  const std::string secret = absl::GetFlag(FLAGS_app_secret);
  perch::bench::EmulatorAdmin upstream(o.base_url);
  auto token = upstream.ObtainToken(
      key.empty() ? perch::bench::kEmulatorAppKey : key,
      secret.empty() ? perch::bench::kEmulatorAppSecret : secret);
  if (!token.ok()) {
    std::fprintf(stderr, "direct-curl: no token: %s\n",
                 token.status().ToString().c_str());
    return 1;
  }
  o.bearer_token = *token;
  auto result = perch::bench::RunDirectCurl(o);
  if (!result.ok()) return perch::bench::UsageError(result.status());
  std::fprintf(stderr, "%s\n", result->Describe().c_str());
  perch::bench::Json out = result->ToJson();
  if (auto self = perch::bench::ReadProc(getpid()); self.ok()) {
    out.Set("client_peak_rss_mib", self->hwm_kib / 1024.0);
  }
  std::fputs(out.Dump().c_str(), stdout);
  return 0;
}
