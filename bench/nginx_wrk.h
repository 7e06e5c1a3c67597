// The do-it-yourself alternative to perch: Debian's nginx as a reverse proxy
// that injects "Authorization: Bearer <token>" in front of the emulator
// (keep-alive to the upstream), driven by wrk. The generated config lives in
// a private temporary directory (it holds the token) with every path nginx
// writes (pid, logs, temp files) inside it, so no root paths are touched.
#ifndef PERCH_BENCH_NGINX_WRK_H_
#define PERCH_BENCH_NGINX_WRK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/load_result.h"
#include "bench/loopback_listen_socket.h"
#include "tests/testing/child_process.h"

namespace perch::bench {

class NginxProxy {
 public:
  // `upstream` is host:port of the emulator (plain HTTP).
  static absl::StatusOr<std::unique_ptr<NginxProxy>> Start(
      const std::string& nginx_binary, const std::string& work_dir,
      const std::string& upstream, const std::string& bearer_token,
      const std::string& worker_processes);
  ~NginxProxy();

  std::string base_url() const;
  pid_t master_pid() const { return process_->pid(); }
  // Sum of the CPU time of the master and its workers so far.
  double CpuSeconds() const;
  // Peak RSS and thread count summed over the workers (MiB, count).
  std::string config_summary() const { return summary_; }

 private:
  NginxProxy() = default;
  std::string dir_;
  // nginx serves on it (inherited, see Start); open until nginx has stopped.
  std::unique_ptr<LoopbackListenSocket> listen_socket_;
  std::string summary_;
  std::unique_ptr<testing::ChildProcess> process_;
};

struct WrkOptions {
  std::string wrk_binary = "/usr/bin/wrk";
  std::string url_without_since_id;  // full URL; since_id appended per request
  int connections = 1;
  int threads = 1;
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(5);
  int distinct_keys = 0;
  std::string work_dir;  // for the Lua script and the log
};

// Runs wrk (after a warmup run), reads the Lua-reported JSON summary.
absl::StatusOr<LoadResult> RunWrk(const WrkOptions& options);

}  // namespace perch::bench

#endif  // PERCH_BENCH_NGINX_WRK_H_
