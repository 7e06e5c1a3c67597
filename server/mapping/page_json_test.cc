#include "server/mapping/page_json.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "server/mapping/testing/recorded_body.h"

namespace perch::mapping {
namespace {

using ::perch::mapping::testing::ParseFixture;
using ::perch::mapping::testing::ReadRecordedBody;
using ::perch::v1::Media;
using ::testing::ElementsAre;

// search/tweets.json?q=tweepy: 15 statuses and search_metadata.
TEST(ParseSearchPage, RecordedSearchMapsTweetsAndNextMaxId) {
  absl::StatusOr<std::string> body =
      ReadRecordedBody("testsearchtweets.0.json");
  ASSERT_TRUE(body.ok()) << body.status();
  absl::StatusOr<SearchPage> page = ParseSearchPage(*body);
  ASSERT_TRUE(page.ok()) << page.status();
  // next_results is "?max_id=1149557488447975428&q=tweepy&include_entities=1"
  EXPECT_EQ(page->next_max_id, "1149557488447975428");
  ASSERT_EQ(page->tweets.size(), 15u);

  // [0]: a retweet of a GIF tweet.
  const perch::v1::Tweet& rt = page->tweets[0];
  EXPECT_EQ(rt.id(), "1149825924029980674");
  EXPECT_EQ(rt.created_at().seconds(), 1562974837);  // Jul 12 23:40:37 2019
  EXPECT_EQ(rt.text(),
            "RT @KassidyCook1: Me, during the season 3 Stranger Things finale "
            "https://t.co/zoXlQF2TrZ");
  EXPECT_EQ(rt.author().screen_name(), "tweepy_pie");
  EXPECT_EQ(rt.author().id(), "789181790");
  EXPECT_EQ(rt.author().name(), "Dina Parmar");
  EXPECT_EQ(rt.author().followers_count(), 176);
  EXPECT_EQ(rt.author().following_count(), 445);
  EXPECT_EQ(rt.author().url(), "");  // null in the body
  EXPECT_EQ(rt.retweet_count(), 7);
  EXPECT_EQ(rt.like_count(), 0);
  ASSERT_EQ(rt.entities().media_size(), 1);
  EXPECT_EQ(rt.entities().media(0).id(), "1149803440769552388");
  EXPECT_EQ(rt.entities().media(0).type(), Media::TYPE_ANIMATED_GIF);
  EXPECT_EQ(rt.entities().media(0).media_url(),
            "https://pbs.twimg.com/tweet_video_thumb/D_TsIzCXUAQjTVq.jpg");
  ASSERT_TRUE(rt.has_retweeted_tweet());
  EXPECT_EQ(rt.retweeted_tweet().id(), "1149803446704443392");
  EXPECT_EQ(rt.retweeted_tweet().author().screen_name(), "KassidyCook1");
  EXPECT_EQ(rt.retweeted_tweet().author().id(), "305278762");
  EXPECT_EQ(rt.retweeted_tweet().like_count(), 47);
  EXPECT_EQ(rt.retweeted_tweet().created_at().seconds(), 1562969478);
  EXPECT_EQ(rt.retweeted_tweet().entities().media(0).type(),
            Media::TYPE_ANIMATED_GIF);

  // [1]: a retweet of a video.
  ASSERT_GE(page->tweets[1].entities().media_size(), 1);
  EXPECT_EQ(page->tweets[1].entities().media(0).type(), Media::TYPE_VIDEO);

  // [6]: four hashtags and a link.
  const perch::v1::Tweet& tags = page->tweets[6];
  EXPECT_EQ(tags.id(), "1149698684646563840");
  EXPECT_EQ(tags.author().screen_name(), "curated_data");
  EXPECT_EQ(tags.author().id(), "939060292008468480");
  ASSERT_EQ(tags.entities().hashtags_size(), 4);
  EXPECT_EQ(tags.entities().hashtags(0).text(), "data");
  EXPECT_EQ(tags.entities().hashtags(3).text(), "twitter");
  ASSERT_EQ(tags.entities().urls_size(), 1);
  EXPECT_EQ(tags.entities().urls(0).url(), "https://t.co/JJfExblgzY");
  EXPECT_EQ(tags.entities().urls(0).expanded_url(),
            "https://www.data-blogger.com/2017/02/24/"
            "gathering-tweets-with-python/");
  EXPECT_EQ(tags.entities().urls(0).display_url(),
            "data-blogger.com/2017/02/24/gat\xE2\x80\xA6");

  // [14], the oldest: its id is next_max_id + 1.
  EXPECT_EQ(page->tweets[14].id(), "1149557488447975429");
  EXPECT_EQ(page->tweets[14].text(), "test Tweepy");
  EXPECT_EQ(page->tweets[14].author().screen_name(), "iAns51177107");
}

TEST(ParseSearchPage, LastPageHasNoNextMaxId) {
  for (const char* body : {
           R"({"statuses":[],"search_metadata":{"count":15,"query":"x"}})",
           R"({"statuses":[],"search_metadata":{"next_results":null}})",
           R"({"search_metadata":{"next_results":""},"statuses":[]})",
           R"({"statuses":[]})",
       }) {
    absl::StatusOr<SearchPage> page = ParseSearchPage(body);
    ASSERT_TRUE(page.ok()) << body << ": " << page.status();
    EXPECT_EQ(page->next_max_id, "") << body;
    EXPECT_TRUE(page->tweets.empty());
  }
}

TEST(ParseSearchPage, NextResultsWithoutUsableMaxIdIsMalformed) {
  for (
      const char* body : {
          R"({"statuses":[],"search_metadata":{"next_results":"?q=x"}})",
          R"({"statuses":[],"search_metadata":{"next_results":"?max_id=12a&q=x"}})",
          R"({"statuses":[],"search_metadata":{"next_results":"?max_id=&q=x"}})",
          R"({"search_metadata":{}})",
          R"({"statuses":{}})",
      }) {
    absl::StatusOr<SearchPage> page = ParseSearchPage(body);
    ASSERT_FALSE(page.ok()) << body;
    EXPECT_EQ(ErrorReason(page.status()), "UPSTREAM_MALFORMED_RESPONSE");
  }
}

TEST(ParseSearchPage, MaxIdMayComeAfterOtherParameters) {
  absl::StatusOr<SearchPage> page = ParseSearchPage(
      R"({"statuses":[],"search_metadata":{"next_results":"?q=a%26b&max_id=42&count=5"}})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->next_max_id, "42");
}

// followers/list.json?screen_name=TweepyDev: two users, last page.
TEST(ParseUserPage, RecordedFollowersList) {
  absl::StatusOr<UserPage> page =
      ParseFixture(ReadRecordedBody("testgetfollowers.0.json"), ParseUserPage);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->next_cursor, "");  // next_cursor_str "0"
  ASSERT_EQ(page->users.size(), 2u);
  const perch::v1::User& jessica = page->users[0];
  EXPECT_EQ(jessica.id(), "15772978");
  EXPECT_EQ(jessica.screen_name(), "jessicagarson");
  EXPECT_EQ(jessica.name(), "Jessica Garson");
  EXPECT_EQ(jessica.location(), "Brooklyn, NY");
  EXPECT_TRUE(
      absl::StartsWith(jessica.description(), "Developer Advocate @Twitter."));
  EXPECT_EQ(jessica.url(), "https://t.co/7o2d6oAKln");
  EXPECT_EQ(jessica.created_at().seconds(), 1218161783);  // Aug 08 2008
  EXPECT_EQ(jessica.followers_count(), 3394);
  EXPECT_EQ(jessica.following_count(), 2673);
  EXPECT_EQ(jessica.listed_count(), 125);
  EXPECT_EQ(jessica.tweet_count(), 6812);
  EXPECT_FALSE(jessica.verified());
  EXPECT_FALSE(jessica.protected_());
  const perch::v1::User& harmon = page->users[1];
  EXPECT_EQ(harmon.id(), "145336962");
  EXPECT_EQ(harmon.screen_name(), "Harmon758");
  EXPECT_EQ(harmon.description(), "");
  EXPECT_TRUE(harmon.protected_());
  EXPECT_EQ(harmon.profile_image_url(),
            "https://pbs.twimg.com/profile_images/1092562086784200704/"
            "fjKDgB7k_normal.jpg");
}

// lists/members.json of "Official Twitter Accounts": 20 users and a cursor
// above 2^53.
TEST(ParseUserPage, RecordedListMembersKeepsCursorExact) {
  absl::StatusOr<UserPage> page = ParseFixture(
      ReadRecordedBody("testgetlistmembers.0.json"), ParseUserPage);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->next_cursor, "4611686021442659676");
  ASSERT_EQ(page->users.size(), 20u);
  const perch::v1::User& first = page->users[0];
  EXPECT_EQ(first.id(), "766296039036948480");
  EXPECT_EQ(first.screen_name(), "momentsmena");
  EXPECT_EQ(first.name(), "Moments MENA");
  EXPECT_EQ(first.url(), "");                           // null
  EXPECT_EQ(first.created_at().seconds(), 1471534187);  // Aug 18 2016
  EXPECT_EQ(first.followers_count(), 135846);
  EXPECT_EQ(first.following_count(), 12);
  EXPECT_EQ(first.listed_count(), 472);
  EXPECT_EQ(first.tweet_count(), 25247);
  EXPECT_TRUE(first.verified());
  const perch::v1::User& last = page->users[19];
  EXPECT_EQ(last.id(), "3015271772");
  EXPECT_EQ(last.screen_name(), "TwitterFood");
  EXPECT_EQ(last.description(), "Tweet what you eat.");
  EXPECT_EQ(last.url(), "https://t.co/SPGIfM1UIR");
}

TEST(ParseUserPage, FallsBackToNumericCursorOnlyWhenStringIsMissing) {
  absl::StatusOr<UserPage> number_only =
      ParseUserPage(R"({"users":[],"next_cursor":4611686021442659676})");
  ASSERT_TRUE(number_only.ok()) << number_only.status();
  EXPECT_EQ(number_only->next_cursor, "4611686021442659676");

  absl::StatusOr<UserPage> both = ParseUserPage(
      R"({"next_cursor":1,"next_cursor_str":"1627422342374124","users":[]})");
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(both->next_cursor, "1627422342374124");

  absl::StatusOr<UserPage> none = ParseUserPage(R"({"users":[]})");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->next_cursor, "");
}

TEST(ParseUserPage, RejectsMissingUsersAndBadCursors) {
  for (const char* body : {
           R"({"next_cursor_str":"0"})",
           R"({"users":{},"next_cursor_str":"0"})",
           R"({"users":[],"next_cursor_str":"abc"})",
           R"({"users":[],"next_cursor_str":5})",
           R"({"users":[],"next_cursor":1.5})",
           R"({"users":[{"screen_name":"no_id"}],"next_cursor_str":"0"})",
       }) {
    absl::StatusOr<UserPage> page = ParseUserPage(body);
    ASSERT_FALSE(page.ok()) << body;
    EXPECT_EQ(ErrorReason(page.status()), "UPSTREAM_MALFORMED_RESPONSE");
  }
}

// followers/ids.json?screen_name=TweepyDev (recorded without
// stringify_ids, so the ids are bare numbers).
TEST(ParseIdPage, RecordedFollowerIds) {
  for (const char* name :
       {"testgetfollowerids.0.json", "testcursorcursoritems.1.json",
        "testcursorcursorpages.1.json"}) {
    absl::StatusOr<IdPage> page =
        ParseFixture(ReadRecordedBody(name), ParseIdPage);
    ASSERT_TRUE(page.ok()) << name << ": " << page.status();
    EXPECT_THAT(page->ids, ElementsAre("15772978", "145336962")) << name;
    EXPECT_EQ(page->next_cursor, "") << name;
  }
}

// friends/ids.json: not an endpoint perch calls, but the same shape as
// followers/ids and the one recording with bare-number ids above 2^53.
TEST(ParseIdPage, BareNumberIdsAbove2To53StayExact) {
  for (const char* name :
       {"testcursorcursoritems.0.json", "testcursorcursorpages.0.json"}) {
    absl::StatusOr<IdPage> page =
        ParseFixture(ReadRecordedBody(name), ParseIdPage);
    ASSERT_TRUE(page.ok()) << name << ": " << page.status();
    EXPECT_THAT(
        page->ids,
        ElementsAre("857699969263964161", "786491", "15772978", "145336962",
                    "750362064426721281", "6253282", "2244994945"))
        << name;
    EXPECT_EQ(page->next_cursor, "");
  }
}

TEST(ParseIdPage, StringifiedIdsAndCursor) {
  absl::StatusOr<IdPage> page = ParseIdPage(
      R"({"ids":["857699969263964161","18446744073709551615","1"],)"
      R"("next_cursor":1627422342374124000,)"
      R"("next_cursor_str":"1627422342374124000","total_count":null})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(page->ids,
              ElementsAre("857699969263964161", "18446744073709551615", "1"));
  EXPECT_EQ(page->next_cursor, "1627422342374124000");
}

TEST(ParseIdPage, LargestUnsignedNumberIdIsExact) {
  absl::StatusOr<IdPage> page =
      ParseIdPage(R"({"ids":[18446744073709551615,9007199254740993]})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(page->ids,
              ElementsAre("18446744073709551615", "9007199254740993"));
}

TEST(ParseIdPage, RejectsIdsThatAreNotIntegers) {
  for (const char* body : {
           R"({"ids":[1.5]})",
           R"({"ids":[-1]})",
           R"({"ids":[1e3]})",
           R"({"ids":[18446744073709551616]})",
           R"({"ids":["12x"]})",
           R"({"ids":[""]})",
           R"({"ids":[null]})",
           R"({"ids":[true]})",
           R"({"ids":[[1]]})",
           R"({"ids":"1,2"})",
           R"({"next_cursor_str":"0"})",
       }) {
    absl::StatusOr<IdPage> page = ParseIdPage(body);
    ASSERT_FALSE(page.ok()) << body;
    EXPECT_EQ(ErrorReason(page.status()), "UPSTREAM_MALFORMED_RESPONSE")
        << body;
  }
}

}  // namespace
}  // namespace perch::mapping
