#include "bench/proc_stats.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bench/load_result.h"

namespace perch::bench {
namespace {

// "VmRSS:\t  1234 kB" -> 1234.
int64_t KibField(absl::string_view line) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  int64_t value = 0;
  if (parts.size() >= 2) (void)absl::SimpleAtoi(parts[1], &value);
  return value;
}

}  // namespace

absl::StatusOr<int64_t> CountOpenFds(pid_t pid) {
  const std::string path = absl::StrCat("/proc/", pid, "/fd");
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return absl::NotFoundError(absl::StrCat("no ", path));
  int64_t n = 0;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n;
}

absl::StatusOr<ProcSnapshot> ReadProc(pid_t pid) {
  ProcSnapshot snap;
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  if (!status) return absl::NotFoundError(absl::StrCat("no process ", pid));
  std::string line;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "VmRSS:")) snap.rss_kib = KibField(line);
    if (absl::StartsWith(line, "VmHWM:")) snap.hwm_kib = KibField(line);
    if (absl::StartsWith(line, "Threads:")) snap.threads = KibField(line);
  }
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(stat)),
                   std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may hold
  // spaces: state is field 3, utime 14, stime 15.
  size_t close = text.rfind(')');
  if (close != std::string::npos) {
    std::vector<absl::string_view> fields =
        absl::StrSplit(absl::string_view(text).substr(close + 2), ' ');
    int64_t utime = 0, stime = 0;
    if (fields.size() > 12 && absl::SimpleAtoi(fields[11], &utime) &&
        absl::SimpleAtoi(fields[12], &stime)) {
      snap.cpu_seconds =
          static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
    }
  }
  return snap;
}

double SelfCpuSeconds() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

ProcSampler::ProcSampler(pid_t pid, int period_ms)
    : pid_(pid), period_ms_(period_ms), start_nanos_(MonotonicNanos()) {
  if (auto snap = ReadProc(pid_); snap.ok()) start_cpu_ = snap->cpu_seconds;
  Take(0);
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(period_ms_));
      Take((MonotonicNanos() - start_nanos_) / 1e9);
    }
  });
}

ProcSampler::~ProcSampler() { Stop(); }

void ProcSampler::Stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
  Take((MonotonicNanos() - start_nanos_) / 1e9);
}

void ProcSampler::Take(double t_seconds) {
  auto snap = ReadProc(pid_);
  if (!snap.ok()) return;
  peak_rss_kib_ = std::max(peak_rss_kib_, snap->rss_kib);
  hwm_kib_ = std::max(hwm_kib_, snap->hwm_kib);
  max_threads_ = std::max(max_threads_, snap->threads);
  cpu_seconds_ = snap->cpu_seconds - start_cpu_;
  samples_.push_back({t_seconds, snap->rss_kib, snap->threads});
}

Json ProcSampler::ToJson() const {
  return Json::MakeObject()
      .Set("peak_rss_mib", peak_rss_kib_ / 1024.0)
      .Set("vm_hwm_mib", hwm_kib_ / 1024.0)
      .Set("max_threads", max_threads_)
      .Set("cpu_seconds", cpu_seconds_);
}

}  // namespace perch::bench
