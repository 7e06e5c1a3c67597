// Maps X API v2 bodies (UPSTREAM-V2.md) to perch.v1 messages: tweets with
// their `includes` resolved into nested authors, retweeted/quoted tweets and
// media; users; lists; the `meta` paging block; and the `errors` array a
// 200 can carry. Only reads: which status a v2 problem becomes is decided in
// upstream/, paging in the v2 dialect. Pure functions; thread-safe.
#ifndef PERCH_SERVER_MAPPING_V2_JSON_H_
#define PERCH_SERVER_MAPPING_V2_JSON_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "perch/v1/resources.pb.h"
#include "server/mapping/json_text.h"

namespace perch::mapping::v2 {

// One entry of a v2 `errors` array (an RFC 7807 problem), members as sent,
// "" when absent.
struct Problem {
  std::string type;  // the full URI, e.g. https://api.twitter.com/2/problems/resource-not-found
  std::string title;
  std::string detail;
  std::string parameter;
  std::string value;
  std::string resource_type;
  std::string resource_id;
  std::string section;  // "data", "includes" or ""
};

// The last path segment of a problem type URI ("resource-not-found"), so
// that api.twitter.com and api.x.com types compare equal. "about:blank"
// stays "about:blank".
std::string ProblemName(absl::string_view type);

// `meta` of a page; absent members stay empty / 0.
struct Meta {
  int64_t result_count = 0;
  std::string next_token;
  std::string newest_id;
  std::string oldest_id;
};

// What every v2 page carries beside its items: whether `data` came, `meta`,
// and the `errors` a 200 can carry.
struct PageEnvelope {
  bool has_data = false;  // "data" was present
  Meta meta;
  std::vector<Problem> errors;
};

// GET /2/users/:id/tweets, /2/tweets/search/recent, /2/lists/:id/tweets.
struct TweetPage : PageEnvelope {
  // `data` in order, each with includes resolved (see ParseTweetPage).
  std::vector<v1::Tweet> tweets;
};
// Per tweet: id (required), text (note_tweet.text when present), created_at
// (ISO 8601 with milliseconds), author from includes.users by author_id,
// lang, public_metrics (each count optional), in_reply_to_user_id (and
// in_reply_to_screen_name when that user is in includes.users),
// referenced_tweets: "replied_to" -> in_reply_to_tweet_id, "retweeted" ->
// retweeted_tweet and "quoted" -> quoted_tweet from includes.tweets
// (recursively resolved, their authors too; a referenced tweet missing from
// includes leaves the field unset), entities (hashtags, mentions, urls) and
// media from attachments.media_keys + includes.media, source,
// possibly_sensitive. A retweet's own text is cut upstream ("RT @x: …"): its
// text is "RT @<original author>: " + the original's full text, as v1.1's
// full_text would be. Unknown members are ignored. A wrong shape or a
// missing id anywhere: INTERNAL, UPSTREAM_MALFORMED_RESPONSE naming the JSON
// path (e.g. "$.data[3].created_at"). `{"meta":{"result_count":0}}` is an
// empty page; a body with only `errors` is has_data = false with the errors.
absl::StatusOr<TweetPage> ParseTweetPage(JsonText json);

// GET /2/users/:id/followers, /2/lists/:id/members.
struct UserPage : PageEnvelope {
  std::vector<v1::User> users;
};
// Per user: id (required), username -> screen_name, name, description,
// location, url, created_at, public_metrics (followers_count,
// following_count -> following_count, listed_count, tweet_count),
// verified, protected, profile_image_url. Errors as ParseTweetPage.
absl::StatusOr<UserPage> ParseUserPage(JsonText json);

// GET /2/users/by/username/:username (and /2/users/:id): `data` is one user.
struct UserLookup {
  std::optional<v1::User> user;  // absent when `data` is
  std::vector<Problem> errors;
};
absl::StatusOr<UserLookup> ParseUserLookup(JsonText json);

// GET /2/lists/:id with expansions=owner_id: `data` is one list, its owner
// in includes.users.
struct ListLookup {
  std::optional<v1::TwitterList> list;  // absent when `data` is
  std::vector<Problem> errors;
};
// Per list: id (required), name, slug = Slugify(name), full_name
// "@owner/slug" when the owner is known, description, private -> mode,
// member_count, follower_count -> subscriber_count, created_at, owner.
absl::StatusOr<ListLookup> ParseListLookup(JsonText json);

// GET /2/users/:id/owned_lists: a page of lists (owner not expanded).
struct ListsPage : PageEnvelope {
  std::vector<v1::TwitterList> lists;
};
absl::StatusOr<ListsPage> ParseListsPage(JsonText json);

// v2 lists have no slug; perch derives one from the name as Twitter did:
// ASCII letters lower-cased, digits and '_' kept, every run of other
// characters becomes one '-', no leading or trailing '-'
// ("Official Twitter Accounts" -> "official-twitter-accounts").
std::string Slugify(absl::string_view name);

}  // namespace perch::mapping::v2

#endif  // PERCH_SERVER_MAPPING_V2_JSON_H_
