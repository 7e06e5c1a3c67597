// Internal to mapping/: the per-object readers (one JSON object already
// positioned in a document -> one message) that the body parsers compose.
// Errors are internal::Malformed paths relative to the object; the public
// parsers prefix where the object sat and convert them with PublicError.
#ifndef PERCH_SERVER_MAPPING_READERS_H_
#define PERCH_SERVER_MAPPING_READERS_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "perch/v1/resources.pb.h"
#include "server/mapping/json_reader.h"

namespace perch::mapping::internal {

// A v1.1 user object. id_str is required. (user_json.cc)
absl::Status ReadUser(JsonValue& value, perch::v1::User* out);
absl::Status ReadUser(JsonDocument& doc, perch::v1::User* out);

// A v1.1 tweet object, with its retweeted/quoted tweets. id_str is required.
// (tweet_json.cc)
absl::Status ReadTweet(JsonValue& value, perch::v1::Tweet* out);

// A media "type" ("photo", "video", "animated_gif"; the same words in v1.1
// and v2); anything else is TYPE_UNSPECIFIED. (tweet_json.cc)
perch::v1::Media::Type MediaType(absl::string_view type);

// A JSON array of tweet objects, appended to `out`. (tweet_json.cc)
absl::Status ReadTweets(JsonValue& value, std::vector<perch::v1::Tweet>* out);
absl::Status ReadTweets(JsonDocument& doc, std::vector<perch::v1::Tweet>* out);

// Reads one object with a stateful single-pass field reader: `reader` is
// called per member and then its Finish() checks required members.
template <typename Container, typename Reader>
absl::Status ReadObject(Container& container, Reader& reader) {
  // FunctionRef calls through a const reference; the lambda forwards to the
  // stateful reader.
  absl::Status status = ForEachField(
      container, [&reader](simdjson::ondemand::raw_json_string key,
                           JsonValue& value) { return reader(key, value); });
  if (!status.ok()) return status;
  return reader.Finish();
}

}  // namespace perch::mapping::internal

#endif  // PERCH_SERVER_MAPPING_READERS_H_
