// A minimal structured logger: one line per event on stderr, as text
// ("<RFC3339 time> <LEVEL> <message>") or, with --log_format=json, as one
// JSON object per line. Structured events (audit, access) carry typed
// fields in either format. Callers never pass secrets: log token
// fingerprints, not tokens. (This Abseil has no absl/log.) Also routes
// protobuf's own log messages through it, sanitized and rate-limited.
#ifndef PERCH_SERVER_COMMON_LOG_H_
#define PERCH_SERVER_COMMON_LOG_H_

#include <functional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/stubs/logging.h"
#include "server/common/clock.h"
#include "server/common/json_fields.h"
#include "server/common/mutex.h"

namespace perch {

enum class LogLevel { kInfo, kWarning, kError };

enum class LogFormat { kText, kJson };

// "text" or "json"; false for anything else.
bool ParseLogFormat(absl::string_view name, LogFormat* format);

// The format of every line this process writes: process-wide, like stderr
// itself. main sets it once from --log_format, before any thread logs;
// the default is kText.
void SetLogFormat(LogFormat format);
LogFormat GetLogFormat();

// One line, newline included, as Log() writes it at `now`:
//   text  2024-05-01T12:00:00.123456Z INFO <message>
//   json  {"time":"2024-05-01T12:00:00.123456Z","level":"INFO","message":"..."}
// JSON strings are printable ASCII only (json_escape.h), so a message cannot
// break the line or the object.
std::string FormatLogLine(LogFormat format, absl::Time now, LogLevel level,
                          absl::string_view message);

// A structured event of `type` ("audit", "access") that happened at `time`:
//   text  <now> INFO <TYPE> {"time":"<time, ms>",<fields>}
//   json  {"time":"<time, µs>","level":"INFO","type":"<type>",<fields>}
std::string FormatEventLine(LogFormat format, absl::Time now, LogLevel level,
                            absl::string_view type, absl::Time time,
                            const JsonFields& fields);
// The text form's message: `<TYPE> {"time":"<time, ms>",<fields>}`.
std::string EventText(absl::string_view type, absl::Time time,
                      const JsonFields& fields);

// Write one line atomically (a single write(2)) in GetLogFormat(); thread-safe.
void Log(LogLevel level, absl::string_view message);
void LogEvent(LogLevel level, absl::string_view type, absl::Time time,
              const JsonFields& fields);

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

// Protobuf logs on its own (e.g. once per request holding a string that is
// not UTF-8) as raw "[libprotobuf ERROR ...]" lines: outside perch's format
// and, for an unthrottled caller, unbounded. This turns each such message
// into one perch line "protobuf: <message>", with every byte outside
// printable ASCII replaced by '?' and the text cut at `max_message_bytes`,
// so no caller-chosen byte sequence reaches the log, and lets at most
// `max_per_window` through per `window`: the first one over says that the
// rest are suppressed, the first one of the next window how many were.
// Thread-safe.
class ProtobufLogFilter {
 public:
  struct Options {
    int max_per_window = 10;
    absl::Duration window = absl::Minutes(1);
    size_t max_message_bytes = 200;
  };
  using Sink = std::function<void(LogLevel, absl::string_view)>;

  // `clock` must outlive this object.
  ProtobufLogFilter(const Clock& clock, Sink sink, Options options);

  void Handle(google::protobuf::LogLevel level, const std::string& message);

 private:
  const Clock& clock_;
  const Sink sink_;
  const Options options_;
  Mutex mu_;
  absl::Time window_start_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int in_window_ ABSL_GUARDED_BY(mu_) = 0;
  int suppressed_ ABSL_GUARDED_BY(mu_) = 0;
};

// Installs a process-wide ProtobufLogFilter (default options, the system
// clock, Log() as its sink) as protobuf's log handler. Call once, early in
// main (protobuf's SetLogHandler is not thread-safe). Idempotent.
void RouteProtobufLogsThroughPerchLog();

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_LOG_H_
