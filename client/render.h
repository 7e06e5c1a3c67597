// Turns perch.v1 responses into the perch CLI's text: fixed-width tables
// (so pages followed with --all line up under one header), footers, progress
// lines and one-line JSON. Pure: returns strings, every line ending in '\n';
// printing and paging are the caller's.
#ifndef PERCH_CLIENT_RENDER_H_
#define PERCH_CLIENT_RENDER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpc/health/v1/health.pb.h"
#include "perch/v1/read_service.pb.h"
#include "perch/v1/token_service.pb.h"

namespace perch::client {

// How many characters of a tweet's text the table shows.
inline constexpr size_t kTextColumnChars = 60;

// "2024-05-01T12:34:56Z", or "-" when the timestamp is unset.
std::string FormatUtc(const google::protobuf::Timestamp& ts);

// Whitespace runs (newlines included) become one space, &amp; &lt; &gt;
// are unescaped, and text longer than `max_chars` characters (UTF-8 code
// points) is cut to `max_chars` - 1 of them followed by "…".
std::string FoldText(absl::string_view text, size_t max_chars);

// Tweets: ID, CREATED_AT, AUTHOR, TEXT. A retweet shows "RT @author: " and
// the original's text (the retweet's own text is cut short upstream).
std::string TweetTableHeader();
std::string TweetRows(
    const google::protobuf::RepeatedPtrField<perch::v1::Tweet>& tweets);

// Users: ID, SCREEN_NAME, FOLLOWERS, NAME.
std::string UserTableHeader();
std::string UserRows(
    const google::protobuf::RepeatedPtrField<perch::v1::User>& users);

// Follower ids: one per line under an ID header.
std::string UserIdHeader();
std::string UserIdRows(
    const google::protobuf::RepeatedPtrField<std::string>& ids);

// `list 123 "Name" by @owner (@owner/slug): 42 members, 7 subscribers, public`
std::string ListHeaderLine(const perch::v1::TwitterList& list);

// `rate limit: 1499/1500, resets 12:34:56Z` (when `has_rate_limit`), with
// ", from cache" when perch served the page from its cache, then
// `next page: TOKEN` when `next_page_token` is not empty.
std::string Footer(bool has_rate_limit, const perch::v1::RateLimit& rate_limit,
                   bool from_cache, absl::string_view next_page_token);

// `page 3: 200 tweets (600 so far)`
std::string ProgressLine(int page, int items, int64_t total,
                         absl::string_view noun);

std::string ObtainText(const perch::v1::ObtainResponse& response);
std::string InvalidateText(const perch::v1::InvalidateResponse& response);

// "SERVING", "NOT_SERVING", ...
std::string HealthText(const grpc::health::v1::HealthCheckResponse& response);

// The message as one line of proto JSON (lowerCamelCase names, defaults
// omitted) followed by '\n'.
absl::StatusOr<std::string> JsonLine(const google::protobuf::Message& message);

}  // namespace perch::client

#endif  // PERCH_CLIENT_RENDER_H_
