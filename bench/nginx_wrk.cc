#include "bench/nginx_wrk.h"

#include <dirent.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/proc_stats.h"
#include "simdjson.h"

namespace perch::bench {

using ::perch::testing::ChildProcess;
using ::perch::testing::ReadFileOrEmpty;
namespace {

absl::Status WriteFile(const std::string& path, absl::string_view content,
                       mode_t mode) {
  std::ofstream out(path, std::ios::trunc);
  out << content;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  chmod(path.c_str(), mode);
  return absl::OkStatus();
}

// wrk calls done() once with the merged latency histogram (microseconds).
// The script prints one JSON line; request() appends a cycling since_id when
// BENCH_DISTINCT > 0, as perch-load and direct-curl do.
constexpr absl::string_view kWrkScript = R"lua(
local distinct = tonumber(os.getenv("BENCH_DISTINCT") or "0")
local base = os.getenv("BENCH_PATH")
local counter = 0
request = function()
  counter = counter + 1
  local path = base
  if distinct > 0 then
    path = path .. "&since_id=" .. tostring(1 + counter % distinct)
  end
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  local cdf = {}
  for _, p in ipairs({0.001, 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95,
                      97.5, 99, 99.5, 99.9, 99.95, 99.99, 100}) do
    cdf[#cdf + 1] = string.format("[%g,%d]", p, latency:percentile(p))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"min":%d,"mean":%f,"max":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"p999":%d,"cdf":[%s]}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, latency.min, latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), table.concat(cdf, ",")))
end
)lua";

absl::StatusOr<LoadResult> ParseWrk(absl::string_view log,
                                    const WrkOptions& options) {
  size_t at = log.rfind("WRK_JSON ");
  if (at == absl::string_view::npos) {
    return absl::InternalError("wrk printed no summary");
  }
  absl::string_view line = log.substr(at + 9);
  line = line.substr(0, line.find('\n'));
  simdjson::padded_string padded(line.data(), line.size());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) {
    return absl::InternalError("unreadable wrk summary");
  }
  auto num = [&doc](const char* key) {
    double v = 0;
    simdjson::dom::element e;
    if (doc[key].get(e) == simdjson::SUCCESS) {
      if (e.is_double()) {
        v = e.get_double().value_unsafe();
      } else if (e.is_int64()) {
        v = static_cast<double>(e.get_int64().value_unsafe());
      }
    }
    return v;
  };
  LoadResult r;
  r.tool = "wrk+nginx";
  r.mode = "closed";
  r.concurrency = options.connections;
  r.connections = options.connections;
  r.seconds = num("duration_us") / 1e6;
  const int64_t requests = static_cast<int64_t>(num("requests"));
  const char* kinds[] = {"connect", "read", "write", "status", "timeout"};
  int64_t errors = 0;
  for (const char* k : kinds) {
    const int64_t n = static_cast<int64_t>(num(k));
    if (n > 0) r.errors[absl::StrCat("WRK_", k)] = n;
    if (std::string(k) == "status") errors += n;
  }
  r.ok = requests - errors;
  r.latency.count = requests;
  r.latency.min_us = num("min");
  r.latency.mean_us = num("mean");
  r.latency.max_us = num("max");
  r.latency.p50_us = num("p50");
  r.latency.p90_us = num("p90");
  r.latency.p99_us = num("p99");
  r.latency.p999_us = num("p999");
  simdjson::dom::array cdf;
  if (doc["cdf"].get_array().get(cdf) == simdjson::SUCCESS) {
    for (simdjson::dom::element point : cdf) {
      simdjson::dom::array pair = point.get_array().value_unsafe();
      double p = 0, us = 0;
      for (size_t i = 0; i < 2; ++i) {
        simdjson::dom::element x = pair.at(i).value_unsafe();
        double v = x.is_double()
                       ? x.get_double().value_unsafe()
                       : static_cast<double>(x.get_int64().value_unsafe());
        (i == 0 ? p : us) = v;
      }
      r.latency.cdf.emplace_back(p < 0.01 ? 0 : p, us);
    }
  }
  return r;
}

}  // namespace

absl::StatusOr<std::unique_ptr<NginxProxy>> NginxProxy::Start(
    const std::string& nginx_binary, const std::string& work_dir,
    const std::string& upstream, const std::string& bearer_token,
    const std::string& worker_processes) {
  auto proxy = std::unique_ptr<NginxProxy>(new NginxProxy());
  proxy->dir_ = absl::StrCat(work_dir, "/nginx");
  mkdir(proxy->dir_.c_str(), 0700);
  // nginx takes over listening sockets named in $NGINX (its binary-upgrade
  // mechanism) when its config listens on the same address: it serves on
  // ours, and no other process can take the port in between.
  auto listen_socket = LoopbackListenSocket::Open();
  if (!listen_socket.ok()) return listen_socket.status();
  proxy->listen_socket_ = *std::move(listen_socket);
  const std::string& d = proxy->dir_;
  // The config holds the token: owner-only, deleted with the directory.
  const std::string conf = absl::StrCat(
      "worker_processes ", worker_processes, ";\n",
      "daemon off;\n"
      "pid ",
      d, "/nginx.pid;\n", "error_log ", d, "/error.log warn;\n",
      "worker_rlimit_nofile 20000;\n"
      "events { worker_connections 16384; }\n"
      "http {\n"
      "  access_log off;\n"
      "  client_body_temp_path ",
      d, "/client_body;\n", "  proxy_temp_path ", d, "/proxy;\n",
      "  fastcgi_temp_path ", d, "/fastcgi;\n", "  uwsgi_temp_path ", d,
      "/uwsgi;\n", "  scgi_temp_path ", d, "/scgi;\n",
      "  upstream twitter {\n"
      "    server ",
      upstream, ";\n",
      "    keepalive 1024;\n"
      "  }\n"
      "  server {\n"
      "    listen 127.0.0.1:",
      proxy->listen_socket_->port(), ";\n",
      "    location / {\n"
      "      proxy_pass http://twitter;\n"
      "      proxy_http_version 1.1;\n"
      "      proxy_set_header Connection \"\";\n"
      "      proxy_set_header Authorization \"Bearer ",
      bearer_token, "\";\n",
      "    }\n"
      "  }\n"
      "}\n");
  absl::Status written = WriteFile(absl::StrCat(d, "/nginx.conf"), conf, 0600);
  if (!written.ok()) return written;
  proxy->summary_ = absl::StrCat("worker_processes ", worker_processes,
                                 ", upstream keepalive 1024, access_log off");
  auto process = ChildProcess::Spawn(
      {.argv = {nginx_binary, "-p", d, "-e", absl::StrCat(d, "/error.log"),
                "-c", absl::StrCat(d, "/nginx.conf")},
       .env = {absl::StrCat("NGINX=", ChildProcess::kPassedFd, ";")},
       .output_path = absl::StrCat(work_dir, "/nginx.log"),
       .pass_fd = proxy->listen_socket_->fd()});
  if (!process.ok()) return process.status();
  proxy->process_ = *std::move(process);
  // The socket already listens (connections wait in its backlog): what is
  // left to know is whether nginx took its config, i.e. wrote its pid file
  // rather than exited.
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (ReadFileOrEmpty(absl::StrCat(d, "/nginx.pid")).empty()) {
    if (proxy->process_->Wait(absl::ZeroDuration()).ok() ||
        absl::Now() > give_up) {
      return absl::UnavailableError(absl::StrCat("nginx did not start; see ",
                                                 work_dir, "/nginx.log and ", d,
                                                 "/error.log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return proxy;
}

NginxProxy::~NginxProxy() {
  if (process_) process_->Stop(absl::Seconds(5));
  unlink(absl::StrCat(dir_, "/nginx.conf").c_str());
}

std::string NginxProxy::base_url() const {
  return absl::StrCat("http://127.0.0.1:", listen_socket_->port());
}

double NginxProxy::CpuSeconds() const {
  // The master plus every child whose parent is the master.
  double total = 0;
  const pid_t master = process_->pid();
  if (auto s = ReadProc(master); s.ok()) total += s->cpu_seconds;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return total;
  while (dirent* e = readdir(proc)) {
    int pid = 0;
    if (!absl::SimpleAtoi(e->d_name, &pid)) continue;
    std::string stat = ReadFileOrEmpty(absl::StrCat("/proc/", pid, "/stat"));
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::vector<absl::string_view> f =
        absl::StrSplit(absl::string_view(stat).substr(close + 2), ' ');
    int ppid = 0;
    if (f.size() > 1 && absl::SimpleAtoi(f[1], &ppid) && ppid == master) {
      if (auto s = ReadProc(pid); s.ok()) total += s->cpu_seconds;
    }
  }
  closedir(proc);
  return total;
}

absl::StatusOr<LoadResult> RunWrk(const WrkOptions& options) {
  const std::string script = absl::StrCat(options.work_dir, "/bench.lua");
  absl::Status written = WriteFile(script, kWrkScript, 0644);
  if (!written.ok()) return written;
  // "http://host:port/path?query" -> base and path.
  const std::string& url = options.url_without_since_id;
  const size_t path_at = url.find('/', url.find("//") + 2);
  const std::string base = url.substr(0, path_at);
  const std::string path = url.substr(path_at);
  const std::vector<std::string> env = {
      absl::StrCat("BENCH_DISTINCT=", options.distinct_keys),
      absl::StrCat("BENCH_PATH=", path)};
  const std::string log = absl::StrCat(options.work_dir, "/wrk.log");
  auto run = [&](absl::Duration d,
                 rusage* usage) -> absl::StatusOr<std::string> {
    const std::string seconds =
        absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(d)), "s");
    auto process = ChildProcess::Spawn(
        {.argv = {options.wrk_binary, "-t", absl::StrCat(options.threads), "-c",
                  absl::StrCat(options.connections), "-d", seconds,
                  "--timeout", "30s", "-s", script, base},
         .env = env,
         .output_path = log});
    if (!process.ok()) return process.status();
    absl::StatusOr<int> code = (*process)->Wait(d + absl::Seconds(40), usage);
    if (!code.ok()) return code.status();
    if (*code != 0) {
      return absl::InternalError(
          absl::StrCat("wrk exited ", *code, "; see ", log));
    }
    return (*process)->Output();
  };
  if (options.warmup > absl::ZeroDuration()) {
    auto warm = run(options.warmup, nullptr);
    if (!warm.ok()) return warm.status();
  }
  rusage usage{};
  auto out = run(options.duration, &usage);
  if (!out.ok()) return out.status();
  absl::StatusOr<LoadResult> result = ParseWrk(*out, options);
  if (!result.ok()) return result;
  result->client_cpu_seconds =
      usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
      usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  return result;
}

}  // namespace perch::bench
