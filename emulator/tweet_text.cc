#include "emulator/tweet_text.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace perch::emulator {
namespace {

// Compatibility mode keeps texts to this many code points.
constexpr size_t kCompatLength = 140;
// A cut tweet keeps at most this much before "… https://t.co/xxxxxxxxxx".
constexpr size_t kCompatKeep = 114;

constexpr TweetSource kSources[kSourceCount] = {
    {"Twitter Web App", "https://mobile.twitter.com"},
    {"Twitter for iPhone", "http://twitter.com/download/iphone"},
    {"Twitter for Android", "http://twitter.com/download/android"},
    {"TweetDeck", "https://about.twitter.com/products/tweetdeck"},
    {"perch-firehose", "https://perch.example/firehose"},
};

constexpr absl::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

TextSpan Shift(TextSpan span, int by) {
  return {static_cast<uint16_t>(span.start + by),
          static_cast<uint16_t>(span.end + by)};
}

}  // namespace

std::string TcoFor(uint64_t n) {
  uint64_t z = n * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 29)) * 0xBF58476D1CE4E5B9ull;
  std::string out = "https://t.co/";
  for (int i = 0; i < 10; ++i) {
    out.push_back(kBase62[z % 62]);
    z /= 62;
    if (z == 0) z = n + i + 1;
  }
  return out;
}

std::string ShortDisplay(absl::string_view expanded) {
  absl::string_view rest = expanded;
  if (absl::StartsWith(rest, "https://")) rest.remove_prefix(8);
  if (CodePointCount(rest) <= 26) return std::string(rest);
  return absl::StrCat(rest.substr(0, CodePointOffset(rest, 25)), "…");
}

RenderedTweet RenderTweet(const World& world, const WorldTweet& tweet,
                          TweetMode mode) {
  RenderedTweet r;
  r.text = tweet.full_text;
  r.display = tweet.display;
  const WorldTweet* content = &tweet;
  int shift = 0;
  if (tweet.kind == TweetKind::kRetweet) {
    content = &world.tweet(tweet.retweet_of);
    const WorldUser& author = world.user(content->author);
    shift = static_cast<int>(4 + author.screen_name.size() + 2);  // "RT @x: "
    r.mentions.push_back(
        {content->author,
         {3, static_cast<uint16_t>(4 + author.screen_name.size())}});
  }
  for (const WorldHashtag& h : content->hashtags) {
    r.hashtags.push_back({h.text, Shift(h.span, shift)});
  }
  for (const WorldMention& m : content->mentions) {
    r.mentions.push_back({m.user, Shift(m.span, shift)});
  }
  for (const WorldUrl& u : content->urls) {
    r.urls.push_back(
        {u.url, u.expanded_url, u.display_url, Shift(u.span, shift)});
  }
  if (!content->media.empty()) {
    r.media_owner = content;
    r.media_span = Shift(content->media_span, shift);
  }
  const bool retweet = tweet.kind == TweetKind::kRetweet;
  const size_t limit =
      mode == TweetMode::kV2 && !retweet ? kV2TextLength : kCompatLength;
  if (mode == TweetMode::kExtended || tweet.length <= limit) return r;

  // Too long: cut, and keep only the entities that fit.
  size_t keep;
  std::string tail;
  if (retweet || mode == TweetMode::kV2) {
    // Cut with an ellipsis and truncated:false; clients read the original
    // (retweeted_status, referenced_tweets) or note_tweet for the whole.
    keep = limit - 1;
    tail = "…";
  } else {
    keep = std::min<size_t>(kCompatKeep, tweet.display.end);
    // Never inside an entity, and at a space where one is near.
    bool moved = true;
    while (moved) {
      moved = false;
      auto inside = [&](TextSpan s) {
        if (s.start < keep && keep < s.end) {
          keep = s.start;
          moved = true;
        }
      };
      for (const auto& h : r.hashtags) inside(h.span);
      for (const auto& m : r.mentions) inside(m.span);
      for (const auto& u : r.urls) inside(u.span);
    }
    r.truncated = true;
  }
  const size_t cut = CodePointOffset(tweet.full_text, keep);
  std::string prefix = tweet.full_text.substr(0, cut);
  while (!prefix.empty() && prefix.back() == ' ') {
    prefix.pop_back();
    --keep;
  }
  auto fits = [&](TextSpan s) { return s.end <= keep; };
  r.hashtags.erase(std::remove_if(r.hashtags.begin(), r.hashtags.end(),
                                  [&](const auto& h) { return !fits(h.span); }),
                   r.hashtags.end());
  r.mentions.erase(std::remove_if(r.mentions.begin(), r.mentions.end(),
                                  [&](const auto& m) { return !fits(m.span); }),
                   r.mentions.end());
  r.urls.erase(std::remove_if(r.urls.begin(), r.urls.end(),
                              [&](const auto& u) { return !fits(u.span); }),
               r.urls.end());
  if (r.media_owner != nullptr && !fits(r.media_span)) r.media_owner = nullptr;
  if (r.truncated) {
    const std::string link = StatusLink(tweet.id);
    const uint16_t at = static_cast<uint16_t>(keep + 2);
    r.urls.push_back(
        {link,
         absl::StrCat("https://twitter.com/i/web/status/", tweet.id),
         absl::StrCat("twitter.com/i/web/status/",
                      absl::StrCat(tweet.id).substr(0, 1), "…"),
         {at, static_cast<uint16_t>(at + CodePointCount(link))}});
    r.text = absl::StrCat(prefix, "… ", link);
  } else {
    r.text = absl::StrCat(prefix, tail);
  }
  return r;
}

std::string StatusLink(uint64_t tweet_id) { return TcoFor(tweet_id); }

const TweetSource& SourceOf(const WorldTweet& tweet) {
  return kSources[tweet.source % kSourceCount];
}

}  // namespace perch::emulator
