// Reads a process's memory, thread count and CPU time from /proc, and
// samples them in the background while a scenario runs (peak RSS and the
// largest thread count seen are what the scale bar checks).
#ifndef PERCH_BENCH_PROC_STATS_H_
#define PERCH_BENCH_PROC_STATS_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/json.h"

namespace perch::bench {

struct ProcSnapshot {
  int64_t rss_kib = 0;  // VmRSS
  int64_t hwm_kib = 0;  // VmHWM: peak RSS over the process's life
  int64_t threads = 0;
  double cpu_seconds = 0;  // utime + stime
};

// NOT_FOUND once the process is gone.
absl::StatusOr<ProcSnapshot> ReadProc(pid_t pid);

// How many descriptors `pid` has open (entries of /proc/<pid>/fd).
// NOT_FOUND once the process is gone.
absl::StatusOr<int64_t> CountOpenFds(pid_t pid);

// This process's own CPU time (user + system, all threads).
double SelfCpuSeconds();

// Samples `pid` every `period_ms` on its own thread between construction and
// Stop() (or destruction).
class ProcSampler {
 public:
  struct Sample {
    double t_seconds;
    int64_t rss_kib;
    int64_t threads;
  };

  ProcSampler(pid_t pid, int period_ms);
  ~ProcSampler();
  void Stop();

  // Valid after Stop().
  int64_t peak_rss_kib() const { return peak_rss_kib_; }
  int64_t hwm_kib() const { return hwm_kib_; }
  int64_t max_threads() const { return max_threads_; }
  double cpu_seconds() const { return cpu_seconds_; }
  const std::vector<Sample>& samples() const { return samples_; }

  // {"peak_rss_mib", "vm_hwm_mib", "max_threads", "cpu_seconds"}.
  Json ToJson() const;

 private:
  void Take(double t_seconds);

  const pid_t pid_;
  const int period_ms_;
  const int64_t start_nanos_;
  double start_cpu_ = 0;
  std::atomic<bool> stop_{false};
  int64_t peak_rss_kib_ = 0;
  int64_t hwm_kib_ = 0;
  int64_t max_threads_ = 0;
  double cpu_seconds_ = 0;
  std::vector<Sample> samples_;
  std::thread thread_;
};

}  // namespace perch::bench

#endif  // PERCH_BENCH_PROC_STATS_H_
