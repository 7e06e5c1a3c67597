// What the v2 dialect needs from the World and how its objects are written:
// list names that slugify to the v1.1 slugs, reply and quote counts and
// conversations, the 3,200 and 800 reaches, v2's string escaping, and tweet
// objects (defaults, long posts cut with the whole in note_tweet).
#include <cstdio>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "emulator/json_writer.h"
#include "emulator/tweet_text.h"
#include "emulator/v2_params.h"
#include "emulator/world.h"
#include "emulator/world_json_v2.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/testing/slug_cases.h"

namespace perch::emulator {
namespace {

const World& TheWorld() {
  static const std::shared_ptr<const World> world = World::Generate(1);
  return *world;
}

TEST(Slugify, LowerCasesAndJoinsRunsWithOneDash) {
  for (const perch::testing::SlugCase& c : perch::testing::kSlugCases) {
    EXPECT_EQ(Slugify(c.name), c.slug) << '"' << c.name << '"';
  }
}

TEST(WorldForV2, EveryListNameSlugifiesToItsSlug) {
  for (uint64_t seed : {1, 2, 3, 42}) {
    std::shared_ptr<const World> world = World::Generate(seed);
    for (const WorldList& list : world->lists()) {
      EXPECT_EQ(Slugify(list.name), list.slug) << "seed " << seed;
    }
  }
}

TEST(WorldForV2, ReplyAndQuoteCountsAndConversations) {
  const World& w = TheWorld();
  std::vector<int32_t> replies(w.tweets().size()), quotes(w.tweets().size());
  for (const WorldTweet& t : w.tweets()) {
    if (t.in_reply_to != kNoIndex) ++replies[t.in_reply_to];
    if (t.quote_of != kNoIndex) ++quotes[t.quote_of];
  }
  int threads = 0;
  for (uint32_t i = 0; i < w.tweets().size(); ++i) {
    const WorldTweet& t = w.tweet(i);
    EXPECT_EQ(t.reply_count, replies[i]);
    EXPECT_EQ(t.quote_count, quotes[i]);
    if (t.in_reply_to == kNoIndex) {
      EXPECT_EQ(t.conversation, i);
    } else {
      EXPECT_EQ(t.conversation, w.tweet(t.in_reply_to).conversation);
      EXPECT_EQ(w.tweet(t.conversation).in_reply_to, kNoIndex);
      ++threads;
    }
  }
  EXPECT_GT(threads, 0);
}

TEST(WorldForV2, ReachableTimelineKeeps3200AndWithoutReplies800) {
  const World& w = TheWorld();
  EXPECT_EQ(w.ReachableTimeline(w.firehose(), false, false).size(),
            kTimelineCap);
  EXPECT_EQ(w.ReachableTimeline(w.firehose(), true, false).size(),
            kTimelineCapWithoutReplies);
  std::vector<uint32_t> originals = w.ReachableTimeline(w.dev(), true, true);
  for (uint32_t i : originals) {
    EXPECT_NE(w.tweet(i).kind, TweetKind::kReply);
    EXPECT_NE(w.tweet(i).kind, TweetKind::kRetweet);
  }
  EXPECT_LT(originals.size(), w.dev().tweets.size());
}

TEST(JsonWriterV2, SendsTheBmpRawAndEscapesBeyondIt) {
  JsonWriter out(JsonDialect::kV2);
  out.BeginObject().Field("t", "a/b <ü> \xF0\x9F\x98\x80 \"q\"\n\x01");
  out.EndObject();
  EXPECT_EQ(out.Release(),
            "{\"t\":\"a/b <ü> \\uD83D\\uDE00 \\\"q\\\"\\n\\u0001\"}");
  JsonWriter v1;
  v1.String("a/b ü");
  EXPECT_EQ(v1.Release(), "\"a\\/b \\u00fc\"");
}

std::string TweetJson(const WorldTweet& tweet, const V2Params& params) {
  JsonWriter out(JsonDialect::kV2);
  WriteV2Tweet(TheWorld(), tweet, params, out);
  return out.Release();
}

TEST(WriteV2Tweet, DefaultsAreEditHistoryIdAndText) {
  const WorldTweet& t = TheWorld().tweet(TheWorld().dev().tweets[0]);
  EXPECT_EQ(
      TweetJson(t, V2Params()),
      absl::StrCat(R"({"edit_history_tweet_ids":[")", t.id, R"("],"id":")",
                   t.id, R"(","text":")", t.full_text, R"("})"));
}

// The world's own posts stay within 280 code points; a longer one (as a
// test builds it) is cut in text and whole in note_tweet.
TEST(WriteV2Tweet, LongPostIsCutWithTheWholeInNoteTweet) {
  const World& w = TheWorld();
  WorldTweet t = w.tweet(w.dev().tweets[0]);
  ASSERT_NE(t.kind, TweetKind::kRetweet);
  const std::string filler(300, 'x');
  const std::string whole = absl::StrCat("Long #post ", filler, " #tail");
  t.full_text = whole;
  t.length = static_cast<uint16_t>(CodePointCount(whole));
  t.display = {0, t.length};
  t.hashtags = {{"post", {5, 10}},
                {"tail", {static_cast<uint16_t>(t.length - 5), t.length}}};
  t.mentions.clear();
  t.urls.clear();
  t.media.clear();
  V2Params params;
  params.tweet_fields = {"note_tweet", "entities"};
  const std::string json = TweetJson(t, params);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  std::string_view text, note;
  ASSERT_EQ(doc["text"].get(text), simdjson::SUCCESS);
  ASSERT_EQ(doc["note_tweet"]["text"].get(note), simdjson::SUCCESS);
  EXPECT_EQ(note, whole);
  EXPECT_EQ(CodePointCount(absl::string_view(text.data(), text.size())),
            kV2TextLength);
  EXPECT_TRUE(absl::EndsWith(absl::string_view(text.data(), text.size()), "…"));
  EXPECT_EQ(doc["entities"]["hashtags"].get_array().size(), 1u);
  EXPECT_EQ(doc["note_tweet"]["entities"]["hashtags"].get_array().size(), 2u);
  // Not asked, not sent.
  params.tweet_fields = {"entities"};
  EXPECT_FALSE(absl::StrContains(TweetJson(t, params), "note_tweet"));
}

}  // namespace
}  // namespace perch::emulator
