#include "server/metrics/process_metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace perch::metrics {
namespace {

constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The value of the line "Name: value" (/proc/self/status) or "name value"
// (/proc/stat).
double Field(const std::string& text, absl::string_view name) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, name) ||
        !(absl::ConsumePrefix(&line, ":") || absl::ConsumePrefix(&line, " "))) {
      continue;
    }
    double value;
    if (absl::SimpleAtod(absl::StripAsciiWhitespace(line), &value)) {
      return value;
    }
  }
  return kUnknown;
}

}  // namespace

double ProcessStartTimeSeconds() {
  // /proc/self/stat's 22nd field is the start in clock ticks after boot;
  // /proc/stat's btime is the boot in unix seconds. The command name (2nd
  // field) may hold spaces, so count from the ')' that ends it.
  const std::string stat = ReadFile("/proc/self/stat");
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return kUnknown;
  const std::vector<absl::string_view> fields = absl::StrSplit(
      absl::string_view(stat).substr(close + 2), ' ', absl::SkipEmpty());
  // After ')': field 3 (state) is index 0, so field 22 is index 19.
  double ticks;
  if (fields.size() < 20 || !absl::SimpleAtod(fields[19], &ticks)) {
    return kUnknown;
  }
  const double boot = Field(ReadFile("/proc/stat"), "btime");
  const long hertz = sysconf(_SC_CLK_TCK);
  if (std::isnan(boot) || hertz <= 0) return kUnknown;
  return boot + ticks / static_cast<double>(hertz);
}

double ProcessOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return kUnknown;
  const std::string own = std::to_string(dirfd(dir));
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    const absl::string_view name = entry->d_name;
    // Not ".", "..", nor the descriptor this listing holds open.
    if (name == "." || name == ".." || name == own) continue;
    ++count;
  }
  closedir(dir);
  return count;
}

double ProcessResidentMemoryBytes() {
  // /proc/self/statm: size resident shared ... in pages.
  const std::vector<std::string> fields =
      absl::StrSplit(ReadFile("/proc/self/statm"), ' ', absl::SkipEmpty());
  double pages;
  if (fields.size() < 2 || !absl::SimpleAtod(fields[1], &pages)) {
    return kUnknown;
  }
  return pages * static_cast<double>(sysconf(_SC_PAGESIZE));
}

double ProcessThreads() {
  return Field(ReadFile("/proc/self/status"), "Threads");
}

void AddProcessMetrics(Registry& registry) {
  registry.AddCallbackGauge("process_start_time_seconds",
                            "Start time of the process since unix epoch in "
                            "seconds.",
                            &ProcessStartTimeSeconds);
  registry.AddCallbackGauge(
      "process_open_fds", "Number of open file descriptors.", &ProcessOpenFds);
  registry.AddCallbackGauge("process_resident_memory_bytes",
                            "Resident memory size in bytes.",
                            &ProcessResidentMemoryBytes);
  registry.AddCallbackGauge("process_threads", "Number of OS threads.",
                            &ProcessThreads);
}

}  // namespace perch::metrics
