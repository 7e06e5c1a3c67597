#include "server/common/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "perch/v1/read_service.pb.h"
#include "server/common/testing/fake_clock.h"

namespace perch {
namespace {

using ::perch::testing::FakeClock;

class ProtobufLogFilterTest : public ::testing::Test {
 protected:
  ProtobufLogFilterTest()
      : filter_(
            clock_,
            [this](LogLevel level, absl::string_view line) {
              lines_.emplace_back(level, std::string(line));
            },
            ProtobufLogFilter::Options{}) {}

  FakeClock clock_;
  std::vector<std::pair<LogLevel, std::string>> lines_;
  ProtobufLogFilter filter_;
};

TEST_F(ProtobufLogFilterTest, EachMessageBecomesOnePerchLine) {
  filter_.Handle(
      google::protobuf::LOGLEVEL_ERROR,
      "String field 'perch.v1.GetTimelineRequest.screen_name' "
      "contains invalid UTF-8 data when parsing a protocol buffer. ");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].first, LogLevel::kError);
  EXPECT_EQ(lines_[0].second,
            "protobuf: String field 'perch.v1.GetTimelineRequest.screen_name' "
            "contains invalid UTF-8 data when parsing a protocol buffer.");
  filter_.Handle(google::protobuf::LOGLEVEL_WARNING, "w");
  EXPECT_EQ(lines_[1].first, LogLevel::kWarning);
}

TEST_F(ProtobufLogFilterTest, NoByteOutsidePrintableAsciiAndBoundedLength) {
  const std::string hostile =
      std::string(
          "bad \xff\xfe\xc0\x80 value\n2026-01-01 INFO forged\x1b[31m") +
      std::string(5000, 'x');
  filter_.Handle(google::protobuf::LOGLEVEL_ERROR, hostile);
  ASSERT_EQ(lines_.size(), 1u);
  const std::string& line = lines_[0].second;
  for (char c : line) {
    EXPECT_TRUE(c >= 0x20 && c <= 0x7e) << "byte " << static_cast<int>(c);
  }
  EXPECT_TRUE(absl::StartsWith(line, "protobuf: bad ???? value?2026"));
  EXPECT_LE(line.size(), std::string("protobuf: ").size() + 200 + 3);
  EXPECT_TRUE(absl::EndsWith(line, "..."));
}

TEST_F(ProtobufLogFilterTest, AtMostTenPerMinuteThenOneNoticeThenACount) {
  for (int i = 0; i < 1000; ++i) {
    filter_.Handle(google::protobuf::LOGLEVEL_ERROR, "invalid UTF-8");
    clock_.Advance(absl::Milliseconds(10));  // 1000 in 10 s
  }
  ASSERT_EQ(lines_.size(), 11u);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(lines_[i].second, "protobuf: invalid UTF-8");
  EXPECT_EQ(lines_[10].first, LogLevel::kWarning);
  EXPECT_TRUE(absl::StrContains(lines_[10].second, "suppressing the rest"));

  clock_.Advance(absl::Minutes(1));
  filter_.Handle(google::protobuf::LOGLEVEL_ERROR, "invalid UTF-8");
  ASSERT_EQ(lines_.size(), 13u);
  EXPECT_EQ(lines_[11].second, "protobuf: 990 more messages were suppressed");
  EXPECT_EQ(lines_[12].second, "protobuf: invalid UTF-8");
}

// Protobuf's own UTF-8 complaint, once the handler is installed, comes out
// in perch's format on stderr, and never as "[libprotobuf ...]".
TEST(RouteProtobufLogs, ParsingNonUtf8GoesThroughPerchsLog) {
  RouteProtobufLogsThroughPerchLog();
  const std::string path = ::testing::TempDir() + "/log_test_stderr";
  const int file = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(file, 0);
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(file, STDERR_FILENO);
  v1::GetTimelineRequest request;
  const bool parsed =
      request.ParseFromString(std::string("\x0a\x04\xff\xfe\xc0\x80", 6));
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::string captured(4096, '\0');
  const ssize_t n = ::pread(file, captured.data(), captured.size(), 0);
  ::close(file);
  std::remove(path.c_str());
  captured.resize(n > 0 ? static_cast<size_t>(n) : 0);

  EXPECT_FALSE(parsed);
  EXPECT_FALSE(absl::StrContains(captured, "[libprotobuf")) << captured;
  EXPECT_TRUE(absl::StrContains(captured, " ERROR protobuf: String field"))
      << captured;
  EXPECT_FALSE(absl::StrContains(captured, "\xff")) << captured;
}

const absl::Time kNow = absl::FromUnixMicros(1700000000123456);

TEST(FormatLogLine, TextIsTimeLevelMessage) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, kNow, LogLevel::kWarning, "hi"),
            "2023-11-14T22:13:20.123456Z WARNING hi\n");
}

TEST(FormatLogLine, JsonIsOneObjectPerLine) {
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, kNow, LogLevel::kInfo, "hi"),
            R"({"time":"2023-11-14T22:13:20.123456Z","level":"INFO",)"
            R"("message":"hi"})"
            "\n");
}

// Whatever a message holds (a newline, quotes, bytes that are not UTF-8),
// the JSON line stays one line of printable ASCII and its string stays
// closed. Messages are not cut.
TEST(FormatLogLine, JsonEscapesEverythingOutsidePrintableAscii) {
  const std::string hostile =
      std::string("a\"}\n{\"level\":\"ERROR\\\t\xff\xc3\xa9") +
      std::string(1000, 'x');
  const std::string line =
      FormatLogLine(LogFormat::kJson, kNow, LogLevel::kError, hostile);
  ASSERT_EQ(line.back(), '\n');
  const std::string body = line.substr(0, line.size() - 1);
  EXPECT_EQ(body.find('\n'), std::string::npos);
  for (char c : body) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << int{c};
  EXPECT_NE(body.find(R"("message":"a\"}\u000a{\"level\":\"ERROR\\\u0009)"
                      R"(\u00ff\u00c3\u00a9xxx)"),
            std::string::npos)
      << body;
  EXPECT_TRUE(absl::EndsWith(body, std::string(1000, 'x') + "\"}"));
}

TEST(FormatEventLine, TextKeepsTheTaggedObjectJsonPutsTheTypeInside) {
  JsonFields fields;
  fields.Str("caller", "ops").Int("n", 3).Bool("ok", true);
  const absl::Time at = absl::FromUnixMillis(1700000000123);
  EXPECT_EQ(FormatEventLine(LogFormat::kText, kNow, LogLevel::kInfo, "audit",
                            at, fields),
            "2023-11-14T22:13:20.123456Z INFO AUDIT "
            R"({"time":"2023-11-14T22:13:20.123Z","caller":"ops","n":3,)"
            R"("ok":true})"
            "\n");
  EXPECT_EQ(FormatEventLine(LogFormat::kJson, kNow, LogLevel::kInfo, "audit",
                            at, fields),
            R"({"time":"2023-11-14T22:13:20.123000Z","level":"INFO",)"
            R"("type":"audit","caller":"ops","n":3,"ok":true})"
            "\n");
}

TEST(LogFormat, ParsesTextAndJsonOnly) {
  LogFormat f = LogFormat::kText;
  EXPECT_TRUE(ParseLogFormat("json", &f));
  EXPECT_EQ(f, LogFormat::kJson);
  EXPECT_TRUE(ParseLogFormat("text", &f));
  EXPECT_EQ(f, LogFormat::kText);
  EXPECT_FALSE(ParseLogFormat("JSON", &f));
  EXPECT_FALSE(ParseLogFormat("", &f));
}

}  // namespace
}  // namespace perch
