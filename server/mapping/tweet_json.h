// Maps v1.1 tweet objects to perch.v1.Tweet, and the timeline bodies that are
// plain arrays of them (statuses/user_timeline, lists/statuses). Pure
// functions over the JSON text; paging parameters live in core/.
#ifndef PERCH_SERVER_MAPPING_TWEET_JSON_H_
#define PERCH_SERVER_MAPPING_TWEET_JSON_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "perch/v1/resources.pb.h"
#include "server/mapping/json_text.h"

namespace perch::mapping {

// A JSON array of tweets, in the upstream's order. Per tweet: id_str
// (required), full_text (else text), created_at, user -> author, lang,
// counts (favorite_count -> like_count; reply/quote counts when present),
// in_reply_to_* (ids from the *_str members, null -> ""), retweeted_status
// and quoted_status (recursively), entities (media from extended_entities
// when present), source, possibly_sensitive (absent -> false). Unknown
// members are ignored. A wrong shape, a missing id_str or an unparseable
// created_at anywhere: INTERNAL, UPSTREAM_MALFORMED_RESPONSE, naming the JSON
// path (e.g. "$[3].user.created_at"). Thread-safe.
absl::StatusOr<std::vector<perch::v1::Tweet>> ParseTweetArray(JsonText json);

}  // namespace perch::mapping

#endif  // PERCH_SERVER_MAPPING_TWEET_JSON_H_
