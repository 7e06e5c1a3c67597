#include "client/render.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"

namespace perch::client {
namespace {

// Column widths. Fixed rather than fitted to the page, so every page of
// --all lines up under the one header. Snowflake ids have 19 digits; a
// handle is at most 15 characters plus '@'.
constexpr size_t kIdWidth = 19;
constexpr size_t kTimeWidth = 20;
constexpr size_t kHandleWidth = 16;
constexpr size_t kCountWidth = 10;
constexpr absl::string_view kGap = "  ";

bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Characters as a terminal roughly counts them: UTF-8 code points.
size_t CodePoints(absl::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if (!IsContinuationByte(c)) ++n;
  }
  return n;
}

std::string PadRight(absl::string_view s, size_t width) {
  std::string out(s);
  size_t n = CodePoints(s);
  if (n < width) out.append(width - n, ' ');
  return out;
}

std::string PadLeft(absl::string_view s, size_t width) {
  size_t n = CodePoints(s);
  std::string out = n < width ? std::string(width - n, ' ') : std::string();
  absl::StrAppend(&out, s);
  return out;
}

// One table line: the cells joined by the gap, no trailing blanks.
std::string Line(std::initializer_list<absl::string_view> cells) {
  std::string line;
  bool first = true;
  for (absl::string_view cell : cells) {
    if (!first) absl::StrAppend(&line, kGap);
    absl::StrAppend(&line, cell);
    first = false;
  }
  absl::StripTrailingAsciiWhitespace(&line);
  line += '\n';
  return line;
}

// The two tables' lines, header and rows alike: each table's columns and
// their widths are written once.
std::string TweetLine(absl::string_view id, absl::string_view created_at,
                      absl::string_view author, absl::string_view text) {
  return Line({PadRight(id, kIdWidth), PadRight(created_at, kTimeWidth),
               PadRight(author, kHandleWidth), text});
}

std::string UserLine(absl::string_view id, absl::string_view screen_name,
                     absl::string_view followers, absl::string_view name) {
  return Line({PadRight(id, kIdWidth), PadRight(screen_name, kHandleWidth),
               PadLeft(followers, kCountWidth), name});
}

// One line per item, as `line` renders it.
template <typename Items, typename LineOf>
std::string Rows(const Items& items, LineOf line) {
  std::string out;
  for (const auto& item : items) absl::StrAppend(&out, line(item));
  return out;
}

std::string Handle(absl::string_view screen_name) {
  if (screen_name.empty()) return "-";
  return absl::StrCat("@", screen_name);
}

std::string TweetText(const perch::v1::Tweet& tweet) {
  if (tweet.has_retweeted_tweet()) {
    const perch::v1::Tweet& original = tweet.retweeted_tweet();
    return FoldText(absl::StrCat("RT ", Handle(original.author().screen_name()),
                                 ": ", original.text()),
                    kTextColumnChars);
  }
  return FoldText(tweet.text(), kTextColumnChars);
}

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

}  // namespace

std::string FormatUtc(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", ToTime(ts),
                          absl::UTCTimeZone());
}

std::string FoldText(absl::string_view text, size_t max_chars) {
  std::string unescaped =
      absl::StrReplaceAll(text, {{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}});
  std::string folded;
  folded.reserve(unescaped.size());
  bool in_space = false;
  for (char c : unescaped) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      in_space = true;
      continue;
    }
    if (in_space && !folded.empty()) folded += ' ';
    in_space = false;
    folded += c;
  }
  if (CodePoints(folded) <= max_chars) return folded;
  if (max_chars == 0) return "";
  // Keep max_chars - 1 code points, then the ellipsis.
  size_t kept = 0;
  size_t end = 0;
  for (; end < folded.size(); ++end) {
    if (!IsContinuationByte(folded[end])) {
      if (kept == max_chars - 1) break;
      ++kept;
    }
  }
  folded.resize(end);
  absl::StrAppend(&folded, "\u2026");
  return folded;
}

std::string TweetTableHeader() {
  return TweetLine("ID", "CREATED_AT", "AUTHOR", "TEXT");
}

std::string TweetRows(
    const google::protobuf::RepeatedPtrField<perch::v1::Tweet>& tweets) {
  return Rows(tweets, [](const perch::v1::Tweet& tweet) {
    return TweetLine(tweet.id(), FormatUtc(tweet.created_at()),
                     Handle(tweet.author().screen_name()), TweetText(tweet));
  });
}

std::string UserTableHeader() {
  return UserLine("ID", "SCREEN_NAME", "FOLLOWERS", "NAME");
}

std::string UserRows(
    const google::protobuf::RepeatedPtrField<perch::v1::User>& users) {
  return Rows(users, [](const perch::v1::User& user) {
    return UserLine(user.id(), Handle(user.screen_name()),
                    absl::StrCat(user.followers_count()),
                    FoldText(user.name(), kTextColumnChars));
  });
}

std::string UserIdHeader() { return "ID\n"; }

std::string UserIdRows(
    const google::protobuf::RepeatedPtrField<std::string>& ids) {
  return Rows(ids,
              [](const std::string& id) { return absl::StrCat(id, "\n"); });
}

std::string ListHeaderLine(const perch::v1::TwitterList& list) {
  std::string line = absl::StrCat(
      "list ", list.id(), " \"", FoldText(list.name(), kTextColumnChars), "\"");
  if (!list.owner().screen_name().empty()) {
    absl::StrAppend(&line, " by ", Handle(list.owner().screen_name()));
  }
  if (!list.full_name().empty()) {
    absl::StrAppend(&line, " (", list.full_name(), ")");
  }
  absl::StrAppend(&line, ": ", list.member_count(), " members, ",
                  list.subscriber_count(), " subscribers");
  switch (list.mode()) {
    case perch::v1::TwitterList::MODE_PUBLIC:
      absl::StrAppend(&line, ", public");
      break;
    case perch::v1::TwitterList::MODE_PRIVATE:
      absl::StrAppend(&line, ", private");
      break;
    default:
      break;
  }
  line += '\n';
  return line;
}

std::string Footer(bool has_rate_limit, const perch::v1::RateLimit& rate_limit,
                   bool from_cache, absl::string_view next_page_token) {
  std::string out;
  if (has_rate_limit) {
    absl::StrAppend(&out, "rate limit: ", rate_limit.remaining(), "/",
                    rate_limit.limit());
    if (rate_limit.has_reset_time()) {
      absl::StrAppend(
          &out, ", resets ",
          absl::FormatTime("%H:%M:%SZ", ToTime(rate_limit.reset_time()),
                           absl::UTCTimeZone()));
    }
    if (from_cache) absl::StrAppend(&out, ", from cache");
    out += '\n';
  } else if (from_cache) {
    out += "from cache\n";
  }
  if (!next_page_token.empty()) {
    absl::StrAppend(&out, "next page: ", next_page_token, "\n");
  }
  return out;
}

std::string ProgressLine(int page, int items, int64_t total,
                         absl::string_view noun) {
  return absl::StrCat("page ", page, ": ", items, " ", noun, " (", total,
                      " so far)\n");
}

std::string ObtainText(const perch::v1::ObtainResponse& response) {
  std::string out = absl::StrCat(
      "token: ", response.token_type().empty() ? "-" : response.token_type(),
      ", fingerprint ", response.token_fingerprint(), ", obtained ",
      FormatUtc(response.obtained_at()));
  if (response.from_cache()) {
    absl::StrAppend(&out, " (already held, no upstream request)");
  }
  out += '\n';
  return out;
}

std::string InvalidateText(const perch::v1::InvalidateResponse& response) {
  if (response.nothing_held()) {
    return "no token held: nothing invalidated, no upstream request\n";
  }
  return absl::StrCat("invalidated token ", response.token_fingerprint(),
                      " at ", FormatUtc(response.invalidated_at()), "\n");
}

std::string HealthText(const grpc::health::v1::HealthCheckResponse& response) {
  return absl::StrCat(grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                          response.status()),
                      "\n");
}

absl::StatusOr<std::string> JsonLine(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print ",
                                            message.GetTypeName(),
                                            " as JSON: ", status.ToString()));
  }
  json += '\n';
  return json;
}

}  // namespace perch::client
