// The read endpoints' semantics over real HTTP, checked against the World:
// id paging (max_id inclusive, since_id exclusive, the 3,200 cap, count
// before filters), search's next_results walk and filters, cursors from -1
// to 0 (and back), and the errors for protected, suspended, unknown users,
// unknown or private lists and missing parameters.
#include "emulator/world_reads.h"

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
#include "gtest/gtest.h"
#include "simdjson.h"

namespace perch::emulator::testing {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr uint64_t kTwoTo53 = uint64_t{1} << 53;

std::string_view Str(element e) {
  std::string_view s;
  EXPECT_EQ(e.get(s), simdjson::SUCCESS);
  return s;
}

absl::string_view Sv(std::string_view s) { return {s.data(), s.size()}; }

class WorldReadsTest : public ReadingEmulatorTest {
 protected:
  void SetUp() override {
    ReadingEmulatorTest::SetUp();
    world_ = &emulator_->world();
    // Walks below make hundreds of requests; the windows are not the point.
    for (const char* path :
         {kUserTimeline, kSearchTweets, kFollowerIds, kFollowersList,
          kListsShow, kListsStatuses, kListsMembers}) {
      emulator_->SetRateLimit(path, 100000);
    }
  }

  // The ids of an array of tweets, checking id against id_str.
  static std::vector<uint64_t> Ids(element tweets) {
    std::vector<uint64_t> ids;
    for (element t : tweets.get_array()) {
      uint64_t id = 0;
      EXPECT_EQ(t["id"].get(id), simdjson::SUCCESS);
      EXPECT_EQ(Str(t["id_str"]), absl::StrCat(id));
      ids.push_back(id);
    }
    return ids;
  }

  // Walks an id-paged endpoint (max_id = last - 1) until an empty page.
  std::vector<uint64_t> WalkIds(const std::string& base, int* pages) {
    std::vector<uint64_t> all;
    std::string max_id;
    for (*pages = 0; *pages < 100; ++*pages) {
      std::vector<uint64_t> page = Ids(Get(absl::StrCat(base, max_id)));
      if (page.empty()) break;
      all.insert(all.end(), page.begin(), page.end());
      max_id = absl::StrCat("&max_id=", page.back() - 1);
    }
    return all;
  }

  // Walks a cursored endpoint from -1 to 0; `field` is "ids" or "users".
  std::vector<uint64_t> WalkCursor(const std::string& base,
                                   absl::string_view field, int* pages) {
    std::vector<uint64_t> all;
    std::string cursor = "-1";
    for (*pages = 0; *pages < 100 && cursor != "0"; ++*pages) {
      element page = Get(absl::StrCat(base, "&cursor=", cursor));
      for (element item :
           page[std::string_view(field.data(), field.size())].get_array()) {
        uint64_t id = 0;
        if (field == "ids") {
          std::string_view text;
          if (item.get(text) == simdjson::SUCCESS) {
            EXPECT_TRUE(absl::SimpleAtoi(Sv(text), &id));
          } else {
            EXPECT_EQ(item.get(id), simdjson::SUCCESS);
          }
        } else {
          EXPECT_EQ(item["id"].get(id), simdjson::SUCCESS);
        }
        all.push_back(id);
      }
      int64_t next = 0;
      EXPECT_EQ(page["next_cursor"].get(next), simdjson::SUCCESS);
      cursor = std::string(Str(page["next_cursor_str"]));
      EXPECT_EQ(cursor, absl::StrCat(next));
      EXPECT_TRUE(page["total_count"].is_null());
    }
    return all;
  }

  const World* world_ = nullptr;
};

std::vector<uint64_t> Prefix(const std::vector<uint64_t>& ids, size_t n) {
  return std::vector<uint64_t>(ids.begin(),
                               ids.begin() + std::min(n, ids.size()));
}

// --- statuses/user_timeline ---

TEST_F(WorldReadsTest, TimelineDefaultsToTwentyNewestFirst) {
  std::vector<uint64_t> ids =
      Ids(Get(absl::StrCat(kUserTimeline, "?screen_name=perch_dev")));
  EXPECT_EQ(ids, Prefix(world_->TimelineIds(world_->dev()), 20));
}

TEST_F(WorldReadsTest, TimelineByUserIdOrScreenNameInAnyCase) {
  std::vector<uint64_t> by_name =
      Ids(Get(absl::StrCat(kUserTimeline, "?screen_name=PeRcH_DeV&count=7")));
  std::vector<uint64_t> by_id = Ids(Get(
      absl::StrCat(kUserTimeline, "?user_id=", world_->dev().id, "&count=7")));
  EXPECT_EQ(by_name.size(), 7u);
  EXPECT_EQ(by_name, by_id);
}

TEST_F(WorldReadsTest, TimelineCountIsCappedAt200) {
  EXPECT_EQ(Ids(Get(absl::StrCat(kUserTimeline,
                                 "?screen_name=perch_firehose&count=500")))
                .size(),
            200u);
  EXPECT_EQ(
      Ids(Get(absl::StrCat(kUserTimeline, "?screen_name=perch_dev&count=3")))
          .size(),
      3u);
}

TEST_F(WorldReadsTest, TimelineMaxIdIsInclusiveAndSinceIdExclusive) {
  const std::vector<uint64_t> all = world_->TimelineIds(world_->dev());
  std::vector<uint64_t> from = Ids(Get(absl::StrCat(
      kUserTimeline, "?screen_name=perch_dev&count=5&max_id=", all[4])));
  EXPECT_EQ(from, std::vector<uint64_t>(all.begin() + 4, all.begin() + 9));
  std::vector<uint64_t> newer = Ids(Get(absl::StrCat(
      kUserTimeline, "?screen_name=perch_dev&count=200&since_id=", all[10])));
  EXPECT_EQ(newer, Prefix(all, 10));
  std::vector<uint64_t> between =
      Ids(Get(absl::StrCat(kUserTimeline, "?screen_name=perch_dev&since_id=",
                           all[6], "&max_id=", all[2])));
  EXPECT_EQ(between, std::vector<uint64_t>(all.begin() + 2, all.begin() + 6));
}

TEST_F(WorldReadsTest, TimelineWalkCoversEveryTweetOnceInOrder) {
  int pages = 0;
  std::vector<uint64_t> walked = WalkIds(
      absl::StrCat(kUserTimeline, "?screen_name=perch_dev&count=20"), &pages);
  EXPECT_EQ(walked, world_->TimelineIds(world_->dev()));
  EXPECT_GE(pages, 3);
}

TEST_F(WorldReadsTest, OnlyTheNewest3200TweetsAreReachable) {
  int pages = 0;
  std::vector<uint64_t> walked =
      WalkIds(absl::StrCat(kUserTimeline,
                           "?screen_name=perch_firehose&count=200&trim_user=1"),
              &pages);
  EXPECT_EQ(walked.size(), kTimelineCap);
  EXPECT_EQ(walked, world_->TimelineIds(world_->firehose()));
  EXPECT_EQ(pages, 16);
  // Older tweets exist (statuses_count says so) but no max_id reaches them.
  element page =
      Get(absl::StrCat(kUserTimeline, "?screen_name=perch_firehose&count=1"));
  uint64_t statuses = 0;
  ASSERT_EQ(page.at(0)["user"]["statuses_count"].get(statuses),
            simdjson::SUCCESS);
  EXPECT_GT(statuses, kTimelineCap);
  const uint64_t beyond =
      world_->tweet(world_->firehose().tweets[kTimelineCap]).id;
  EXPECT_TRUE(
      Ids(Get(absl::StrCat(kUserTimeline,
                           "?screen_name=perch_firehose&max_id=", beyond)))
          .empty());
}

TEST_F(WorldReadsTest, ExcludeRepliesAndIncludeRtsFilterAfterTheCount) {
  const std::vector<uint64_t> window =
      Prefix(world_->TimelineIds(world_->dev()), 20);
  element page = Get(absl::StrCat(kUserTimeline,
                                  "?screen_name=perch_dev&count=20&exclude_"
                                  "replies=true&include_rts=false"));
  std::vector<uint64_t> ids = Ids(page);
  EXPECT_LT(ids.size(), 20u) << "count is applied before the filters";
  EXPECT_FALSE(ids.empty());
  std::set<uint64_t> allowed(window.begin(), window.end());
  for (element t : page.get_array()) {
    EXPECT_TRUE(t["in_reply_to_status_id"].is_null());
    EXPECT_EQ(t["retweeted_status"].error(), simdjson::NO_SUCH_FIELD);
    EXPECT_TRUE(allowed.count(t["id"].get_uint64().value()));
  }
  int pages = 0;
  EXPECT_EQ(
      WalkIds(absl::StrCat(kUserTimeline,
                           "?screen_name=perch_dev&count=20&exclude_replies=1"),
              &pages),
      world_->TimelineIds(world_->dev(), /*exclude_replies=*/true));
}

TEST_F(WorldReadsTest, ExtendedModeHasFullTextAndDisplayRange) {
  element page = Get(absl::StrCat(
      kUserTimeline, "?screen_name=perch_dev&count=20&tweet_mode=extended"));
  for (element t : page.get_array()) {
    const WorldTweet* tweet = world_->TweetById(t["id"].get_uint64().value());
    ASSERT_NE(tweet, nullptr);
    EXPECT_EQ(Str(t["full_text"]), tweet->full_text);
    EXPECT_EQ(t["text"].error(), simdjson::NO_SUCH_FIELD);
    EXPECT_FALSE(t["truncated"].get_bool().value());
    array range = t["display_text_range"].get_array();
    EXPECT_EQ(range.at(0).get_uint64().value(), tweet->display.start);
    EXPECT_EQ(range.at(1).get_uint64().value(), tweet->display.end);
  }
}

TEST_F(WorldReadsTest, CompatibilityModeCutsTextAt140) {
  element page =
      Get(absl::StrCat(kUserTimeline, "?screen_name=perch_dev&count=200"));
  int truncated = 0;
  for (element t : page.get_array()) {
    std::string_view text = Str(t["text"]);
    EXPECT_LE(CodePointCount(Sv(text)), 140u) << text;
    EXPECT_EQ(t["full_text"].error(), simdjson::NO_SUCH_FIELD);
    EXPECT_EQ(t["display_text_range"].error(), simdjson::NO_SUCH_FIELD);
    if (t["truncated"].get_bool().value()) {
      ++truncated;
      EXPECT_TRUE(
          absl::EndsWith(Sv(text), StatusLink(t["id"].get_uint64().value())));
    }
  }
  EXPECT_GT(truncated, 0);
}

TEST_F(WorldReadsTest, IdsAreExactJsonNumbersBesideTheirStrings) {
  const std::string body =
      Raw(absl::StrCat(kUserTimeline, "?screen_name=perch_dev&count=5"));
  for (uint64_t id : Prefix(world_->TimelineIds(world_->dev()), 5)) {
    EXPECT_GT(id, kTwoTo53);
    EXPECT_TRUE(absl::StrContains(
        body, absl::StrCat("\"id\":", id, ",\"id_str\":\"", id, "\"")))
        << id;
  }
}

TEST_F(WorldReadsTest, TimelineErrorsAreTheUpstreams) {
  HttpResult protected_user = GetWithBearer(
      absl::StrCat(kUserTimeline, "?screen_name=perch_private"), token_);
  EXPECT_EQ(protected_user.status, 401);
  EXPECT_EQ(
      protected_user.body,
      R"({"request":"/1.1/statuses/user_timeline.json","error":"Not authorized."})");
  HttpResult suspended = GetWithBearer(
      absl::StrCat(kUserTimeline, "?user_id=", world_->banned().id), token_);
  EXPECT_EQ(suspended.status, 403);
  EXPECT_EQ(suspended.body,
            R"({"errors":[{"code":63,"message":"User has been suspended."}]})");
  for (const char* unknown :
       {"screen_name=nobody_here_x", "user_id=1", "user_id=x"}) {
    HttpResult missing =
        GetWithBearer(absl::StrCat(kUserTimeline, "?", unknown), token_);
    EXPECT_EQ(missing.status, 404) << unknown;
    EXPECT_EQ(missing.body,
              R"({"errors":[{"code":50,"message":"User not found."}]})");
  }
  HttpResult nobody =
      GetWithBearer(absl::StrCat(kUserTimeline, "?count=5"), token_);
  EXPECT_EQ(nobody.status, 400);
  EXPECT_EQ(
      nobody.body,
      R"({"errors":[{"code":25,"message":"Query parameters are missing."}]})");
  // The error still carries the window's headers.
  EXPECT_FALSE(nobody.Header("x-rate-limit-remaining").empty());
}

// --- search/tweets ---

TEST_F(WorldReadsTest, SearchNextResultsWalkCoversEveryMatchOnce) {
  SearchQuery query;
  query.q = "#perch";
  const std::vector<uint64_t> expected = world_->SearchIds(query);
  std::vector<uint64_t> walked;
  std::string next = "?q=%23perch&count=20";
  int pages = 0;
  while (!next.empty() && pages < 20) {
    element page = Get(absl::StrCat("/1.1/search/tweets.json", next));
    ++pages;
    std::vector<uint64_t> ids = Ids(page["statuses"]);
    EXPECT_LE(ids.size(), 20u);
    walked.insert(walked.end(), ids.begin(), ids.end());
    for (element t : page["statuses"].get_array()) {
      EXPECT_FALSE(Str(t["metadata"]["iso_language_code"]).empty());
      std::string_view type = Str(t["metadata"]["result_type"]);
      EXPECT_TRUE(type == "recent" || type == "popular") << type;
    }
    element meta = page["search_metadata"];
    EXPECT_EQ(meta["count"].get_uint64().value(), 20u);
    EXPECT_EQ(Str(meta["query"]), "%23perch");
    EXPECT_TRUE(absl::StartsWith(Sv(Str(meta["refresh_url"])), "?since_id="));
    EXPECT_EQ(Str(meta["max_id_str"]), absl::StrCat(ids.empty() ? 0 : ids[0]));
    EXPECT_EQ(meta["since_id"].get_uint64().value(), 0u);
    double completed_in = 0;
    EXPECT_EQ(meta["completed_in"].get(completed_in), simdjson::SUCCESS);
    std::string_view next_results;
    if (meta["next_results"].get(next_results) == simdjson::SUCCESS) {
      EXPECT_EQ(next_results,
                absl::StrCat("?max_id=", ids.back() - 1,
                             "&q=%23perch&count=20&include_entities=1"));
      next = std::string(next_results);
    } else {
      next.clear();
    }
  }
  EXPECT_EQ(walked, expected);
  EXPECT_GE(pages, 2);
}

TEST_F(WorldReadsTest, SearchIgnoresCaseAndFindsWords) {
  std::vector<uint64_t> lower = Ids(
      Get(absl::StrCat(kSearchTweets, "?q=%23perch&count=100"))["statuses"]);
  std::vector<uint64_t> upper = Ids(
      Get(absl::StrCat(kSearchTweets, "?q=%23PERCH&count=100"))["statuses"]);
  EXPECT_EQ(lower, upper);
  SearchQuery word;
  word.q = "coffee";
  EXPECT_EQ(
      Ids(Get(absl::StrCat(kSearchTweets, "?q=Coffee&count=100"))["statuses"]),
      Prefix(world_->SearchIds(word), 100));
  EXPECT_EQ(
      Get(absl::StrCat(kSearchTweets, "?q=perch"))["search_metadata"]["count"]
          .get_uint64()
          .value(),
      15u)
      << "the default count";
}

TEST_F(WorldReadsTest, SearchFilters) {
  SearchQuery q;
  q.q = "the";
  const std::vector<uint64_t> all = world_->SearchIds(q);
  ASSERT_GT(all.size(), 30u);

  element french = Get(absl::StrCat(kSearchTweets, "?q=le&lang=fr&count=100"));
  for (element t : french["statuses"].get_array()) {
    EXPECT_EQ(Str(t["lang"]), "fr");
    EXPECT_EQ(Str(t["metadata"]["iso_language_code"]), "fr");
  }

  // until: strictly before that day (UTC).
  const std::string until = absl::FormatTime(
      "%Y-%m-%d", world_->now() - absl::Hours(72), absl::UTCTimeZone());
  absl::Time day;
  std::string error;
  ASSERT_TRUE(
      absl::ParseTime("%Y-%m-%d", until, absl::UTCTimeZone(), &day, &error));
  element older =
      Get(absl::StrCat(kSearchTweets, "?q=the&count=100&until=", until));
  ASSERT_GT(older["statuses"].get_array().size(), 0u);
  for (element t : older["statuses"].get_array()) {
    EXPECT_LT(world_->TweetById(t["id"].get_uint64().value())->created_at,
              absl::ToUnixSeconds(day));
  }

  std::vector<uint64_t> ranged =
      Ids(Get(absl::StrCat(kSearchTweets, "?q=the&count=100&since_id=", all[9],
                           "&max_id=", all[3]))["statuses"]);
  EXPECT_EQ(ranged, std::vector<uint64_t>(all.begin() + 3, all.begin() + 9));

  element popular =
      Get(absl::StrCat(kSearchTweets, "?q=%23perch&result_type=popular"));
  ASSERT_GT(popular["statuses"].get_array().size(), 0u);
  for (element t : popular["statuses"].get_array()) {
    EXPECT_EQ(Str(t["metadata"]["result_type"]), "popular");
  }
}

TEST_F(WorldReadsTest, SearchWithoutAQueryIs400Code25) {
  for (const char* query : {"count=5", "q="}) {
    HttpResult result =
        GetWithBearer(absl::StrCat(kSearchTweets, "?", query), token_);
    EXPECT_EQ(result.status, 400);
    EXPECT_EQ(
        result.body,
        R"({"errors":[{"code":25,"message":"Query parameters are missing."}]})");
  }
}

// --- followers/ids and followers/list ---

TEST_F(WorldReadsTest, FollowerIdsCursorsWalkToZero) {
  int pages = 0;
  std::vector<uint64_t> walked =
      WalkCursor(absl::StrCat(kFollowerIds,
                              "?screen_name=perch_popular&stringify_ids=true"),
                 "ids", &pages);
  EXPECT_EQ(walked, world_->FollowerIds(world_->popular()));
  EXPECT_GE(walked.size(), 12000u);
  EXPECT_EQ(pages, 3) << "5,000 a page";
}

TEST_F(WorldReadsTest, FollowerIdsAreStringsOnlyWhenAsked) {
  const std::vector<uint64_t> expected =
      Prefix(world_->FollowerIds(world_->dev()), 3);
  const std::string numbers =
      Raw(absl::StrCat(kFollowerIds, "?screen_name=perch_dev&count=3"));
  EXPECT_TRUE(absl::StartsWith(
      numbers, absl::StrCat("{\"ids\":[", expected[0], ",", expected[1], ",",
                            expected[2], "],\"next_cursor\":")))
      << numbers;
  const std::string strings = Raw(absl::StrCat(
      kFollowerIds, "?screen_name=perch_dev&count=3&stringify_ids=true"));
  EXPECT_TRUE(absl::StartsWith(
      strings, absl::StrCat("{\"ids\":[\"", expected[0], "\",\"", expected[1],
                            "\",\"", expected[2], "\"],")))
      << strings;
}

TEST_F(WorldReadsTest, PreviousCursorGoesBack) {
  element first =
      Get(absl::StrCat(kFollowerIds, "?screen_name=perch_dev&count=100"));
  EXPECT_EQ(first["previous_cursor"].get_int64().value(), 0);
  EXPECT_EQ(Str(first["previous_cursor_str"]), "0");
  const int64_t next = first["next_cursor"].get_int64().value();
  EXPECT_GE(next, kCursorBase);
  element second = Get(absl::StrCat(
      kFollowerIds, "?screen_name=perch_dev&count=100&cursor=", next));
  const int64_t previous = second["previous_cursor"].get_int64().value();
  EXPECT_LT(previous, 0);
  element back = Get(absl::StrCat(
      kFollowerIds, "?screen_name=perch_dev&count=100&cursor=", previous));
  std::vector<uint64_t> a, b;
  for (element id : first["ids"].get_array())
    a.push_back(id.get_uint64().value());
  for (element id : back["ids"].get_array())
    b.push_back(id.get_uint64().value());
  EXPECT_EQ(a, b);
  // A cursor never issued: an empty last page.
  element stray =
      Get(absl::StrCat(kFollowerIds, "?screen_name=perch_dev&cursor=12345"));
  EXPECT_EQ(stray["ids"].get_array().size(), 0u);
  EXPECT_EQ(Str(stray["next_cursor_str"]), "0");
}

TEST_F(WorldReadsTest, FollowersListPagesOf200) {
  int pages = 0;
  std::vector<uint64_t> walked = WalkCursor(
      absl::StrCat(kFollowersList,
                   "?screen_name=perch_dev&count=200&skip_status=true"),
      "users", &pages);
  EXPECT_EQ(walked, world_->FollowerIds(world_->dev()));
  EXPECT_EQ(pages,
            static_cast<int>((world_->dev().followers.size() + 199) / 200));
  EXPECT_EQ(Get(absl::StrCat(kFollowersList,
                             "?screen_name=perch_dev&count=900"))["users"]
                .get_array()
                .size(),
            200u);
  EXPECT_EQ(Get(absl::StrCat(kFollowersList, "?screen_name=perch_dev"))["users"]
                .get_array()
                .size(),
            20u);
}

TEST_F(WorldReadsTest, FollowersListStatusAndEntitiesFollowTheirFlags) {
  element full =
      Get(absl::StrCat(kFollowersList, "?screen_name=perch_popular&count=200"));
  int with_status = 0;
  for (element u : full["users"].get_array()) {
    EXPECT_EQ(u["entities"].error(), simdjson::SUCCESS);
    object status;
    if (u["status"].get(status) == simdjson::SUCCESS) {
      ++with_status;
      EXPECT_EQ(status["user"].error(), simdjson::NO_SUCH_FIELD);
    }
  }
  EXPECT_GT(with_status, 0);
  element bare = Get(absl::StrCat(kFollowersList,
                                  "?screen_name=perch_popular&count=200&skip_"
                                  "status=true&include_user_entities=false"));
  for (element u : bare["users"].get_array()) {
    EXPECT_EQ(u["status"].error(), simdjson::NO_SUCH_FIELD);
    EXPECT_EQ(u["entities"].error(), simdjson::NO_SUCH_FIELD);
  }
}

TEST_F(WorldReadsTest, FollowersOfProtectedSuspendedAndUnknownUsers) {
  for (const char* path :
       {"/1.1/followers/ids.json", "/1.1/followers/list.json"}) {
    HttpResult hidden =
        GetWithBearer(absl::StrCat(path, "?screen_name=perch_private"), token_);
    EXPECT_EQ(hidden.status, 401);
    EXPECT_EQ(hidden.body, absl::StrCat(R"({"request":")", path,
                                        R"(","error":"Not authorized."})"));
    EXPECT_EQ(
        GetWithBearer(absl::StrCat(path, "?screen_name=perch_banned"), token_)
            .status,
        403);
    EXPECT_EQ(
        GetWithBearer(absl::StrCat(path, "?screen_name=nobody_here_x"), token_)
            .status,
        404);
    EXPECT_EQ(GetWithBearer(path, token_).status, 400);
  }
}

// --- lists ---

TEST_F(WorldReadsTest, ListsShowByIdOrOwnerAndSlug) {
  const WorldList& list = world_->engineering();
  const std::string by_id = Raw(absl::StrCat(kListsShow, "?list_id=", list.id));
  const std::string by_slug = Raw(absl::StrCat(
      kListsShow, "?owner_screen_name=Perch_Dev&slug=Engineering"));
  EXPECT_EQ(by_id, by_slug);
  element shown = Get(absl::StrCat(kListsShow, "?list_id=", list.id));
  EXPECT_EQ(shown["id"].get_uint64().value(), list.id);
  EXPECT_EQ(Str(shown["slug"]), "engineering");
  EXPECT_EQ(Str(shown["full_name"]), "@perch_dev/engineering");
  EXPECT_EQ(Str(shown["uri"]), "/perch_dev/lists/engineering");
  EXPECT_EQ(Str(shown["mode"]), "public");
  EXPECT_EQ(shown["member_count"].get_uint64().value(), list.members.size());
  EXPECT_EQ(Str(shown["user"]["screen_name"]), "perch_dev");
}

TEST_F(WorldReadsTest, ListErrors) {
  const std::string not_found =
      R"({"errors":[{"code":34,"message":"Sorry, that page does not exist."}]})";
  for (const std::string& query :
       {std::string("list_id=1"),
        std::string("owner_screen_name=perch_dev&slug=nope"),
        std::string("owner_screen_name=perch_dev&slug=secret-plans"),
        std::string("owner_screen_name=nobody_here_x&slug=engineering")}) {
    for (const char* path : {kListsShow, kListsStatuses, kListsMembers}) {
      HttpResult result = GetWithBearer(absl::StrCat(path, "?", query), token_);
      EXPECT_EQ(result.status, 404) << path << "?" << query;
      EXPECT_EQ(result.body, not_found);
    }
  }
  HttpResult unnamed =
      GetWithBearer(absl::StrCat(kListsShow, "?slug=engineering"), token_);
  EXPECT_EQ(unnamed.status, 400);
  EXPECT_EQ(
      unnamed.body,
      R"({"errors":[{"code":112,"message":"You must specify either a list ID or a slug and owner."}]})");
}

TEST_F(WorldReadsTest, ListStatusesPageByIds) {
  const WorldList& list = world_->engineering();
  int pages = 0;
  EXPECT_EQ(
      WalkIds(absl::StrCat(kListsStatuses, "?list_id=", list.id, "&count=100"),
              &pages),
      world_->ListTimelineIds(list));
  EXPECT_GE(pages, 3);
  std::vector<uint64_t> no_rts =
      Ids(Get(absl::StrCat(kListsStatuses,
                           "?owner_screen_name=perch_dev&slug=engineering&"
                           "include_rts=false&count=50")));
  EXPECT_EQ(no_rts,
            Prefix(world_->ListTimelineIds(list, /*include_rts=*/false), 50));
}

TEST_F(WorldReadsTest, ListMembersCursorsWalkToZero) {
  const WorldList& list = world_->engineering();
  int pages = 0;
  EXPECT_EQ(
      WalkCursor(absl::StrCat(kListsMembers, "?list_id=", list.id, "&count=20"),
                 "users", &pages),
      world_->MemberIds(list));
  EXPECT_EQ(pages, static_cast<int>((list.members.size() + 19) / 20));
  EXPECT_EQ(Get(absl::StrCat(kListsMembers, "?list_id=", list.id,
                             "&count=5000"))["users"]
                .get_array()
                .size(),
            list.members.size());
}

}  // namespace
}  // namespace perch::emulator::testing
