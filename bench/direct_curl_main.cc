// direct-curl: the baseline client. Obtains a bearer token from the emulator,
// then reads the timeline directly with libcurl and perch_mapping, in the
// upstream dialect asked for; prints one summary line and the result as
// JSON. See direct_curl.h.
//   direct-curl --base_url=http://127.0.0.1:8080 --concurrency=64
//   direct-curl --base_url=http://127.0.0.1:8080 --upstream_api=v1.1
#include <unistd.h>

#include <cstdio>

#include "bench/cli_flags.h"
#include "bench/direct_curl.h"
#include "bench/emulator_admin.h"
#include "bench/load_shape_flags.h"
#include "bench/proc_stats.h"

namespace {

constexpr char kUsage[] =
    R"(usage: direct-curl --base_url=http://HOST:PORT [flags]
  --mode=closed|open          default closed
  --concurrency=N --rate=R    as perch-load
  --warmup=D --duration=D     e.g. 1s, 10s
  --threads=N                 libcurl multi loops, one per thread (1)
  --upstream_api=v2|v1.1      the requests of perch's dialect (default v2,
                              as perch-server's); v2 reads by user id
  --user_id=ID                v2: skip the one screen-name lookup
  --screen_name=S --page_size=N --distinct_keys=K
  --app_key=K --app_secret=S  default: the emulator's example app
  --max_host_connections=N    CURLMOPT_MAX_HOST_CONNECTIONS (0: unlimited)
  --app_queue_limit=N         at most N transfers in libcurl; the rest queue
                              here (0: hand libcurl everything)
)";

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "direct-curl: %s\n%s", status.ToString().c_str(),
               kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using perch::bench::CliFlags;
  auto flags = CliFlags::Parse(
      argc, argv,
      {"base_url", "mode", "concurrency", "rate", "warmup", "duration",
       "threads", "screen_name", "page_size", "distinct_keys", "app_key",
       "app_secret", "max_host_connections", "app_queue_limit", "upstream_api",
       "user_id", "help"});
  if (!flags.ok()) return Fail(flags.status());
  if (flags->Has("help") || !flags->Has("base_url")) {
    std::fputs(kUsage, flags->Has("help") ? stdout : stderr);
    return flags->Has("help") ? 0 : 2;
  }
  perch::bench::DirectCurlOptions o;
  o.base_url = flags->String("base_url", "");
  if (absl::Status shape = perch::bench::ReadLoadShapeFlags(*flags, o);
      !shape.ok()) {
    return Fail(shape);
  }
  auto api =
      perch::bench::ParseUpstreamApi(flags->String("upstream_api", "v2"));
  if (!api.ok()) return Fail(api.status());
  o.api = *api;
  o.user_id = flags->String("user_id", "");
  auto threads = flags->Int("threads", 1);
  auto max_conns = flags->Int("max_host_connections", 0);
  auto queue_limit = flags->Int("app_queue_limit", 0);
  for (const absl::Status& s :
       {threads.status(), max_conns.status(), queue_limit.status()}) {
    if (!s.ok()) return Fail(s);
  }
  o.threads = *threads;
  o.max_host_connections = *max_conns;
  o.app_queue_limit = *queue_limit;
  perch::bench::EmulatorAdmin upstream(o.base_url);
  auto token = upstream.ObtainToken(
      flags->String("app_key", "xvz1evFS4wEEPTGEFPHBog"),
      flags->String("app_secret", "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg"));
  if (!token.ok()) {
    std::fprintf(stderr, "direct-curl: no token: %s\n",
                 token.status().ToString().c_str());
    return 1;
  }
  o.bearer_token = *token;
  auto result = perch::bench::RunDirectCurl(o);
  if (!result.ok()) return Fail(result.status());
  std::fprintf(stderr, "%s\n", result->Describe().c_str());
  perch::bench::Json out = result->ToJson();
  if (auto self = perch::bench::ReadProc(getpid()); self.ok()) {
    out.Set("client_peak_rss_mib", self->hwm_kib / 1024.0);
  }
  std::fputs(out.Dump().c_str(), stdout);
  return 0;
}
