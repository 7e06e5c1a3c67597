// The emulator's synthetic Twitter: users, tweets, follower graphs and lists,
// generated deterministically from a seed at every start and immutable after.
// Owns the data and the orderings the upstream defines (timelines newest
// first, the 3,200-tweet cap, search matching, follower order). It knows no
// JSON (world_json.h) and no HTTP (world_reads.h). Tests ask it what a
// correct answer is instead of hard-coding ids.
#ifndef PERCH_EMULATOR_WORLD_H_
#define PERCH_EMULATOR_WORLD_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace perch::emulator {

// The world's present: every created_at is before it and search's 7-day
// window ends at it. Fixed, so that a seed always yields the same bodies.
inline constexpr int64_t kWorldNowUnixSeconds =
    1717243200;  // 2024-06-01 12:00Z

// Named fixtures (docs, scripts and tests use these names).
inline constexpr absl::string_view kDevScreenName = "perch_dev";
inline constexpr absl::string_view kPopularScreenName = "perch_popular";
inline constexpr absl::string_view kPrivateScreenName = "perch_private";
inline constexpr absl::string_view kBannedScreenName = "perch_banned";
// More than 3,200 tweets: the timeline cap shows on it.
inline constexpr absl::string_view kFirehoseScreenName = "perch_firehose";
// A pre-snowflake account and list, with fixed small ids for every seed (the
// ids of @Twitter and its "Official Twitter Accounts" list in the recordings).
inline constexpr absl::string_view kClassicScreenName = "perch_classic";
inline constexpr uint64_t kClassicUserId = 783214;
inline constexpr uint64_t kClassicListId = 84839422;
inline constexpr absl::string_view kClassicListSlug = "classics";
inline constexpr absl::string_view kEngineeringSlug = "engineering";
// A private list of perch_dev: the upstream answers 404/34 for it.
inline constexpr absl::string_view kSecretSlug = "secret-plans";
inline constexpr absl::string_view kPerchHashtag = "perch";

// The only timeline tweets statuses/user_timeline can still reach.
inline constexpr size_t kTimelineCap = 3200;
// v2's users/:id/tweets with exclude=replies reaches this many.
inline constexpr size_t kTimelineCapWithoutReplies = 800;
// Search covers this much time before the world's present.
inline constexpr absl::Duration kSearchWindow = absl::Hours(7 * 24);
// favorite_count from which a tweet counts as a "popular" search result.
inline constexpr int32_t kPopularFavorites = 500;
// Posting clients a tweet's `source` names; world_json.cc holds the anchors.
inline constexpr uint8_t kSourceCount = 5;
inline constexpr uint8_t kBotSource = 4;

// [start, end) in Unicode code points of a tweet's text, as v1.1 indices.
struct TextSpan {
  uint16_t start = 0;
  uint16_t end = 0;
};

struct WorldHashtag {
  std::string text;  // without '#', in the case the tweet wrote it
  TextSpan span;
};

struct WorldMention {
  uint32_t user = 0;  // index into World::users()
  TextSpan span;
};

struct WorldUrl {
  std::string url;  // the t.co link in the text
  std::string expanded_url;
  std::string display_url;
  TextSpan span;
};

enum class MediaKind : uint8_t { kPhoto, kVideo, kAnimatedGif };

struct WorldMedia {
  uint64_t id = 0;
  MediaKind kind = MediaKind::kPhoto;
  std::string key;  // file name on pbs.twimg.com / video.twimg.com
  uint16_t width = 0;
  uint16_t height = 0;
  uint32_t duration_ms = 0;  // videos only
};

enum class TweetKind : uint8_t { kOriginal, kReply, kRetweet, kQuote };

// An absent tweet index (in_reply_to, retweet_of, quote_of).
inline constexpr int32_t kNoIndex = -1;

struct WorldTweet {
  uint64_t id = 0;         // a snowflake: its time is created_at
  int64_t created_at = 0;  // Unix seconds
  uint32_t author = 0;     // index into World::users()
  TweetKind kind = TweetKind::kOriginal;
  int32_t in_reply_to = kNoIndex;  // tweet index (kReply)
  int32_t retweet_of = kNoIndex;   // tweet index (kRetweet)
  int32_t quote_of = kNoIndex;     // tweet index (kQuote)
  // The whole text. A retweet's is "RT @author: " + the original's text; its
  // entities are the original's, shifted, and are not stored here.
  std::string full_text;
  uint16_t length = 0;  // code points of full_text
  // What a client shows: without leading reply mentions and the trailing
  // media link (display_text_range).
  TextSpan display;
  std::vector<WorldHashtag> hashtags;
  std::vector<WorldMention> mentions;
  std::vector<WorldUrl> urls;
  // Every attachment shares one t.co link at the end of the text.
  std::vector<WorldMedia> media;
  std::string media_link;
  TextSpan media_span;
  int32_t retweet_count = 0;
  int32_t favorite_count = 0;
  // Counted over the world (v2's public_metrics; v1.1 shows neither).
  int32_t reply_count = 0;
  int32_t quote_count = 0;
  // The first tweet of the reply chain (itself when not a reply).
  uint32_t conversation = 0;
  uint8_t source = 0;  // index into the posting clients
  bool possibly_sensitive = false;
  absl::string_view lang = "en";  // static storage
};

struct WorldUser {
  uint64_t id = 0;
  std::string screen_name;
  std::string name;
  std::string location;
  std::string description;
  // A link at the end of the description (url "" when none).
  WorldUrl description_url;
  std::string url;         // expanded profile link; "" when none (null)
  std::string url_tco;     // its t.co form
  int64_t created_at = 0;  // Unix seconds
  bool is_protected = false;
  bool suspended = false;
  bool verified = false;
  bool default_profile_image = false;
  bool has_banner = false;
  absl::string_view lang = "en";  // the language of their tweets
  int64_t favourites_count = 0;
  int32_t friends_count = 0;  // how many users of the world they follow
  int32_t listed_count = 0;   // public lists they are a member of
  uint32_t profile_color = 0;
  std::string avatar_key;
  std::vector<uint32_t> tweets;     // tweet indices, newest first
  std::vector<uint32_t> followers;  // user indices, newest follower first
};

struct WorldList {
  uint64_t id = 0;
  uint32_t owner = 0;  // user index
  std::string slug;
  std::string name;
  std::string description;
  bool is_private = false;
  int64_t created_at = 0;
  int32_t subscriber_count = 0;
  std::vector<uint32_t> members;  // user indices, most recently added first
  // Tweets of members the app may see (not protected, not suspended),
  // newest first.
  std::vector<uint32_t> timeline;
};

// Selects a slice of an id-ordered sequence the way the upstream does:
// ids in (since_id, max_id], newest first, at most `count`.
struct IdPageQuery {
  uint64_t since_id = 0;           // exclusive; 0: none
  std::optional<uint64_t> max_id;  // inclusive
  size_t count = 20;
  bool exclude_replies = false;
  bool include_rts = true;
};

struct SearchQuery {
  // Terms joined by spaces must all match: a word (whole word, any case, in
  // the text or as a hashtag), "#tag" (a hashtag, any case), "@name" (a
  // mention or the author) or a "quoted phrase".
  std::string q;
  std::string lang;         // ISO 639-1; "" for any
  std::string result_type;  // "mixed" (or ""), "recent", "popular"
  std::string until;        // YYYY-MM-DD, exclusive; malformed ones ignored
  uint64_t since_id = 0;
  std::optional<uint64_t> max_id;
  // v2's start_time (inclusive) and end_time (exclusive), Unix seconds.
  std::optional<int64_t> start_time;
  std::optional<int64_t> end_time;
};

class World {
 public:
  // Deterministic: the same seed gives the same world, byte for byte.
  static std::shared_ptr<const World> Generate(uint64_t seed);

  World(const World&) = delete;
  World& operator=(const World&) = delete;

  uint64_t seed() const { return seed_; }
  absl::Time now() const { return absl::FromUnixSeconds(kWorldNowUnixSeconds); }

  const std::vector<WorldUser>& users() const { return users_; }
  // Oldest first: index order is id order.
  const std::vector<WorldTweet>& tweets() const { return tweets_; }
  const std::vector<WorldList>& lists() const { return lists_; }

  const WorldUser& user(uint32_t index) const { return users_[index]; }
  const WorldTweet& tweet(uint32_t index) const { return tweets_[index]; }
  uint32_t IndexOf(const WorldUser& user) const {
    return static_cast<uint32_t>(&user - users_.data());
  }

  // nullptr when there is no such user or list. Screen names and slugs
  // compare without case, as the upstream's do.
  const WorldUser* UserById(uint64_t id) const;
  const WorldUser* UserByScreenName(absl::string_view screen_name) const;
  const WorldList* ListById(uint64_t id) const;
  const WorldList* ListBySlug(absl::string_view owner_screen_name,
                              absl::string_view slug) const;
  // The same for an id as a request spells it: nullptr also when `id_text`
  // is no decimal id.
  const WorldUser* UserByIdText(absl::string_view id_text) const;
  const WorldList* ListByIdText(absl::string_view id_text) const;
  // Private lists, and lists of suspended owners, are as unknown to an app
  // as missing ones (in both dialects).
  bool VisibleToApps(const WorldList& list) const;

  // The named fixtures.
  const WorldUser& dev() const { return users_[dev_]; }
  const WorldUser& popular() const { return users_[popular_]; }
  const WorldUser& private_user() const { return users_[private_]; }
  const WorldUser& banned() const { return users_[banned_]; }
  const WorldUser& firehose() const { return users_[firehose_]; }
  const WorldUser& classic() const { return users_[classic_]; }
  const WorldList& engineering() const { return lists_[engineering_]; }
  const WorldList& classics() const { return lists_[classics_]; }

  // A tweet's author can be shown to an app-only caller.
  bool Visible(const WorldTweet& tweet) const;

  // statuses/user_timeline: the newest 3,200 tweets are the only reachable
  // ones; the page is cut to `count` *before* replies and retweets are
  // filtered out, as the upstream documents, so it may come back short.
  std::vector<uint32_t> TimelinePage(const WorldUser& user,
                                     const IdPageQuery& query) const;
  // users/:id/tweets (v2): the newest 3,200 tweets, newest first, then
  // filtered; with replies excluded at most the first 800 that are left.
  std::vector<uint32_t> ReachableTimeline(const WorldUser& user,
                                          bool exclude_replies,
                                          bool exclude_retweets) const;
  // lists/statuses: filtered first, then cut to `count`.
  std::vector<uint32_t> ListTimelinePage(const WorldList& list,
                                         const IdPageQuery& query) const;
  // search/tweets: visible tweets of the last 7 days matching `query`,
  // newest first, at most `limit`.
  std::vector<uint32_t> Search(const SearchQuery& query, size_t limit) const;

  // Whole sequences as ids, newest first: what walking every page must give.
  std::vector<uint64_t> TimelineIds(const WorldUser& user,
                                    bool exclude_replies = false,
                                    bool include_rts = true) const;
  std::vector<uint64_t> ListTimelineIds(const WorldList& list,
                                        bool include_rts = true) const;
  std::vector<uint64_t> SearchIds(const SearchQuery& query) const;
  std::vector<uint64_t> FollowerIds(const WorldUser& user) const;
  std::vector<uint64_t> MemberIds(const WorldList& list) const;
  std::vector<uint64_t> TweetIds(absl::Span<const uint32_t> indices) const;

  // The tweet with `id`, or nullptr.
  const WorldTweet* TweetById(uint64_t id) const;

 private:
  friend class WorldBuilder;
  World() = default;

  // Indices of `timeline` (newest first) in (since_id, max_id].
  static absl::Span<const uint32_t> Window(
      const std::vector<WorldTweet>& tweets,
      absl::Span<const uint32_t> timeline, const IdPageQuery& query);

  uint64_t seed_ = 0;
  std::vector<WorldUser> users_;
  std::vector<WorldTweet> tweets_;
  std::vector<WorldList> lists_;
  absl::flat_hash_map<uint64_t, uint32_t> user_by_id_;
  absl::flat_hash_map<std::string, uint32_t> user_by_name_;  // lower case
  absl::flat_hash_map<uint64_t, uint32_t> list_by_id_;
  uint32_t dev_ = 0, popular_ = 0, private_ = 0, banned_ = 0, firehose_ = 0,
           classic_ = 0, engineering_ = 0, classics_ = 0;
};

// Helpers shared by the generator, the JSON writer and the tests.

// The snowflake id of an event at `unix_ms` (worker and sequence in the low
// 22 bits), and back.
uint64_t SnowflakeId(int64_t unix_ms, uint32_t low_bits);
int64_t SnowflakeUnixMs(uint64_t id);

// A list's v1.1 slug from its name, the rule v2 clients (which get no slug)
// use: ASCII letters lower-cased, digits and '_' kept, every run of other
// bytes one '-', none at either end. Every world list's slug is its name's.
std::string Slugify(absl::string_view name);

// Code points in valid UTF-8 `text`.
size_t CodePointCount(absl::string_view text);
// The byte offset of code point `n` (text.size() past the end).
size_t CodePointOffset(absl::string_view text, size_t n);

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_WORLD_H_
