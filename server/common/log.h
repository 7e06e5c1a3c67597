// A minimal structured logger: one line per event on stderr,
// "<RFC3339 time> <LEVEL> <message>". Callers never pass secrets: log token
// fingerprints, not tokens. (This Abseil has no absl/log.)
#ifndef PERCH_SERVER_COMMON_LOG_H_
#define PERCH_SERVER_COMMON_LOG_H_

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace perch {

enum class LogLevel { kInfo, kWarning, kError };

// Writes one line atomically (a single write(2)); thread-safe.
void Log(LogLevel level, absl::string_view message);

template <typename... Args>
void LogInfo(const Args&... args) {
  Log(LogLevel::kInfo, absl::StrCat(args...));
}
template <typename... Args>
void LogWarning(const Args&... args) {
  Log(LogLevel::kWarning, absl::StrCat(args...));
}
template <typename... Args>
void LogError(const Args&... args) {
  Log(LogLevel::kError, absl::StrCat(args...));
}

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_LOG_H_
