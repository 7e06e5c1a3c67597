// A tweet's text and entities as one response shows them, shared by both
// dialects' writers: a retweet's text is "RT @name: " + its original's and
// its entities are the original's, shifted; compatibility mode (and v2's
// retweets) cut long texts at 140 code points. Also the t.co links and
// posting clients every rendering names. Pure: World in, values out.
#ifndef PERCH_EMULATOR_TWEET_TEXT_H_
#define PERCH_EMULATOR_TWEET_TEXT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "emulator/world.h"

namespace perch::emulator {

enum class TweetMode {
  kCompat,    // "text", cut at 140 code points with truncated:true
  kExtended,  // tweet_mode=extended: "full_text" and display_text_range
  // v2's "text": an original whole up to 280 code points (longer: its first
  // 279 and "…"), a retweet cut as in compatibility mode.
  kV2,
};

// v2's text holds this many code points of a long post (note_tweet all).
inline constexpr size_t kV2TextLength = 280;

struct RenderedTweet {
  struct Url {
    std::string url, expanded_url, display_url;
    TextSpan span;
  };
  std::string text;
  bool truncated = false;  // cut, with a link to the whole tweet appended
  TextSpan display;
  std::vector<WorldHashtag> hashtags;
  std::vector<WorldMention> mentions;
  std::vector<Url> urls;
  const WorldTweet* media_owner = nullptr;  // nullptr: no media shown
  TextSpan media_span;
};

// Compatibility mode cuts an original tweet (truncated, with a link to it)
// and a retweet (with "…", truncated stays false) longer than 140 code
// points, keeping only the entities that fit; kV2 cuts as its comment says.
RenderedTweet RenderTweet(const World& world, const WorldTweet& tweet,
                          TweetMode mode);

// A stable pseudo-random t.co link for `n`.
std::string TcoFor(uint64_t n);

// The t.co link compatibility mode appends to a cut tweet, pointing at it.
std::string StatusLink(uint64_t tweet_id);

// "perch.example/docs/x" as the upstream shortens a link for display.
std::string ShortDisplay(absl::string_view expanded);

// The client a tweet was posted with.
struct TweetSource {
  absl::string_view name;
  absl::string_view url;
};
const TweetSource& SourceOf(const WorldTweet& tweet);

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_TWEET_TEXT_H_
