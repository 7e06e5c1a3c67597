// The synthetic World: deterministic and fast to build, the named fixtures
// and sizes world.h promises, snowflake ids whose time is created_at,
// entity indices that point at their text, and the JSON writer's
// upstream-style escaping and text modes.
#include "emulator/world.h"

#include <memory>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "emulator/json_writer.h"
#include "emulator/world_json.h"
#include "gtest/gtest.h"
#include "simdjson.h"

namespace perch::emulator {
namespace {

constexpr uint64_t kTwoTo53 = uint64_t{1} << 53;

const World& TheWorld() {
  static const std::shared_ptr<const World> world = World::Generate(1);
  return *world;
}

absl::string_view Sv(std::string_view s) { return {s.data(), s.size()}; }

// The text of `span` (code points) in `text`.
std::string At(absl::string_view text, TextSpan span) {
  size_t from = CodePointOffset(text, span.start);
  size_t to = CodePointOffset(text, span.end);
  return std::string(text.substr(from, to - from));
}

// A digest of everything generated, to compare two worlds cheaply.
std::string Digest(const World& w) {
  std::string d;
  for (const WorldUser& u : w.users()) {
    absl::StrAppend(&d, u.id, u.screen_name, u.followers.size(), ";");
  }
  for (const WorldTweet& t : w.tweets()) absl::StrAppend(&d, t.id, t.full_text);
  for (const WorldList& l : w.lists())
    absl::StrAppend(&d, l.id, l.members.size());
  return d;
}

TEST(World, SameSeedSameWorldOtherSeedOtherWorld) {
  auto a = World::Generate(7);
  auto b = World::Generate(7);
  auto c = World::Generate(8);
  EXPECT_EQ(Digest(*a), Digest(*b));
  EXPECT_NE(Digest(*a), Digest(*c));
  // The legacy fixtures keep their ids whatever the seed.
  EXPECT_EQ(c->classic().id, kClassicUserId);
  EXPECT_EQ(c->classics().id, kClassicListId);
}

TEST(World, NamedFixtures) {
  const World& w = TheWorld();
  const WorldUser* dev = w.UserByScreenName("perch_dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev, &w.dev());
  EXPECT_EQ(w.UserByScreenName("PERCH_DEV"), dev) << "names ignore case";
  EXPECT_EQ(w.UserById(dev->id), dev);
  EXPECT_FALSE(dev->is_protected);
  EXPECT_GE(dev->tweets.size(), 50u);
  EXPECT_LE(dev->tweets.size(), 300u);
  EXPECT_GT(dev->followers.size(), 0u);
  EXPECT_GT(dev->id, kTwoTo53);

  EXPECT_GE(w.popular().followers.size(), 12000u);
  EXPECT_EQ(w.popular().screen_name, kPopularScreenName);
  EXPECT_TRUE(w.private_user().is_protected);
  EXPECT_EQ(w.private_user().screen_name, kPrivateScreenName);
  EXPECT_TRUE(w.banned().suspended);
  EXPECT_EQ(w.banned().screen_name, kBannedScreenName);
  EXPECT_GT(w.firehose().tweets.size(), kTimelineCap);
  EXPECT_EQ(w.UserById(kClassicUserId), &w.classic());

  const WorldList* engineering = w.ListBySlug("perch_dev", "engineering");
  ASSERT_NE(engineering, nullptr);
  EXPECT_EQ(engineering, &w.engineering());
  EXPECT_EQ(w.ListById(engineering->id), engineering);
  EXPECT_EQ(engineering->owner, w.IndexOf(w.dev()));
  EXPECT_GE(engineering->members.size(), 30u);
  EXPECT_GE(engineering->timeline.size(), 200u);
  EXPECT_FALSE(engineering->is_private);
  EXPECT_TRUE(w.ListBySlug("perch_dev", kSecretSlug)->is_private);
  EXPECT_EQ(w.ListById(kClassicListId), &w.classics());

  SearchQuery perch;
  perch.q = "#perch";
  EXPECT_GT(w.SearchIds(perch).size(), 20u) << "two pages at count 20";
}

// What keeps generation cheap for every emulator start: bounded sizes, not
// a wall-clock budget (bench/world_benchmark.cc measures the time).
TEST(World, SizesStayModest) {
  const World& w = TheWorld();
  EXPECT_GE(w.users().size(), 12346u);
  EXPECT_LE(w.users().size(), 15000u);
  EXPECT_GE(w.tweets().size(), 10000u);
  EXPECT_LE(w.tweets().size(), 40000u);
  size_t edges = 0;
  for (const WorldUser& u : w.users()) edges += u.followers.size();
  EXPECT_LE(edges, 1000000u);
}

TEST(World, IdsAreSnowflakesInTimeOrder) {
  const World& w = TheWorld();
  uint64_t previous = 0;
  for (const WorldTweet& t : w.tweets()) {
    ASSERT_GT(t.id, previous) << "index order is id order";
    previous = t.id;
    EXPECT_GT(t.id, kTwoTo53);
    EXPECT_EQ(SnowflakeUnixMs(t.id) / 1000, t.created_at);
    EXPECT_LT(t.created_at, kWorldNowUnixSeconds);
  }
  size_t big_users = 0;
  std::set<uint64_t> ids;
  for (const WorldUser& u : w.users()) {
    big_users += u.id > kTwoTo53;
    EXPECT_TRUE(ids.insert(u.id).second) << "duplicate user id " << u.id;
  }
  EXPECT_GT(big_users, w.users().size() / 2);
  EXPECT_LT(big_users, w.users().size()) << "old accounts keep small ids";
}

TEST(World, TimelinesAreNewestFirstAndReferencesPointBackwards) {
  const World& w = TheWorld();
  for (const WorldUser& u : w.users()) {
    for (size_t i = 1; i < u.tweets.size(); ++i) {
      ASSERT_GT(u.tweets[i - 1], u.tweets[i]);
    }
    for (uint32_t t : u.tweets) ASSERT_EQ(w.tweet(t).author, w.IndexOf(u));
  }
  for (uint32_t i = 0; i < w.tweets().size(); ++i) {
    const WorldTweet& t = w.tweet(i);
    switch (t.kind) {
      case TweetKind::kReply:
        ASSERT_LT(t.in_reply_to, static_cast<int32_t>(i));
        break;
      case TweetKind::kRetweet:
        ASSERT_LT(t.retweet_of, static_cast<int32_t>(i));
        EXPECT_NE(w.tweet(t.retweet_of).kind, TweetKind::kRetweet);
        EXPECT_TRUE(w.Visible(w.tweet(t.retweet_of)));
        break;
      case TweetKind::kQuote:
        ASSERT_LT(t.quote_of, static_cast<int32_t>(i));
        break;
      case TweetKind::kOriginal:
        break;
    }
  }
}

TEST(World, EntityIndicesPointAtTheirText) {
  const World& w = TheWorld();
  int described = 0;
  for (const WorldUser& u : w.users()) {
    if (u.description_url.url.empty()) continue;
    ++described;
    ASSERT_EQ(At(u.description, u.description_url.span), u.description_url.url);
  }
  EXPECT_GT(described, 0);
  for (const WorldTweet& t : w.tweets()) {
    ASSERT_EQ(t.length, CodePointCount(t.full_text));
    if (t.kind == TweetKind::kRetweet) continue;
    EXPECT_LE(t.display.end, 280) << t.full_text;
    EXPECT_LE(t.display.start, t.display.end);
    EXPECT_LE(t.display.end, t.length);
    for (const WorldHashtag& h : t.hashtags) {
      ASSERT_EQ(At(t.full_text, h.span), absl::StrCat("#", h.text));
    }
    for (const WorldMention& m : t.mentions) {
      ASSERT_EQ(At(t.full_text, m.span),
                absl::StrCat("@", w.user(m.user).screen_name));
    }
    for (const WorldUrl& u : t.urls) ASSERT_EQ(At(t.full_text, u.span), u.url);
    if (!t.media.empty()) {
      ASSERT_EQ(At(t.full_text, t.media_span), t.media_link);
      EXPECT_EQ(t.media_link.size(), 23u);
    }
  }
}

TEST(World, PerchDevsFirstPageShowsEveryShape) {
  const World& w = TheWorld();
  std::set<std::string> seen;
  for (size_t k = 0; k < 20; ++k) {
    const WorldTweet& t = w.tweet(w.dev().tweets[k]);
    const WorldTweet& content =
        t.kind == TweetKind::kRetweet ? w.tweet(t.retweet_of) : t;
    if (t.kind == TweetKind::kReply) seen.insert("reply");
    if (t.kind == TweetKind::kQuote) seen.insert("quote");
    if (t.kind == TweetKind::kRetweet) {
      seen.insert("retweet");
      if (content.kind == TweetKind::kQuote) seen.insert("retweet of quote");
    }
    if (!content.hashtags.empty()) seen.insert("hashtag");
    if (!content.urls.empty()) seen.insert("url");
    if (content.mentions.size() >= 2) seen.insert("mentions");
    if (t.length > 140) seen.insert("long");
    if (content.media.size() == 4) seen.insert("4 photos");
    for (const WorldMedia& m : content.media) {
      seen.insert(m.kind == MediaKind::kPhoto   ? "photo"
                  : m.kind == MediaKind::kVideo ? "video"
                                                : "gif");
    }
  }
  for (const char* shape :
       {"reply", "quote", "retweet", "retweet of quote", "hashtag", "url",
        "mentions", "long", "4 photos", "photo", "video", "gif"}) {
    EXPECT_TRUE(seen.count(shape)) << shape;
  }
}

TEST(World, ProtectedAndSuspendedTweetsAreNeverShown) {
  const World& w = TheWorld();
  const uint32_t hidden[] = {w.IndexOf(w.private_user()),
                             w.IndexOf(w.banned())};
  for (const WorldList& list : w.lists()) {
    for (uint32_t t : list.timeline) {
      for (uint32_t h : hidden) ASSERT_NE(w.tweet(t).author, h);
    }
  }
  SearchQuery everything;
  everything.q = "the";
  for (uint64_t id : w.SearchIds(everything)) {
    for (uint32_t h : hidden) ASSERT_NE(w.TweetById(id)->author, h);
  }
}

TEST(World, SearchMatchesWordsAndTagsWithoutCase) {
  const World& w = TheWorld();
  SearchQuery lower, upper, word;
  lower.q = "#perch";
  upper.q = "#PeRcH";
  word.q = "perch";
  const std::vector<uint64_t> tagged = w.SearchIds(lower);
  EXPECT_EQ(w.SearchIds(upper), tagged);
  // The word finds the tag too, and tweets that only say "perch".
  const std::vector<uint64_t> words = w.SearchIds(word);
  EXPECT_GE(words.size(), tagged.size());
  const int64_t oldest =
      kWorldNowUnixSeconds - absl::ToInt64Seconds(kSearchWindow);
  for (uint64_t id : words) EXPECT_GE(w.TweetById(id)->created_at, oldest);
  SearchQuery popular = lower;
  popular.result_type = "popular";
  EXPECT_FALSE(w.SearchIds(popular).empty());
  EXPECT_LT(w.SearchIds(popular).size(), tagged.size());
}

TEST(World, TimelinePageAppliesCountBeforeFilters) {
  const World& w = TheWorld();
  IdPageQuery query;
  query.count = 20;
  query.exclude_replies = true;
  query.include_rts = false;
  std::vector<uint32_t> page = w.TimelinePage(w.dev(), query);
  EXPECT_LT(page.size(), 20u) << "the showcase has replies and retweets";
  for (uint32_t t : page) {
    EXPECT_NE(w.tweet(t).kind, TweetKind::kReply);
    EXPECT_NE(w.tweet(t).kind, TweetKind::kRetweet);
    EXPECT_LE(t, w.dev().tweets.front());
    EXPECT_GE(t, w.dev().tweets[19]);
  }
  EXPECT_EQ(w.TimelineIds(w.firehose()).size(), kTimelineCap);
}

std::string Escaped(absl::string_view s) {
  std::string out;
  AppendJsonString(JsonDialect::kV1, s, &out);
  return out;
}

TEST(JsonWriter, EscapesAsTheUpstreamDoes) {
  EXPECT_EQ(Escaped("a/b"), R"("a\/b")");
  EXPECT_EQ(Escaped("<a href=\"x\">"), R"("\u003ca href=\"x\"\u003e")");
  EXPECT_EQ(Escaped("café"), R"("caf\u00e9")");
  EXPECT_EQ(Escaped("🐟"), R"("\ud83d\udc1f")");
  EXPECT_EQ(Escaped("…\n"), R"("\u2026\n")");
  EXPECT_EQ(Escaped("\xff"), R"("\ufffd")");
  JsonWriter out;
  out.BeginObject().Key("id").Uint(18446744073709551615u);
  out.Key("a").BeginArray().Int(-1).Null().Bool(true).EndArray();
  out.Field("s", "x").EndObject();
  EXPECT_EQ(out.Release(),
            R"({"id":18446744073709551615,"a":[-1,null,true],"s":"x"})");
}

// A tweet's JSON and its DOM, which points into the text and the parser.
struct TweetDom {
  std::string json;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
};

// The tweet's JSON as a DOM, or a test failure.
std::unique_ptr<TweetDom> TweetJson(uint32_t tweet, TweetMode mode) {
  JsonWriter out;
  TweetJsonOptions options;
  options.mode = mode;
  WriteTweet(TheWorld(), tweet, options, out);
  auto dom = std::make_unique<TweetDom>();
  dom->json = out.Release();
  EXPECT_EQ(dom->parser.parse(dom->json).get(dom->root), simdjson::SUCCESS)
      << dom->json;
  return dom;
}

TEST(WorldJson, LongTweetsAreCutInCompatibilityModeOnly) {
  const World& w = TheWorld();
  int checked = 0;
  for (uint32_t i : w.dev().tweets) {
    const WorldTweet& t = w.tweet(i);
    if (t.kind == TweetKind::kRetweet || t.length <= 140) continue;
    const std::unique_ptr<TweetDom> compat_dom =
        TweetJson(i, TweetMode::kCompat);
    const simdjson::dom::element compat = compat_dom->root;
    std::string_view text;
    ASSERT_EQ(compat["text"].get(text), simdjson::SUCCESS);
    EXPECT_LE(CodePointCount(Sv(text)), 140u) << text;
    EXPECT_TRUE(absl::EndsWith(Sv(text), StatusLink(t.id))) << text;
    EXPECT_TRUE(compat["truncated"].get_bool().value());
    EXPECT_EQ(compat["full_text"].error(), simdjson::NO_SUCH_FIELD);

    const std::unique_ptr<TweetDom> extended_dom =
        TweetJson(i, TweetMode::kExtended);
    const simdjson::dom::element extended = extended_dom->root;
    std::string_view full;
    ASSERT_EQ(extended["full_text"].get(full), simdjson::SUCCESS);
    EXPECT_EQ(full, t.full_text);
    EXPECT_FALSE(extended["truncated"].get_bool().value());
    simdjson::dom::array range;
    ASSERT_EQ(extended["display_text_range"].get(range), simdjson::SUCCESS);
    EXPECT_EQ(range.at(1).get_uint64().value(), t.display.end);
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(WorldJson, IdAndIdStrCarryTheSameUint64) {
  const World& w = TheWorld();
  const uint32_t i = w.dev().tweets[0];
  const std::unique_ptr<TweetDom> dom = TweetJson(i, TweetMode::kExtended);
  const simdjson::dom::element tweet = dom->root;
  EXPECT_EQ(tweet["id"].get_uint64().value(), w.tweet(i).id);
  EXPECT_EQ(tweet["id_str"].get_string().value(), absl::StrCat(w.tweet(i).id));
  EXPECT_TRUE(absl::StrContains(dom->json, absl::StrCat("\"id\":", w.tweet(i).id)))
      << "written from the integer";
  EXPECT_EQ(tweet["user"]["id"].get_uint64().value(), w.dev().id);
  EXPECT_EQ(tweet["created_at"].get_string().value(),
            FormatCreatedAt(w.tweet(i).created_at));
}

TEST(WorldJson, CreatedAtLooksLikeTheUpstreams) {
  EXPECT_EQ(FormatCreatedAt(1539202764), "Wed Oct 10 20:19:24 +0000 2018");
}

}  // namespace
}  // namespace perch::emulator
