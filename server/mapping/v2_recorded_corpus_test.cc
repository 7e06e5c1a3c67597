// Sweeps every real v2 body in ../shared/fixtures through its parser and
// checks every mapped object against the body itself, read a second time
// with simdjson's DOM API (an independent reading, not the code under test):
// each tweet's id, text (note_tweet and the retweet rule), created_at,
// author, counts, entities, media and referenced tweets; each user; each
// list; meta and errors. Hand-picked values per body are in
// v2_recorded_bodies_test.cc.
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/mapping/testing/concurrent_parse.h"
#include "server/mapping/testing/v2_recorded.h"
#include "server/mapping/v2_json.h"
#include "simdjson.h"

namespace perch::mapping::v2 {
namespace {

using ::perch::mapping::testing::LoadV2Bodies;
using ::perch::mapping::testing::V2Body;
using ::perch::mapping::testing::V2Kind;
using ::perch::v1::Tweet;
using ::perch::v1::TwitterList;
using ::perch::v1::User;
using simdjson::dom::element;

// An empty object standing in for an absent one, so that reads of its
// members answer "absent".
element EmptyObject() {
  static simdjson::dom::parser* parser = new simdjson::dom::parser;
  static const element empty = parser->parse("{}", 2).value_unsafe();
  return empty;
}
// The object member `key`, or an empty object when it is absent or null.
element Member(element object, const char* key) {
  simdjson::dom::object member;
  if (object[key].get(member)) return EmptyObject();
  return object[key].value_unsafe();
}

// A member as the body has it: "" / 0 / false when absent or null.
std::string Str(element object, const char* key) {
  std::string_view text;
  if (object[key].get(text)) return "";
  return std::string(text);
}
int64_t Int(element object, const char* key) {
  int64_t value = 0;
  if (object[key].get(value)) return 0;
  return value;
}
bool Bool(element object, const char* key) {
  bool value = false;
  if (object[key].get(value)) return false;
  return value;
}
std::vector<element> Array(element object, const char* key) {
  std::vector<element> out;
  simdjson::dom::array array;
  if (object[key].get(array)) return out;
  for (element e : array) out.push_back(e);
  return out;
}

// Each message of `mapped` against the JSON object at the same index of
// `objects`: every (string accessor, member) pair in `fields` must agree.
template <typename Message>
void ExpectEach(
    const google::protobuf::RepeatedPtrField<Message>& mapped,
    const std::vector<element>& objects,
    std::initializer_list<
        std::pair<const std::string& (Message::*)() const, const char*>>
        fields,
    const std::string& where) {
  ASSERT_EQ(mapped.size(), static_cast<int>(objects.size())) << where;
  for (size_t i = 0; i < objects.size(); ++i) {
    for (const auto& [accessor, key] : fields) {
      EXPECT_EQ((mapped[i].*accessor)(), Str(objects[i], key))
          << where << " [" << i << "]." << key;
    }
  }
}

void ExpectTime(const google::protobuf::Timestamp& mapped, element object,
                const char* key, const std::string& where) {
  const std::string text = Str(object, key);
  if (text.empty()) {
    EXPECT_FALSE(mapped.seconds() != 0 || mapped.nanos() != 0) << where;
    return;
  }
  absl::Time expected;
  std::string error;
  ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &expected, &error))
      << where << ": " << text << ": " << error;
  EXPECT_EQ(mapped.seconds(), absl::ToUnixSeconds(expected)) << where;
  EXPECT_EQ(mapped.nanos(),
            absl::ToInt64Nanoseconds(expected -
                                     absl::FromUnixSeconds(mapped.seconds())))
      << where;
}

void ExpectUser(const User& user, element object, const std::string& where) {
  EXPECT_EQ(user.id(), Str(object, "id")) << where;
  EXPECT_FALSE(user.id().empty()) << where;
  EXPECT_EQ(user.screen_name(), Str(object, "username")) << where;
  EXPECT_EQ(user.name(), Str(object, "name")) << where;
  EXPECT_EQ(user.description(), Str(object, "description")) << where;
  EXPECT_EQ(user.location(), Str(object, "location")) << where;
  EXPECT_EQ(user.url(), Str(object, "url")) << where;
  EXPECT_EQ(user.profile_image_url(), Str(object, "profile_image_url"))
      << where;
  EXPECT_EQ(user.verified(), Bool(object, "verified")) << where;
  EXPECT_EQ(user.protected_(), Bool(object, "protected")) << where;
  ExpectTime(user.created_at(), object, "created_at", where);
  element metrics;
  if (object["public_metrics"].get(metrics) == simdjson::SUCCESS) {
    EXPECT_EQ(user.followers_count(), Int(metrics, "followers_count")) << where;
    EXPECT_EQ(user.following_count(), Int(metrics, "following_count")) << where;
    EXPECT_EQ(user.listed_count(), Int(metrics, "listed_count")) << where;
    EXPECT_EQ(user.tweet_count(), Int(metrics, "tweet_count")) << where;
  } else {
    EXPECT_EQ(user.followers_count() + user.following_count() +
                  user.listed_count() + user.tweet_count(),
              0)
        << where;
  }
}

// `includes`, indexed as the body gives it.
struct Includes {
  std::map<std::string, element> users, tweets, media;

  explicit Includes(element body) {
    const element includes = Member(body, "includes");
    for (element u : Array(includes, "users")) users.emplace(Str(u, "id"), u);
    for (element t : Array(includes, "tweets")) tweets.emplace(Str(t, "id"), t);
    for (element m : Array(includes, "media")) {
      media.emplace(Str(m, "media_key"), m);
    }
  }
  const element* User(const std::string& id) const { return Find(users, id); }
  const element* Tweet(const std::string& id) const { return Find(tweets, id); }
  const element* Media(const std::string& key) const {
    return Find(media, key);
  }

 private:
  static const element* Find(const std::map<std::string, element>& map,
                             const std::string& id) {
    auto it = map.find(id);
    return it == map.end() ? nullptr : &it->second;
  }
};

// A tweet's full text as the body gives it: note_tweet's when present.
std::string FullText(element tweet) {
  element note;
  if (tweet["note_tweet"].get(note) == simdjson::SUCCESS) {
    return Str(note, "text");
  }
  return Str(tweet, "text");
}

struct Tally {
  int tweets = 0;
  int nested = 0;
  int retweets_rewritten = 0;
  int media = 0;
  int users = 0;
  int lists = 0;
  int errors = 0;
};

void ExpectTweet(const Tweet& tweet, element object, const Includes& includes,
                 int depth, const std::string& where, Tally& tally) {
  tally.tweets += depth == 0;
  tally.nested += depth > 0;
  EXPECT_EQ(tweet.id(), Str(object, "id")) << where;
  ExpectTime(tweet.created_at(), object, "created_at", where);
  EXPECT_EQ(tweet.lang(), Str(object, "lang")) << where;
  EXPECT_EQ(tweet.source(), Str(object, "source")) << where;
  EXPECT_EQ(tweet.possibly_sensitive(), Bool(object, "possibly_sensitive"))
      << where;
  const element metrics = Member(object, "public_metrics");
  EXPECT_EQ(tweet.retweet_count(), Int(metrics, "retweet_count")) << where;
  EXPECT_EQ(tweet.reply_count(), Int(metrics, "reply_count")) << where;
  EXPECT_EQ(tweet.like_count(), Int(metrics, "like_count")) << where;
  EXPECT_EQ(tweet.quote_count(), Int(metrics, "quote_count")) << where;

  const std::string author_id = Str(object, "author_id");
  EXPECT_EQ(tweet.author().id(), author_id) << where;
  if (const element* author = includes.User(author_id)) {
    ExpectUser(tweet.author(), *author, where + ".author");
  }
  const std::string reply_user = Str(object, "in_reply_to_user_id");
  EXPECT_EQ(tweet.in_reply_to_user_id(), reply_user) << where;
  const element* replied_user = includes.User(reply_user);
  EXPECT_EQ(tweet.in_reply_to_screen_name(),
            replied_user ? Str(*replied_user, "username") : "")
      << where;

  // Referenced tweets: the reply by id, the others resolved from includes
  // (two levels deep, as v1.1 nests them).
  std::string replied_to, retweeted, quoted;
  for (element ref : Array(object, "referenced_tweets")) {
    const std::string type = Str(ref, "type");
    if (type == "replied_to") replied_to = Str(ref, "id");
    if (type == "retweeted") retweeted = Str(ref, "id");
    if (type == "quoted") quoted = Str(ref, "id");
  }
  EXPECT_EQ(tweet.in_reply_to_tweet_id(), replied_to) << where;
  std::string text = FullText(object);
  const element* original = includes.Tweet(retweeted);
  EXPECT_EQ(tweet.has_retweeted_tweet(), original != nullptr && depth < 2)
      << where;
  if (original != nullptr) {
    if (const element* by = includes.User(Str(*original, "author_id"))) {
      text =
          absl::StrCat("RT @", Str(*by, "username"), ": ", FullText(*original));
      ++tally.retweets_rewritten;
    }
    if (tweet.has_retweeted_tweet()) {
      ExpectTweet(tweet.retweeted_tweet(), *original, includes, depth + 1,
                  where + ".retweeted_tweet", tally);
    }
  }
  EXPECT_EQ(tweet.text(), text) << where;
  const element* quote = includes.Tweet(quoted);
  EXPECT_EQ(tweet.has_quoted_tweet(), quote != nullptr && depth < 2) << where;
  if (quote != nullptr && tweet.has_quoted_tweet()) {
    ExpectTweet(tweet.quoted_tweet(), *quote, includes, depth + 1,
                where + ".quoted_tweet", tally);
  }

  // Entities: tags, mentions, links; pic links move to the media.
  const element entities = Member(object, "entities");
  ExpectEach(tweet.entities().hashtags(), Array(entities, "hashtags"),
             {{&perch::v1::Hashtag::text, "tag"}}, where);
  ExpectEach(tweet.entities().user_mentions(), Array(entities, "mentions"),
             {{&perch::v1::UserMention::screen_name, "username"},
              {&perch::v1::UserMention::user_id, "id"}},
             where);
  std::vector<std::string> media_keys;
  for (element key : Array(Member(object, "attachments"), "media_keys")) {
    media_keys.emplace_back(key.get_string().value_unsafe());
  }
  std::vector<element> links, pic_links;
  for (element url : Array(entities, "urls")) {
    const std::string expanded = Str(url, "expanded_url");
    const bool pic = !Str(url, "media_key").empty() ||
                     absl::StrContains(expanded, "/photo/") ||
                     absl::StrContains(expanded, "/video/");
    (pic && !media_keys.empty() ? pic_links : links).push_back(url);
  }
  ExpectEach(tweet.entities().urls(), links,
             {{&perch::v1::UrlEntity::url, "url"},
              {&perch::v1::UrlEntity::expanded_url, "expanded_url"},
              {&perch::v1::UrlEntity::display_url, "display_url"}},
             where);
  ASSERT_EQ(tweet.entities().media_size(), static_cast<int>(media_keys.size()))
      << where;
  for (size_t i = 0; i < media_keys.size(); ++i) {
    const perch::v1::Media& media = tweet.entities().media(i);
    ++tally.media;
    EXPECT_EQ(media.id(), media_keys[i].substr(media_keys[i].find('_') + 1))
        << where;
    if (!pic_links.empty()) {
      EXPECT_EQ(media.url(), Str(pic_links[0], "url")) << where;
      EXPECT_EQ(media.expanded_url(), Str(pic_links[0], "expanded_url"))
          << where;
    }
    const element* included = includes.Media(media_keys[i]);
    if (included == nullptr) {
      EXPECT_EQ(media.type(), perch::v1::Media::TYPE_UNSPECIFIED) << where;
      continue;
    }
    const std::string type = Str(*included, "type");
    EXPECT_EQ(media.type(), type == "photo"   ? perch::v1::Media::TYPE_PHOTO
                            : type == "video" ? perch::v1::Media::TYPE_VIDEO
                            : type == "animated_gif"
                                ? perch::v1::Media::TYPE_ANIMATED_GIF
                                : perch::v1::Media::TYPE_UNSPECIFIED)
        << where;
    EXPECT_EQ(media.media_url(), type == "photo"
                                     ? Str(*included, "url")
                                     : Str(*included, "preview_image_url"))
        << where;
  }
}

void ExpectList(const TwitterList& list, element object,
                const Includes& includes, const std::string& where) {
  EXPECT_EQ(list.id(), Str(object, "id")) << where;
  EXPECT_EQ(list.name(), Str(object, "name")) << where;
  EXPECT_EQ(list.slug(), Slugify(Str(object, "name"))) << where;
  EXPECT_EQ(list.description(), Str(object, "description")) << where;
  EXPECT_EQ(list.member_count(), Int(object, "member_count")) << where;
  EXPECT_EQ(list.subscriber_count(), Int(object, "follower_count")) << where;
  ExpectTime(list.created_at(), object, "created_at", where);
  bool is_private = false;
  if (object["private"].get(is_private) == simdjson::SUCCESS) {
    EXPECT_EQ(list.mode(),
              is_private ? TwitterList::MODE_PRIVATE : TwitterList::MODE_PUBLIC)
        << where;
  } else {
    EXPECT_EQ(list.mode(), TwitterList::MODE_UNSPECIFIED) << where;
  }
  const std::string owner_id = Str(object, "owner_id");
  EXPECT_EQ(list.owner().id(), owner_id) << where;
  const element* owner = includes.User(owner_id);
  EXPECT_EQ(
      list.full_name(),
      owner ? absl::StrCat("@", Str(*owner, "username"), "/", list.slug()) : "")
      << where;
}

void ExpectMeta(const Meta& meta, element body, const std::string& where) {
  const element object = Member(body, "meta");
  EXPECT_EQ(meta.result_count, Int(object, "result_count")) << where;
  EXPECT_EQ(meta.next_token, Str(object, "next_token")) << where;
  EXPECT_EQ(meta.newest_id, Str(object, "newest_id")) << where;
  EXPECT_EQ(meta.oldest_id, Str(object, "oldest_id")) << where;
}

void ExpectErrors(const std::vector<Problem>& problems, element body,
                  const std::string& where, Tally& tally) {
  const std::vector<element> errors = Array(body, "errors");
  ASSERT_EQ(problems.size(), errors.size()) << where;
  for (size_t i = 0; i < errors.size(); ++i) {
    ++tally.errors;
    const Problem& p = problems[i];
    const element e = errors[i];
    EXPECT_EQ(p.type, Str(e, "type")) << where;
    EXPECT_EQ(p.title, Str(e, "title")) << where;
    EXPECT_EQ(p.detail, Str(e, "detail")) << where;
    EXPECT_EQ(p.parameter, Str(e, "parameter")) << where;
    EXPECT_EQ(p.value, Str(e, "value")) << where;
    EXPECT_EQ(p.resource_type, Str(e, "resource_type")) << where;
    EXPECT_EQ(p.resource_id, Str(e, "resource_id")) << where;
    EXPECT_EQ(p.section, Str(e, "section")) << where;
    EXPECT_FALSE(p.type.empty()) << where;
  }
}

// A page body, parsed (`page`), against the DOM reading `doc`: data present
// as in the body, each of `items` checked by `expect_item(item, element,
// where)` against its element of `data`, then meta and errors.
template <typename Page, typename Item, typename ExpectItem>
void ExpectPageMapped(const std::string& name, const absl::StatusOr<Page>& page,
                      std::vector<Item> Page::*items, const element& doc,
                      Tally& tally, ExpectItem expect_item) {
  ASSERT_TRUE(page.ok()) << name << ": " << page.status();
  const std::vector<element> data = Array(doc, "data");
  EXPECT_EQ(page->has_data, doc["data"].error() == simdjson::SUCCESS) << name;
  const std::vector<Item>& mapped = (*page).*items;
  ASSERT_EQ(mapped.size(), data.size()) << name;
  for (size_t i = 0; i < data.size(); ++i) {
    expect_item(mapped[i], data[i], absl::StrCat(name, " data[", i, "]"));
  }
  ExpectMeta(page->meta, doc, name);
  ExpectErrors(page->errors, doc, name, tally);
}

// A lookup body, parsed (`lookup`), against `doc`: its `object` present
// exactly when `data` is, then checked by `expect(object, data, name)`;
// errors.
template <typename Lookup, typename Object, typename Expect>
void ExpectLookupMapped(const std::string& name,
                        const absl::StatusOr<Lookup>& lookup,
                        std::optional<Object> Lookup::*object,
                        const element& doc, Tally& tally, Expect expect) {
  ASSERT_TRUE(lookup.ok()) << name << ": " << lookup.status();
  const bool has_data = doc["data"].error() == simdjson::SUCCESS;
  const std::optional<Object>& mapped = (*lookup).*object;
  ASSERT_EQ(mapped.has_value(), has_data) << name;
  if (has_data) expect(*mapped, doc["data"].value_unsafe(), name);
  ExpectErrors(lookup->errors, doc, name, tally);
}

// Parses `body` with its parser and checks it against the DOM reading.
void ExpectBodyMapped(const V2Body& body, Tally& tally) {
  simdjson::dom::parser parser;
  element doc;
  ASSERT_EQ(parser.parse(body.json).get(doc), simdjson::SUCCESS) << body.name;
  const Includes includes(doc);
  // Users and lists are checked, and counted, alike on pages and lookups.
  const auto expect_user = [&](const User& user, const element& e,
                               const std::string& where) {
    ++tally.users;
    ExpectUser(user, e, where);
  };
  const auto expect_list = [&](const TwitterList& list, const element& e,
                               const std::string& where) {
    ++tally.lists;
    ExpectList(list, e, includes, where);
  };
  switch (body.kind) {
    case V2Kind::kTweetPage:
      ExpectPageMapped(
          body.name, ParseTweetPage(body.json), &TweetPage::tweets, doc, tally,
          [&](const Tweet& tweet, const element& e, const std::string& where) {
            ExpectTweet(tweet, e, includes, 0, where, tally);
          });
      break;
    case V2Kind::kUserPage:
      ExpectPageMapped(body.name, ParseUserPage(body.json), &UserPage::users,
                       doc, tally, expect_user);
      break;
    case V2Kind::kUserLookup:
      ExpectLookupMapped(body.name, ParseUserLookup(body.json),
                         &UserLookup::user, doc, tally, expect_user);
      break;
    case V2Kind::kListLookup:
      ExpectLookupMapped(body.name, ParseListLookup(body.json),
                         &ListLookup::list, doc, tally, expect_list);
      break;
    case V2Kind::kListsPage:
      ExpectPageMapped(body.name, ParseListsPage(body.json), &ListsPage::lists,
                       doc, tally, expect_list);
      break;
  }
}

TEST(V2RecordedCorpus, EveryBodyMapsFieldByField) {
  absl::StatusOr<std::vector<V2Body>> bodies = LoadV2Bodies();
  ASSERT_TRUE(bodies.ok()) << bodies.status();
  // 16 tweepy recordings, 8 twarc lines, 2 preocts pages.
  ASSERT_EQ(bodies->size(), 26u);
  std::set<V2Kind> kinds;
  Tally tally;
  for (const V2Body& body : *bodies) {
    SCOPED_TRACE(body.name);
    kinds.insert(body.kind);
    ExpectBodyMapped(body, tally);
  }
  EXPECT_EQ(kinds.size(), 5u) << "a parser had no recorded body";
  // Totals of the corpus, so that no body is silently skipped: tweets
  // 2+2+10+10+97+97 (tweepy) + 200+100+1+100 (twarc) + 20 (preocts).
  EXPECT_EQ(tally.tweets, 639);
  EXPECT_EQ(tally.users, 100 + 84 + 100 + 100 + 2 + 2 + 1 + 1 + 96);
  EXPECT_EQ(tally.lists, 1 + 1 + 4 + 2);
  EXPECT_EQ(tally.errors, 1 + 1 + 1 + 8);
  // The resolution paths are exercised, not just reached.
  EXPECT_GT(tally.nested, 200);
  EXPECT_GT(tally.retweets_rewritten, 150);
  EXPECT_GT(tally.media, 50);
}

// Each thread keeps its own simdjson parser; many threads parsing v2 pages
// at once must each get the single-threaded answer.
TEST(V2RecordedCorpus, ConcurrentParsesAgree) {
  absl::StatusOr<std::vector<V2Body>> bodies = LoadV2Bodies();
  ASSERT_TRUE(bodies.ok()) << bodies.status();
  std::vector<const V2Body*> pages;
  std::vector<std::vector<std::string>> expected;
  for (const V2Body& body : *bodies) {
    if (body.kind != V2Kind::kTweetPage) continue;
    absl::StatusOr<TweetPage> page = ParseTweetPage(body.json);
    ASSERT_TRUE(page.ok()) << body.name;
    pages.push_back(&body);
    expected.push_back(testing::Serialized(page->tweets));
  }
  testing::ExpectThreadsAgree(/*threads=*/4, /*rounds=*/5, [&](int t, int) {
    bool agrees = true;
    for (size_t i = 0; i < pages.size(); ++i) {
      const size_t k = (i + t) % pages.size();
      absl::StatusOr<TweetPage> page = ParseTweetPage(pages[k]->json);
      if (!page.ok() || testing::Serialized(page->tweets) != expected[k])
        agrees = false;
    }
    return agrees;
  });
}

}  // namespace
}  // namespace perch::mapping::v2
