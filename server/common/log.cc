#include "server/common/log.h"

#include <unistd.h>

#include <atomic>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace perch {

namespace {

std::atomic<LogFormat> log_format{LogFormat::kText};

const char* LevelName(LogLevel level) {
  return level == LogLevel::kInfo      ? "INFO"
         : level == LogLevel::kWarning ? "WARNING"
                                       : "ERROR";
}

std::string Rfc3339(absl::Time t, int fraction_digits) {
  return absl::FormatTime(
      fraction_digits == 3 ? "%Y-%m-%dT%H:%M:%E3SZ" : "%Y-%m-%dT%H:%M:%E6SZ", t,
      absl::UTCTimeZone());
}

// One write keeps concurrent lines whole.
void WriteLine(const std::string& line) {
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + off, line.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
}

// {"time":...,"level":...,<members>,<more>}\n
std::string JsonLine(absl::Time time, LogLevel level, const JsonFields& members,
                     const JsonFields& more = JsonFields()) {
  JsonFields head;
  head.Str("time", Rfc3339(time, 6)).Str("level", LevelName(level));
  return absl::StrCat("{", head.members(), ",", members.members(),
                      more.members().empty() ? "" : ",", more.members(), "}\n");
}

}  // namespace

bool ParseLogFormat(absl::string_view name, LogFormat* format) {
  if (name == "text") {
    *format = LogFormat::kText;
  } else if (name == "json") {
    *format = LogFormat::kJson;
  } else {
    return false;
  }
  return true;
}

void SetLogFormat(LogFormat format) { log_format.store(format); }

LogFormat GetLogFormat() { return log_format.load(); }

std::string FormatLogLine(LogFormat format, absl::Time now, LogLevel level,
                          absl::string_view message) {
  if (format == LogFormat::kJson) {
    JsonFields rest(std::numeric_limits<size_t>::max());
    rest.Str("message", message);
    return JsonLine(now, level, rest);
  }
  return absl::StrCat(Rfc3339(now, 6), " ", LevelName(level), " ", message,
                      "\n");
}

std::string EventText(absl::string_view type, absl::Time time,
                      const JsonFields& fields) {
  JsonFields head;
  head.Str("time", Rfc3339(time, 3));
  return absl::StrCat(absl::AsciiStrToUpper(type), " {", head.members(),
                      fields.members().empty() ? "" : ",", fields.members(),
                      "}");
}

std::string FormatEventLine(LogFormat format, absl::Time now, LogLevel level,
                            absl::string_view type, absl::Time time,
                            const JsonFields& fields) {
  if (format == LogFormat::kJson) {
    JsonFields kind;
    kind.Str("type", type);
    return JsonLine(time, level, kind, fields);
  }
  return FormatLogLine(format, now, level, EventText(type, time, fields));
}

void Log(LogLevel level, absl::string_view message) {
  WriteLine(FormatLogLine(GetLogFormat(), absl::Now(), level, message));
}

void LogEvent(LogLevel level, absl::string_view type, absl::Time time,
              const JsonFields& fields) {
  WriteLine(
      FormatEventLine(GetLogFormat(), absl::Now(), level, type, time, fields));
}

namespace {

// Printable ASCII only, at most `limit` bytes of it.
std::string Sanitize(absl::string_view text, size_t limit) {
  std::string out;
  const bool cut = text.size() > limit;
  text = absl::StripTrailingAsciiWhitespace(text.substr(0, limit));
  out.reserve(text.size() + 3);
  for (char c : text) out += (c >= 0x20 && c <= 0x7e) ? c : '?';
  if (cut) out += "...";
  return out;
}

LogLevel LevelOf(google::protobuf::LogLevel level) {
  switch (level) {
    case google::protobuf::LOGLEVEL_INFO:
      return LogLevel::kInfo;
    case google::protobuf::LOGLEVEL_WARNING:
      return LogLevel::kWarning;
    default:
      return LogLevel::kError;
  }
}

}  // namespace

ProtobufLogFilter::ProtobufLogFilter(const Clock& clock, Sink sink,
                                     Options options)
    : clock_(clock), sink_(std::move(sink)), options_(options) {}

void ProtobufLogFilter::Handle(google::protobuf::LogLevel level,
                               const std::string& message) {
  const std::string line =
      absl::StrCat("protobuf: ", Sanitize(message, options_.max_message_bytes));
  // Protobuf aborts right after a FATAL message: it must get out.
  if (level == google::protobuf::LOGLEVEL_FATAL) {
    sink_(LogLevel::kError, line);
    return;
  }
  std::string previous_window;  // how many the last window suppressed
  std::string suppressing;      // this window has had its share
  bool pass = true;
  {
    MutexLock lock(&mu_);
    const absl::Time now = clock_.Now();
    if (now - window_start_ >= options_.window) {
      if (suppressed_ > 0) {
        previous_window = absl::StrCat("protobuf: ", suppressed_,
                                       " more messages were suppressed");
      }
      window_start_ = now;
      in_window_ = 0;
      suppressed_ = 0;
    }
    if (++in_window_ > options_.max_per_window) {
      pass = false;
      if (++suppressed_ == 1) {
        suppressing = absl::StrCat(
            "protobuf: more than ", options_.max_per_window,
            " messages within ", absl::FormatDuration(options_.window),
            "; suppressing the rest until ",
            absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                             window_start_ + options_.window,
                             absl::UTCTimeZone()));
      }
    }
  }
  if (!previous_window.empty()) sink_(LogLevel::kWarning, previous_window);
  if (pass) sink_(LevelOf(level), line);
  if (!suppressing.empty()) sink_(LogLevel::kWarning, suppressing);
}

namespace {

void HandleProtobufLog(google::protobuf::LogLevel level, const char*, int,
                       const std::string& message) {
  static const SystemClock* const clock = new SystemClock();
  static ProtobufLogFilter* const filter = new ProtobufLogFilter(
      *clock, [](LogLevel l, absl::string_view m) { Log(l, m); },
      ProtobufLogFilter::Options{});
  filter->Handle(level, message);
}

}  // namespace

void RouteProtobufLogsThroughPerchLog() {
  google::protobuf::SetLogHandler(&HandleProtobufLog);
}

}  // namespace perch
