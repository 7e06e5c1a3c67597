// The v2 read endpoints over real HTTP, checked against the World and
// against the v1.1 answers for the same objects: every endpoint's data,
// fields asked and not asked, expansions, page walks (no gap, no repeat,
// tokens both ways, since_id/until_id exclusive, the 3,200 reach, exclude
// before counting), search's lang: operator, orders and time rules, and the
// errors a 200 carries for unknown, suspended and protected resources.
#include "emulator/world_reads_v2.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "emulator/emulator_test_support.h"
#include "emulator/world.h"
#include "emulator/world_json.h"
#include "emulator/world_json_v2.h"
#include "gtest/gtest.h"
#include "simdjson.h"

namespace perch::emulator::testing {
namespace {

using simdjson::dom::element;

constexpr char kV2Patterns[][32] = {"/2/users/by/username/:username",
                                    "/2/users/:id",
                                    "/2/users/:id/tweets",
                                    "/2/tweets/search/recent",
                                    "/2/users/:id/followers",
                                    "/2/lists/:id",
                                    "/2/lists/:id/tweets",
                                    "/2/lists/:id/members",
                                    "/2/users/:id/owned_lists"};

std::string_view Str(element e) {
  std::string_view s;
  EXPECT_EQ(e.get(s), simdjson::SUCCESS);
  return s;
}

absl::string_view Sv(std::string_view s) { return {s.data(), s.size()}; }

uint64_t IdOf(element e) {
  uint64_t id = 0;
  EXPECT_TRUE(absl::SimpleAtoi(Sv(Str(e)), &id)) << "not a string id";
  return id;
}

template <typename Element>
int64_t Int(Element e) {
  int64_t value = 0;
  EXPECT_EQ(e.get(value), simdjson::SUCCESS);
  return value;
}

template <typename Element>
bool Bool(Element e) {
  bool value = false;
  EXPECT_EQ(e.get(value), simdjson::SUCCESS);
  return value;
}

bool Has(element object, std::string_view key) {
  return object[key].error() == simdjson::SUCCESS;
}

std::set<std::string> Keys(element object) {
  std::set<std::string> keys;
  for (auto field : object.get_object()) keys.insert(std::string(field.key));
  return keys;
}

std::vector<uint64_t> Slice(const std::vector<uint64_t>& ids, size_t from,
                            size_t to) {
  return std::vector<uint64_t>(ids.begin() + from, ids.begin() + to);
}

class WorldReadsV2Test : public ReadingEmulatorTest {
 protected:
  void SetUp() override {
    ReadingEmulatorTest::SetUp();
    world_ = &emulator_->world();
    // Walks below make hundreds of requests; the windows are not the point.
    for (const char* pattern : kV2Patterns) {
      emulator_->SetRateLimit(pattern, 100000);
    }
    emulator_->SetRateLimit(kUserTimeline, 100000);
  }

  // The ids of "data" (none when it is absent).
  static std::vector<uint64_t> DataIds(element doc) {
    std::vector<uint64_t> ids;
    simdjson::dom::array data;
    if (doc["data"].get(data) != simdjson::SUCCESS) return ids;
    for (element item : data) ids.push_back(IdOf(item["id"]));
    return ids;
  }

  // Follows meta.next_token (sent as `token_param`) from `base` to the last
  // page, checking each page's meta on the way.
  std::vector<uint64_t> Walk(const std::string& base,
                             absl::string_view token_param, int* pages,
                             std::vector<size_t>* sizes = nullptr) {
    std::vector<uint64_t> all;
    std::string next;
    for (*pages = 0; *pages < 200; ++*pages) {
      element page = Get(absl::StrCat(base, next));
      std::vector<uint64_t> ids = DataIds(page);
      uint64_t count = 0;
      EXPECT_EQ(page["meta"]["result_count"].get(count), simdjson::SUCCESS);
      EXPECT_EQ(count, ids.size());
      if (sizes != nullptr) sizes->push_back(ids.size());
      all.insert(all.end(), ids.begin(), ids.end());
      std::string_view token;
      if (page["meta"]["next_token"].get(token) != simdjson::SUCCESS) {
        ++*pages;
        break;
      }
      next = absl::StrCat("&", token_param, "=", Sv(token));
    }
    return all;
  }

  std::string UserPath(const WorldUser& user, absl::string_view rest) {
    return absl::StrCat("/2/users/", user.id, rest);
  }

  const World* world_ = nullptr;
};

// --- users by username and by id ---

TEST_F(WorldReadsV2Test, UserLookupsDefaultToIdNameUsername) {
  const WorldUser& dev = world_->dev();
  const std::string want =
      absl::StrCat(R"({"data":{"id":")", dev.id,
                   R"(","name":"perch dev","username":"perch_dev"}})");
  EXPECT_EQ(Raw("/2/users/by/username/perch_dev"), want);
  EXPECT_EQ(Raw("/2/users/by/username/PERCH_DEV"), want);
  EXPECT_EQ(Raw(UserPath(dev, "")), want);
}

TEST_F(WorldReadsV2Test, UserFieldsAreTheWorldsAndOnlyThoseAsked) {
  const WorldUser& dev = world_->dev();
  element user = Get(absl::StrCat("/2/users/by/username/perch_dev?",
                                  kPerchUserFields))["data"];
  EXPECT_EQ(Keys(user), (std::set<std::string>{
                            "created_at", "description", "id", "location",
                            "name", "profile_image_url", "protected",
                            "public_metrics", "url", "username", "verified"}));
  EXPECT_EQ(Str(user["created_at"]), FormatIsoTime(dev.created_at));
  EXPECT_TRUE(absl::EndsWith(Sv(Str(user["created_at"])), ".000Z"));
  EXPECT_EQ(Str(user["description"]), dev.description);
  EXPECT_EQ(Str(user["location"]), dev.location);
  EXPECT_EQ(Str(user["url"]), dev.url_tco);
  EXPECT_EQ(Str(user["profile_image_url"]),
            absl::StrCat("https://", AvatarPath(dev)));
  bool is_protected = true;
  ASSERT_EQ(user["protected"].get(is_protected), simdjson::SUCCESS);
  EXPECT_FALSE(is_protected);
  uint64_t followers = 0, following = 0, tweets = 0, listed = 0;
  element metrics = user["public_metrics"];
  ASSERT_EQ(metrics["followers_count"].get(followers), simdjson::SUCCESS);
  ASSERT_EQ(metrics["following_count"].get(following), simdjson::SUCCESS);
  ASSERT_EQ(metrics["tweet_count"].get(tweets), simdjson::SUCCESS);
  ASSERT_EQ(metrics["listed_count"].get(listed), simdjson::SUCCESS);
  EXPECT_EQ(followers, dev.followers.size());
  EXPECT_EQ(following, static_cast<uint64_t>(dev.friends_count));
  EXPECT_EQ(tweets, dev.tweets.size());
  EXPECT_EQ(listed, static_cast<uint64_t>(dev.listed_count));

  element one =
      Get("/2/users/by/username/perch_dev?user.fields=verified")["data"];
  EXPECT_EQ(Keys(one),
            (std::set<std::string>{"id", "name", "username", "verified"}));
  // A protected account is an ordinary user object.
  element hidden = Get(absl::StrCat("/2/users/by/username/perch_private?",
                                    kPerchUserFields))["data"];
  ASSERT_EQ(hidden["protected"].get(is_protected), simdjson::SUCCESS);
  EXPECT_TRUE(is_protected);
}

TEST_F(WorldReadsV2Test, UnknownAndSuspendedUsersAreErrorsInA200) {
  EXPECT_EQ(
      Raw("/2/users/by/username/nobody_at_all"),
      R"({"errors":[{"value":"nobody_at_all","detail":"Could not find user with username: [nobody_at_all].","title":"Not Found Error","resource_type":"user","parameter":"username","resource_id":"nobody_at_all","type":"https://api.twitter.com/2/problems/resource-not-found"}]})");
  EXPECT_EQ(
      Raw("/2/users/by/username/perch_banned"),
      R"({"errors":[{"value":"perch_banned","detail":"User has been suspended: [perch_banned].","title":"Forbidden","resource_type":"user","parameter":"username","resource_id":"perch_banned","type":"https://api.twitter.com/2/problems/resource-not-found"}]})");
  const std::string banned = absl::StrCat(world_->banned().id);
  element by_id = Get(UserPath(world_->banned(), ""));
  EXPECT_FALSE(Has(by_id, "data"));
  EXPECT_EQ(Str(by_id["errors"].at(0)["detail"]),
            absl::StrCat("User has been suspended: [", banned, "]."));
  EXPECT_EQ(Str(by_id["errors"].at(0)["parameter"]), "id");
  element unknown = Get("/2/users/1");
  EXPECT_EQ(Str(unknown["errors"].at(0)["detail"]),
            "Could not find user with id: [1].");
}

TEST_F(WorldReadsV2Test, MalformedUsernameOrIdIs400) {
  element bad_name = Get("/2/users/by/username/not-a-name", 400);
  EXPECT_EQ(Str(bad_name["errors"].at(0)["message"]),
            "The `username` query parameter value [not-a-name] does not "
            "match ^[A-Za-z0-9_]{1,15}$");
  element bad_id = Get("/2/users/12ab/tweets", 400);
  EXPECT_EQ(Str(bad_id["errors"].at(0)["message"]),
            "The `id` query parameter value [12ab] does not match "
            "^[0-9]{1,19}$");
}

// --- users/:id/tweets ---

TEST_F(WorldReadsV2Test, TimelineWalkIsTheWorldsWithoutGapOrRepeat) {
  const std::vector<uint64_t> want = world_->TimelineIds(world_->dev());
  int pages = 0;
  std::vector<size_t> sizes;
  std::vector<uint64_t> walked =
      Walk(UserPath(world_->dev(), "/tweets?max_results=7"), "pagination_token",
           &pages, &sizes);
  EXPECT_EQ(walked, want);
  EXPECT_EQ(pages, static_cast<int>((want.size() + 6) / 7));
  for (size_t i = 0; i + 1 < sizes.size(); ++i) EXPECT_EQ(sizes[i], 7u);

  element first = Get(UserPath(world_->dev(), "/tweets?max_results=5"));
  EXPECT_EQ(IdOf(first["meta"]["newest_id"]), want[0]);
  EXPECT_EQ(IdOf(first["meta"]["oldest_id"]), want[4]);
  std::string_view token = Str(first["meta"]["next_token"]);
  EXPECT_EQ(token.size(), 45u);
  EXPECT_TRUE(absl::StartsWith(Sv(token), "7140dibdnow9c7btw"));
  EXPECT_FALSE(Has(first["meta"], "previous_token"));
  // Ten by default.
  EXPECT_EQ(DataIds(Get(UserPath(world_->dev(), "/tweets"))),
            Slice(want, 0, 10));
}

TEST_F(WorldReadsV2Test, OnlyTheNewest3200TweetsAreReachable) {
  int pages = 0;
  std::vector<uint64_t> walked =
      Walk(UserPath(world_->firehose(), "/tweets?max_results=100"),
           "pagination_token", &pages);
  EXPECT_EQ(walked.size(), kTimelineCap);
  EXPECT_EQ(walked, world_->TimelineIds(world_->firehose()));
  EXPECT_EQ(pages, 32);
  const uint64_t beyond =
      world_->tweet(world_->firehose().tweets[kTimelineCap]).id;
  EXPECT_EQ(Raw(UserPath(world_->firehose(),
                         absl::StrCat("/tweets?until_id=", beyond + 1))),
            R"({"meta":{"result_count":0}})");
}

TEST_F(WorldReadsV2Test, ExcludeFiltersBeforeCounting) {
  const WorldUser& dev = world_->dev();
  const std::vector<uint64_t> want =
      world_->TweetIds(world_->ReachableTimeline(dev, true, true));
  ASSERT_LT(want.size(), dev.tweets.size()) << "dev has replies or retweets";
  int pages = 0;
  std::vector<size_t> sizes;
  std::vector<uint64_t> walked =
      Walk(UserPath(dev, "/tweets?max_results=5&exclude=replies%2Cretweets"),
           "pagination_token", &pages, &sizes);
  EXPECT_EQ(walked, want);
  for (size_t i = 0; i + 1 < sizes.size(); ++i) EXPECT_EQ(sizes[i], 5u);
  for (uint64_t id : walked) {
    const WorldTweet* t = world_->TweetById(id);
    ASSERT_NE(t, nullptr);
    EXPECT_NE(t->kind, TweetKind::kReply);
    EXPECT_NE(t->kind, TweetKind::kRetweet);
  }
  // Without replies the timeline reaches 800 tweets.
  std::vector<uint64_t> no_replies = Walk(
      UserPath(world_->firehose(), "/tweets?max_results=100&exclude=replies"),
      "pagination_token", &pages);
  EXPECT_EQ(no_replies.size(), kTimelineCapWithoutReplies);
  EXPECT_EQ(no_replies, world_->TweetIds(world_->ReachableTimeline(
                            world_->firehose(), true, false)));
}

TEST_F(WorldReadsV2Test, SinceIdAndUntilIdAreBothExclusive) {
  const std::vector<uint64_t> all = world_->TimelineIds(world_->dev());
  EXPECT_EQ(DataIds(Get(UserPath(
                world_->dev(), absl::StrCat("/tweets?max_results=100&since_id=",
                                            all[20], "&until_id=", all[5])))),
            Slice(all, 6, 20));
  EXPECT_EQ(DataIds(Get(UserPath(
                world_->dev(),
                absl::StrCat("/tweets?max_results=5&until_id=", all[3])))),
            Slice(all, 4, 9));
  // Nothing newer than the newest: exactly the empty page.
  EXPECT_EQ(
      Raw(UserPath(world_->dev(), absl::StrCat("/tweets?since_id=", all[0]))),
      R"({"meta":{"result_count":0}})");
}

TEST_F(WorldReadsV2Test, PreviousTokenGoesBackOnePage) {
  const std::string base = UserPath(world_->dev(), "/tweets?max_results=6");
  element one = Get(base);
  element two = Get(absl::StrCat(
      base, "&pagination_token=", Sv(Str(one["meta"]["next_token"]))));
  element three = Get(absl::StrCat(
      base, "&pagination_token=", Sv(Str(two["meta"]["next_token"]))));
  element back = Get(absl::StrCat(
      base, "&pagination_token=", Sv(Str(three["meta"]["previous_token"]))));
  EXPECT_EQ(DataIds(back), DataIds(two));
  element first_again = Get(absl::StrCat(
      base, "&pagination_token=", Sv(Str(two["meta"]["previous_token"]))));
  EXPECT_EQ(DataIds(first_again), DataIds(one));
}

TEST_F(WorldReadsV2Test, TimelineTimeWindowAndIdsTakePrecedence) {
  const WorldUser& dev = world_->dev();
  const WorldTweet& newer = world_->tweet(dev.tweets[3]);
  const WorldTweet& older = world_->tweet(dev.tweets[12]);
  const std::string start = FormatIsoTime(older.created_at);
  const std::string end = FormatIsoTime(newer.created_at);
  std::vector<uint64_t> want;
  for (uint32_t i : dev.tweets) {
    const WorldTweet& t = world_->tweet(i);
    if (t.created_at >= older.created_at && t.created_at < newer.created_at) {
      want.push_back(t.id);
    }
  }
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(DataIds(Get(UserPath(
                dev, absl::StrCat("/tweets?max_results=100&start_time=", start,
                                  "&end_time=", end)))),
            want);
  // With ids given the times are ignored.
  const std::vector<uint64_t> all = world_->TimelineIds(dev);
  EXPECT_EQ(
      DataIds(Get(UserPath(dev, absl::StrCat("/tweets?max_results=5&until_id=",
                                             all[30], "&start_time=", start)))),
      Slice(all, 31, 36));
}

TEST_F(WorldReadsV2Test, MaxResultsOutOfRangeIs400InvalidRequest) {
  EXPECT_EQ(
      Raw(UserPath(world_->dev(), "/tweets?max_results=4")),
      R"({"errors":[{"parameters":{"max_results":["4"]},"message":"The `max_results` query parameter value [4] is not between 5 and 100"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"})");
  Get(UserPath(world_->dev(), "/tweets?max_results=101"), 400);
  Get("/2/tweets/search/recent?query=perch&max_results=9", 400);
  Get(UserPath(world_->popular(), "/followers?max_results=0"), 400);
  Get(UserPath(world_->popular(), "/followers?max_results=1001"), 400);
  Get(absl::StrCat("/2/lists/", world_->engineering().id,
                   "/members?max_results=101"),
      400);
  Get(absl::StrCat("/2/lists/", world_->engineering().id,
                   "/tweets?max_results=0"),
      400);
  Get(UserPath(world_->dev(), "/owned_lists?max_results=101"), 400);
}

TEST_F(WorldReadsV2Test, ATokenFromElsewhereOrAlteredIs400) {
  element search = Get("/2/tweets/search/recent?query=%23perch");
  std::string foreign(Str(search["meta"]["next_token"]));
  element bad =
      Get(UserPath(world_->dev(),
                   absl::StrCat("/tweets?pagination_token=", foreign)),
          400);
  EXPECT_EQ(Str(bad["errors"].at(0)["message"]),
            absl::StrCat("The `pagination_token` query parameter value [",
                         foreign, "] is not valid"));
  element page = Get(UserPath(world_->dev(), "/tweets?max_results=5"));
  std::string altered(Str(page["meta"]["next_token"]));
  altered[30] = altered[30] == 'a' ? 'b' : 'a';
  Get(UserPath(world_->dev(),
               absl::StrCat("/tweets?pagination_token=", altered)),
      400);
}

TEST_F(WorldReadsV2Test, ProtectedAndSuspendedTimelinesAreErrorsInA200) {
  const std::string id = absl::StrCat(world_->private_user().id);
  const std::string protected_body = absl::StrCat(
      R"({"errors":[{"value":")", id,
      R"(","detail":"Sorry, you are not authorized to see the user with id: [)",
      id,
      R"(].","title":"Authorization Error","resource_type":"user","parameter":"id","section":"data","type":"https://api.twitter.com/2/problems/not-authorized-for-resource"}]})");
  EXPECT_EQ(Raw(UserPath(world_->private_user(), "/tweets")), protected_body);
  EXPECT_EQ(Raw(UserPath(world_->private_user(), "/followers")),
            protected_body);
  element banned = Get(UserPath(world_->banned(), "/tweets"));
  EXPECT_EQ(Str(banned["errors"].at(0)["title"]), "Forbidden");
  EXPECT_FALSE(Has(banned, "meta"));
}

// --- tweet objects ---

TEST_F(WorldReadsV2Test, TweetsCarryTheDefaultsOrExactlyTheFieldsAsked) {
  element page = Get(UserPath(world_->dev(), "/tweets?max_results=20"));
  for (element t : page["data"].get_array()) {
    EXPECT_EQ(Keys(t),
              (std::set<std::string>{"edit_history_tweet_ids", "id", "text"}));
    EXPECT_EQ(IdOf(t["edit_history_tweet_ids"].at(0)), IdOf(t["id"]));
  }
  EXPECT_FALSE(Has(page, "includes"));
  element asked = Get(UserPath(
      world_->dev(), "/tweets?max_results=20&tweet.fields=created_at,lang"));
  for (element t : asked["data"].get_array()) {
    EXPECT_EQ(Keys(t),
              (std::set<std::string>{"created_at", "edit_history_tweet_ids",
                                     "id", "lang", "text"}));
  }
  element bad = Get(
      UserPath(world_->dev(), "/tweets?tweet.fields=created_at,bogus"), 400);
  EXPECT_TRUE(absl::StartsWith(
      Sv(Str(bad["errors"].at(0)["message"])),
      "The `tweet.fields` query parameter value [bogus] is not one of ["));
}

// The same tweets over both dialects: ids, texts, authors, times, counts,
// entities and media agree.
TEST_F(WorldReadsV2Test, TweetsMatchTheirV11Selves) {
  const WorldUser& dev = world_->dev();
  element v1 = Get(absl::StrCat(
      "/1.1/statuses/user_timeline.json?tweet_mode=extended&count=100&user_id=",
      dev.id));
  element v2 = Get(UserPath(
      dev, absl::StrCat("/tweets?max_results=100&", kPerchTweetParams)));
  std::map<std::string, element> media;
  for (element m : v2["includes"]["media"].get_array()) {
    media[std::string(Str(m["media_key"]))] = m;
  }
  simdjson::dom::array old_tweets = v1.get_array();
  simdjson::dom::array new_tweets = v2["data"].get_array();
  ASSERT_EQ(old_tweets.size(), new_tweets.size());
  int retweets = 0, with_media = 0;
  for (size_t i = 0; i < old_tweets.size(); ++i) {
    element a = old_tweets.at(i), b = new_tweets.at(i);
    uint64_t id = 0;
    ASSERT_EQ(a["id"].get(id), simdjson::SUCCESS);
    ASSERT_EQ(IdOf(b["id"]), id);
    const WorldTweet& t = *world_->TweetById(id);
    EXPECT_EQ(Str(a["user"]["id_str"]), Str(b["author_id"]));
    absl::Time then;
    std::string error;
    ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, Sv(Str(b["created_at"])),
                                &then, &error));
    EXPECT_EQ(Str(a["created_at"]), FormatCreatedAt(absl::ToUnixSeconds(then)));
    int64_t rt = 0, fav = 0, rt2 = 0, like = 0;
    ASSERT_EQ(a["retweet_count"].get(rt), simdjson::SUCCESS);
    ASSERT_EQ(a["favorite_count"].get(fav), simdjson::SUCCESS);
    ASSERT_EQ(b["public_metrics"]["retweet_count"].get(rt2), simdjson::SUCCESS);
    ASSERT_EQ(b["public_metrics"]["like_count"].get(like), simdjson::SUCCESS);
    EXPECT_EQ(rt, rt2);
    EXPECT_EQ(fav, like);
    EXPECT_EQ(Str(a["lang"]), Str(b["lang"]));
    if (t.kind == TweetKind::kRetweet) {
      ++retweets;
      continue;  // its text and entities: RetweetTextIsCut... below
    }
    EXPECT_EQ(Str(a["full_text"]), Str(b["text"]));
    // Hashtags, mentions and links at the same code points.
    std::vector<std::string> old_entities, new_entities;
    for (element h : a["entities"]["hashtags"].get_array()) {
      old_entities.push_back(absl::StrCat("#", Sv(Str(h["text"])), "@",
                                          Int(h["indices"].at(0)), "-",
                                          Int(h["indices"].at(1))));
    }
    for (element m : a["entities"]["user_mentions"].get_array()) {
      old_entities.push_back(absl::StrCat("@", Sv(Str(m["id_str"])), "@",
                                          Int(m["indices"].at(0)), "-",
                                          Int(m["indices"].at(1))));
    }
    for (element u : a["entities"]["urls"].get_array()) {
      old_entities.push_back(absl::StrCat(Sv(Str(u["expanded_url"])), "@",
                                          Int(u["indices"].at(0)), "-",
                                          Int(u["indices"].at(1))));
    }
    simdjson::dom::element entities;
    if (b["entities"].get(entities) == simdjson::SUCCESS) {
      simdjson::dom::array list;
      if (entities["hashtags"].get(list) == simdjson::SUCCESS) {
        for (element h : list) {
          new_entities.push_back(absl::StrCat("#", Sv(Str(h["tag"])), "@",
                                              Int(h["start"]), "-",
                                              Int(h["end"])));
        }
      }
      if (entities["mentions"].get(list) == simdjson::SUCCESS) {
        for (element m : list) {
          new_entities.push_back(absl::StrCat(
              "@", Sv(Str(m["id"])), "@", Int(m["start"]), "-", Int(m["end"])));
        }
      }
      if (entities["urls"].get(list) == simdjson::SUCCESS) {
        for (element u : list) {
          if (Has(u, "media_key")) continue;
          new_entities.push_back(absl::StrCat(Sv(Str(u["expanded_url"])), "@",
                                              Int(u["start"]), "-",
                                              Int(u["end"])));
        }
      }
    }
    std::sort(old_entities.begin(), old_entities.end());
    std::sort(new_entities.begin(), new_entities.end());
    EXPECT_EQ(old_entities, new_entities) << id;
    // The same media, in the same order, at the same addresses.
    simdjson::dom::array old_media;
    if (a["extended_entities"]["media"].get(old_media) != simdjson::SUCCESS) {
      EXPECT_FALSE(Has(b, "attachments")) << id;
      continue;
    }
    ++with_media;
    simdjson::dom::array keys = b["attachments"]["media_keys"].get_array();
    ASSERT_EQ(keys.size(), old_media.size()) << id;
    for (size_t k = 0; k < keys.size(); ++k) {
      element o = old_media.at(k);
      element m = media.at(std::string(Str(keys.at(k))));
      EXPECT_TRUE(absl::EndsWith(Sv(Str(m["media_key"])),
                                 absl::StrCat("_", Sv(Str(o["id_str"])))));
      EXPECT_EQ(Str(m["type"]), Str(o["type"]));
      EXPECT_EQ(Str(Has(m, "url") ? m["url"] : m["preview_image_url"]),
                Str(o["media_url_https"]));
      EXPECT_EQ(Int(m["width"]), t.media[k].width);
      EXPECT_EQ(Int(m["height"]), t.media[k].height);
    }
  }
  EXPECT_GT(retweets, 0);
  EXPECT_GT(with_media, 0);
}

TEST_F(WorldReadsV2Test, RetweetTextIsCutAndTheOriginalComesInIncludes) {
  // A long retweet and a short one, each asked for as its author's newest.
  int long_ones = 0, short_ones = 0;
  for (const WorldTweet& tweet : world_->tweets()) {
    if (tweet.kind != TweetKind::kRetweet || !world_->Visible(tweet)) continue;
    const bool cut = tweet.length > 140;
    if (cut ? long_ones >= 3 : short_ones >= 3) continue;
    (cut ? long_ones : short_ones)++;
    const WorldTweet& original = world_->tweet(tweet.retweet_of);
    element page =
        Get(absl::StrCat("/2/users/", world_->user(tweet.author).id,
                         "/tweets?max_results=5&until_id=", tweet.id + 1, "&",
                         kPerchTweetParams));
    element t = page["data"].at(0);
    ASSERT_EQ(IdOf(t["id"]), tweet.id);
    const std::string text(Str(t["text"]));
    const std::string head =
        absl::StrCat("RT @", world_->user(original.author).screen_name, ": ");
    EXPECT_TRUE(absl::StartsWith(text, head)) << text;
    if (cut) {
      EXPECT_EQ(CodePointCount(text), 140u) << text;
      EXPECT_TRUE(absl::EndsWith(text, "…")) << text;
      EXPECT_TRUE(absl::StartsWith(tweet.full_text,
                                   text.substr(0, text.size() - strlen("…"))));
    } else {
      EXPECT_EQ(text, tweet.full_text);
    }
    EXPECT_EQ(Str(t["referenced_tweets"].at(0)["type"]), "retweeted");
    EXPECT_EQ(IdOf(t["referenced_tweets"].at(0)["id"]), original.id);
    bool found = false;
    for (element o : page["includes"]["tweets"].get_array()) {
      if (IdOf(o["id"]) != original.id) continue;
      found = true;
      EXPECT_EQ(Str(o["text"]), original.full_text);
      EXPECT_EQ(IdOf(o["author_id"]), world_->user(original.author).id);
    }
    EXPECT_TRUE(found) << original.id;
    if (long_ones >= 3 && short_ones >= 3) break;
  }
  EXPECT_EQ(long_ones, 3);
  EXPECT_EQ(short_ones, 3);
}

TEST_F(WorldReadsV2Test, ExpansionsIncludeEachReferencedObjectOnce) {
  element page =
      Get(UserPath(world_->popular(), absl::StrCat("/tweets?max_results=100&",
                                                   kPerchTweetParams)));
  std::set<uint64_t> users, tweets;
  std::set<std::string> media;
  for (element u : page["includes"]["users"].get_array()) {
    EXPECT_TRUE(users.insert(IdOf(u["id"])).second) << "user twice";
    EXPECT_TRUE(Has(u, "public_metrics"));
  }
  for (element t : page["includes"]["tweets"].get_array()) {
    EXPECT_TRUE(tweets.insert(IdOf(t["id"])).second) << "tweet twice";
    EXPECT_TRUE(users.count(IdOf(t["author_id"])));
  }
  for (element m : page["includes"]["media"].get_array()) {
    EXPECT_TRUE(media.insert(std::string(Str(m["media_key"]))).second);
    const std::string_view type = Str(m["type"]);
    EXPECT_EQ(Has(m, "url"), type == "photo");
    EXPECT_EQ(Has(m, "preview_image_url"), type != "photo");
    EXPECT_FALSE(Has(m, "variants"));  // not asked
  }
  EXPECT_TRUE(users.count(world_->popular().id));
  for (element t : page["data"].get_array()) {
    simdjson::dom::array refs;
    if (t["referenced_tweets"].get(refs) == simdjson::SUCCESS) {
      for (element r : refs) EXPECT_TRUE(tweets.count(IdOf(r["id"])));
    }
    simdjson::dom::array keys;
    if (t["attachments"]["media_keys"].get(keys) == simdjson::SUCCESS) {
      for (element k : keys) EXPECT_TRUE(media.count(std::string(Str(k))));
    }
    std::string_view reply_to;
    if (t["in_reply_to_user_id"].get(reply_to) == simdjson::SUCCESS) {
      EXPECT_TRUE(users.count(IdOf(t["in_reply_to_user_id"])));
    }
  }
  EXPECT_FALSE(tweets.empty());
  EXPECT_FALSE(media.empty());
}

TEST_F(WorldReadsV2Test, MentionAndMediaExpansionsAlone) {
  element page = Get(
      UserPath(world_->dev(),
               "/tweets?max_results=100&expansions=entities.mentions.username"
               "&tweet.fields=entities&media.fields=variants,duration_ms"));
  std::set<std::string> mentioned, included;
  for (element t : page["data"].get_array()) {
    simdjson::dom::array mentions;
    if (t["entities"]["mentions"].get(mentions) == simdjson::SUCCESS) {
      for (element m : mentions) mentioned.insert(std::string(Str(m["id"])));
    }
  }
  for (element u : page["includes"]["users"].get_array()) {
    EXPECT_EQ(Keys(u), (std::set<std::string>{"id", "name", "username"}));
    included.insert(std::string(Str(u["id"])));
  }
  EXPECT_FALSE(mentioned.empty());
  EXPECT_EQ(mentioned, included);
  EXPECT_FALSE(Has(page["includes"], "media"));
}

// --- tweets/search/recent ---

TEST_F(WorldReadsV2Test, SearchWalkIsTheWorldsWithNextToken) {
  SearchQuery query;
  query.q = "#perch";
  const std::vector<uint64_t> want = world_->SearchIds(query);
  ASSERT_GT(want.size(), 20u);
  int pages = 0;
  std::vector<uint64_t> walked =
      Walk("/2/tweets/search/recent?query=%23perch&max_results=10",
           "next_token", &pages);
  EXPECT_EQ(walked, want);
  element first = Get("/2/tweets/search/recent?query=%23perch");
  EXPECT_EQ(DataIds(first).size(), 10u);  // ten by default
  const std::string token(Str(first["meta"]["next_token"]));
  EXPECT_TRUE(absl::StartsWith(token, "b26v89c19zqg8o3f"));
  EXPECT_EQ(token.size(), 45u);
  // The second page is the same whichever name the token travels under, and
  // search never offers a way back.
  element by_next = Get(absl::StrCat(
      "/2/tweets/search/recent?query=%23perch&next_token=", token));
  element by_pagination = Get(absl::StrCat(
      "/2/tweets/search/recent?query=%23perch&pagination_token=", token));
  EXPECT_EQ(DataIds(by_next), Slice(want, 10, 20));
  EXPECT_EQ(DataIds(by_pagination), DataIds(by_next));
  EXPECT_FALSE(Has(by_next["meta"], "previous_token"));
  EXPECT_EQ(IdOf(by_next["meta"]["newest_id"]), want[10]);
  EXPECT_EQ(IdOf(by_next["meta"]["oldest_id"]), want[19]);
}

TEST_F(WorldReadsV2Test, SearchLangOperatorFilters) {
  // A hashtag some recent tweet in another language than English has.
  SearchQuery query;
  for (auto t = world_->tweets().rbegin(); t != world_->tweets().rend(); ++t) {
    if (t->lang != "en" && !t->hashtags.empty() && world_->Visible(*t)) {
      query.q = absl::StrCat("#", t->hashtags[0].text);
      query.lang = std::string(t->lang);
      break;
    }
  }
  ASSERT_FALSE(query.lang.empty());
  const std::vector<uint64_t> want = world_->SearchIds(query);
  int pages = 0;
  EXPECT_EQ(
      Walk(absl::StrCat("/2/tweets/search/recent?query=",
                        PercentEncode(absl::StrCat(query.q, " lang:", query.lang)),
                        "&max_results=100"),
           "next_token", &pages),
      want);
  query.lang.clear();
  EXPECT_LT(want.size(), world_->SearchIds(query).size());
  // A query of stand-alone operators only is refused.
  element bad = Get("/2/tweets/search/recent?query=lang%3Aes", 400);
  EXPECT_TRUE(absl::StrContains(Sv(Str(bad["errors"].at(0)["message"])),
                                "at least one positive"));
  Get("/2/tweets/search/recent?max_results=10", 400);  // no query
}

TEST_F(WorldReadsV2Test, SearchRelevancyPutsPopularTweetsFirst) {
  SearchQuery query;
  query.q = "#perch";
  const std::vector<uint64_t> recency = world_->SearchIds(query);
  int pages = 0;
  std::vector<uint64_t> relevant = Walk(
      "/2/tweets/search/recent?query=%23perch&sort_order=relevancy"
      "&max_results=10",
      "next_token", &pages);
  EXPECT_EQ(std::set<uint64_t>(relevant.begin(), relevant.end()),
            std::set<uint64_t>(recency.begin(), recency.end()));
  EXPECT_EQ(relevant.size(), recency.size());
  bool seen_ordinary = false;
  int popular = 0;
  for (uint64_t id : relevant) {
    const bool is_popular =
        world_->TweetById(id)->favorite_count >= kPopularFavorites;
    popular += is_popular;
    if (!is_popular) seen_ordinary = true;
    EXPECT_FALSE(is_popular && seen_ordinary) << "popular after ordinary";
  }
  EXPECT_GT(popular, 0);
  EXPECT_EQ(DataIds(Get("/2/tweets/search/recent?query=%23perch"
                        "&sort_order=recency&max_results=100")),
            Slice(recency, 0, std::min<size_t>(100, recency.size())));
  Get("/2/tweets/search/recent?query=%23perch&sort_order=newest", 400);
}

TEST_F(WorldReadsV2Test, SearchIdsAreExclusiveAndTimesBounded) {
  SearchQuery query;
  query.q = "#perch";
  const std::vector<uint64_t> all = world_->SearchIds(query);
  ASSERT_GT(all.size(), 12u);
  EXPECT_EQ(DataIds(Get(absl::StrCat(
                "/2/tweets/search/recent?query=%23perch&max_results=100",
                "&since_id=", all[12], "&until_id=", all[2]))),
            Slice(all, 3, 12));
  // end_time is exclusive.
  int pages = 0;
  const WorldTweet& t = *world_->TweetById(all[5]);
  std::vector<uint64_t> before;
  for (uint64_t id : all) {
    if (world_->TweetById(id)->created_at < t.created_at) before.push_back(id);
  }
  EXPECT_EQ(
      Walk(absl::StrCat("/2/tweets/search/recent?query=%23perch&max_results=100"
                        "&end_time=",
                        FormatIsoTime(t.created_at)),
           "next_token", &pages),
      before);
  const int64_t now = kWorldNowUnixSeconds;
  element too_old =
      Get(absl::StrCat("/2/tweets/search/recent?query=perch&start_time=",
                       FormatIsoTime(now - 8 * 86400)),
          400);
  EXPECT_TRUE(absl::StrContains(Sv(Str(too_old["errors"].at(0)["message"])),
                                "'start_time' must be on or after"));
  element future =
      Get(absl::StrCat("/2/tweets/search/recent?query=perch&end_time=",
                       FormatIsoTime(now)),
          400);
  EXPECT_TRUE(absl::StrContains(Sv(Str(future["errors"].at(0)["message"])),
                                "minimum of 10 seconds prior"));
  element mixed =
      Get(absl::StrCat("/2/tweets/search/recent?query=perch&since_id=", all[3],
                       "&end_time=", FormatIsoTime(now - 3600)),
          400);
  EXPECT_EQ(Str(mixed["errors"].at(0)["message"]),
            "Invalid use of 'since_id' or 'until_id' in conjunction with "
            "'start_time' or 'end_time'.");
  Get("/2/tweets/search/recent?query=perch&previous_token=x", 400);
}

// --- followers ---

TEST_F(WorldReadsV2Test, FollowersWalkIsTheWorldsBothWays) {
  for (auto [user, page] :
       {std::pair{&world_->popular(), 1000}, std::pair{&world_->dev(), 37}}) {
    int pages = 0;
    EXPECT_EQ(
        Walk(UserPath(*user, absl::StrCat("/followers?max_results=", page)),
             "pagination_token", &pages),
        world_->FollowerIds(*user));
  }
  const std::string base = UserPath(
      world_->dev(),
      absl::StrCat("/followers?", kPerchUserFields, "&max_results=20"));
  element one = Get(base);
  const std::string token(Str(one["meta"]["next_token"]));
  EXPECT_EQ(token.size(), 16u);
  EXPECT_TRUE(absl::EndsWith(token, "EZZZ"));
  element two = Get(absl::StrCat(base, "&pagination_token=", token));
  element back = Get(absl::StrCat(
      base, "&pagination_token=", Sv(Str(two["meta"]["previous_token"]))));
  EXPECT_EQ(DataIds(back), DataIds(one));
  EXPECT_TRUE(Has(one["data"].at(0), "public_metrics"));
  EXPECT_FALSE(Has(one["meta"], "newest_id"));
  EXPECT_EQ(DataIds(Get(UserPath(world_->popular(), "/followers"))).size(),
            100u);  // a hundred by default
}

// --- lists ---

TEST_F(WorldReadsV2Test, ListLookupWithFieldsAndItsOwner) {
  const WorldList& list = world_->engineering();
  EXPECT_EQ(Raw(absl::StrCat("/2/lists/", list.id)),
            absl::StrCat(R"({"data":{"id":")", list.id,
                         R"(","name":"Engineering"}})"));
  element full = Get(absl::StrCat("/2/lists/", list.id, "?", kPerchListParams));
  element data = full["data"];
  EXPECT_EQ(Str(data["created_at"]), FormatIsoTime(list.created_at));
  EXPECT_EQ(Str(data["description"]), list.description);
  EXPECT_EQ(Int(data["member_count"]),
            static_cast<int64_t>(list.members.size()));
  EXPECT_EQ(Int(data["follower_count"]), list.subscriber_count);
  EXPECT_EQ(IdOf(data["owner_id"]), world_->dev().id);
  EXPECT_FALSE(Bool(data["private"]));
  EXPECT_EQ(Slugify(Sv(Str(data["name"]))), list.slug);
  EXPECT_EQ(IdOf(full["includes"]["users"].at(0)["id"]), world_->dev().id);
  EXPECT_TRUE(Has(full["includes"]["users"].at(0), "created_at"));
}

TEST_F(WorldReadsV2Test, UnknownAndPrivateListsAreNotFoundInA200) {
  EXPECT_EQ(
      Raw("/2/lists/1"),
      R"({"errors":[{"value":"1","detail":"Could not find list with id: [1].","title":"Not Found Error","resource_type":"list","parameter":"id","resource_id":"1","type":"https://api.twitter.com/2/problems/resource-not-found"}]})");
  const WorldList* secret = world_->ListBySlug(kDevScreenName, kSecretSlug);
  ASSERT_NE(secret, nullptr);
  for (absl::string_view rest : {"", "/tweets", "/members"}) {
    element e = Get(absl::StrCat("/2/lists/", secret->id, rest));
    EXPECT_FALSE(Has(e, "data"));
    EXPECT_EQ(Str(e["errors"].at(0)["resource_type"]), "list");
  }
}

TEST_F(WorldReadsV2Test, ListTweetsAndMembersWalkTheWorld) {
  const WorldList& list = world_->engineering();
  int pages = 0;
  EXPECT_EQ(Walk(absl::StrCat("/2/lists/", list.id, "/tweets?max_results=100"),
                 "pagination_token", &pages),
            world_->ListTimelineIds(list));
  EXPECT_GT(pages, 1);
  element tweets = Get(absl::StrCat("/2/lists/", list.id, "/tweets"));
  EXPECT_EQ(DataIds(tweets).size(), 100u);  // a hundred by default
  EXPECT_FALSE(Has(tweets["meta"], "newest_id"));
  EXPECT_EQ(Str(tweets["meta"]["next_token"]).size(), 45u);

  EXPECT_EQ(Walk(absl::StrCat("/2/lists/", list.id, "/members?max_results=10"),
                 "pagination_token", &pages),
            world_->MemberIds(list));
  element members =
      Get(absl::StrCat("/2/lists/", list.id, "/members?max_results=10"));
  const std::string token(Str(members["meta"]["next_token"]));
  int64_t as_number = 0;
  EXPECT_TRUE(absl::SimpleAtoi(token, &as_number)) << token;
  EXPECT_GE(as_number, int64_t{1} << 62);
  EXPECT_LE(token.size(), 19u);
}

TEST_F(WorldReadsV2Test, OwnedListsAreThePublicOnesNamedForTheirSlugs) {
  element page = Get(UserPath(
      world_->dev(),
      absl::StrCat("/owned_lists?", kPerchListFields, "&max_results=100")));
  std::set<uint64_t> ids;
  for (element l : page["data"].get_array()) {
    const WorldList* list = world_->ListById(IdOf(l["id"]));
    ASSERT_NE(list, nullptr);
    EXPECT_EQ(Slugify(Sv(Str(l["name"]))), list->slug);
    EXPECT_FALSE(Bool(l["private"]));
    ids.insert(list->id);
  }
  EXPECT_TRUE(ids.count(world_->engineering().id));
  EXPECT_FALSE(ids.count(world_->ListBySlug(kDevScreenName, kSecretSlug)->id));
  EXPECT_FALSE(Has(page["meta"], "next_token"));
  // Every public list of every owner is reachable by paging one at a time.
  const WorldUser& classic = world_->classic();
  int pages = 0;
  std::vector<uint64_t> walked =
      Walk(UserPath(classic, "/owned_lists?max_results=1"), "pagination_token",
           &pages);
  EXPECT_TRUE(std::find(walked.begin(), walked.end(), world_->classics().id) !=
              walked.end());
}

}  // namespace
}  // namespace perch::emulator::testing
