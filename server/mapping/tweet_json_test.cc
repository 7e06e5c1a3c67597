#include "server/mapping/tweet_json.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "server/http/http_types.h"
#include "server/mapping/testing/recorded_body.h"
#include "simdjson.h"

namespace perch::mapping {
namespace {

using ::perch::mapping::testing::ParseFixture;
using ::perch::mapping::testing::ReadRecordedBody;
using ::perch::v1::Media;
using ::perch::v1::Tweet;

absl::StatusOr<std::vector<Tweet>> ParseRecorded(absl::string_view name) {
  return ParseFixture(ReadRecordedBody(name), ParseTweetArray);
}

// statuses/user_timeline.json?screen_name=Twitter (recorded 2020-12-29).
TEST(ParseTweetArray, UserTimelineOfTwitterMapsEveryField) {
  absl::StatusOr<std::vector<Tweet>> tweets =
      ParseRecorded("testusertimeline.1.json");
  ASSERT_TRUE(tweets.ok()) << tweets.status();
  ASSERT_EQ(tweets->size(), 20u);
  const Tweet& t = (*tweets)[0];
  EXPECT_EQ(t.id(), "1341793727208181762");
  EXPECT_EQ(t.text(), "@TreyNKennedy \xF0\x9F\x91\x80 https://t.co/1CZ6VbgaIL");
  EXPECT_EQ(t.created_at().seconds(), 1608743528);  // Wed Dec 23 17:12:08 2020
  EXPECT_EQ(t.lang(), "und");
  EXPECT_EQ(t.retweet_count(), 100);
  EXPECT_EQ(t.like_count(), 1043);
  EXPECT_EQ(t.reply_count(), 0);  // not in standard v1.1 bodies
  EXPECT_EQ(t.in_reply_to_tweet_id(), "1341404809354760192");
  EXPECT_EQ(t.in_reply_to_user_id(), "211002550");
  EXPECT_EQ(t.in_reply_to_screen_name(), "TreyNKennedy");
  EXPECT_EQ(t.source(),
            "<a href=\"http://twitter.com/download/iphone\" "
            "rel=\"nofollow\">Twitter for iPhone</a>");
  EXPECT_FALSE(t.possibly_sensitive());
  EXPECT_FALSE(t.has_retweeted_tweet());
  EXPECT_FALSE(t.has_quoted_tweet());

  const perch::v1::User& author = t.author();
  EXPECT_EQ(author.id(), "783214");
  EXPECT_EQ(author.screen_name(), "Twitter");
  EXPECT_EQ(author.name(), "Twitter");
  EXPECT_EQ(author.location(), "everywhere");
  EXPECT_EQ(author.description(), "this year was not it");
  EXPECT_EQ(author.url(), "https://t.co/TAXQpsHa5X");
  EXPECT_EQ(author.created_at().seconds(), 1171982154);  // Feb 20 2007
  EXPECT_EQ(author.followers_count(), 58778710);
  EXPECT_EQ(author.following_count(), 28);
  EXPECT_EQ(author.listed_count(), 87212);
  EXPECT_EQ(author.tweet_count(), 13993);
  EXPECT_TRUE(author.verified());
  EXPECT_FALSE(author.protected_());
  EXPECT_EQ(author.profile_image_url(),
            "https://pbs.twimg.com/profile_images/1308010958862905345/"
            "-SGZioPb_normal.jpg");

  ASSERT_EQ(t.entities().user_mentions_size(), 1);
  EXPECT_EQ(t.entities().user_mentions(0).user_id(), "211002550");
  EXPECT_EQ(t.entities().user_mentions(0).screen_name(), "TreyNKennedy");
  EXPECT_EQ(t.entities().user_mentions(0).name(), "Trey Kennedy");
  EXPECT_EQ(t.entities().hashtags_size(), 0);
  EXPECT_EQ(t.entities().urls_size(), 0);
  ASSERT_EQ(t.entities().media_size(), 1);
  const Media& media = t.entities().media(0);
  EXPECT_EQ(media.id(), "1341793718672760840");
  EXPECT_EQ(media.type(), Media::TYPE_PHOTO);
  EXPECT_EQ(media.media_url(),
            "https://pbs.twimg.com/media/Ep8CRytXIAgWtpq.jpg");
  EXPECT_EQ(media.url(), "https://t.co/1CZ6VbgaIL");
  EXPECT_EQ(media.expanded_url(),
            "https://twitter.com/Twitter/status/1341793727208181762/photo/1");

  // [4] has no possibly_sensitive member at all: false, not an error.
  EXPECT_EQ((*tweets)[4].id(), "1341494971405373445");
  EXPECT_FALSE((*tweets)[4].possibly_sensitive());
  // [10] is not a reply: the null *_str ids become "".
  EXPECT_EQ((*tweets)[10].id(), "1341398683594715138");
  EXPECT_EQ((*tweets)[10].in_reply_to_tweet_id(), "");
  EXPECT_EQ((*tweets)[10].in_reply_to_user_id(), "");
  EXPECT_EQ((*tweets)[10].in_reply_to_screen_name(), "");
  EXPECT_EQ((*tweets)[19].id(), "1341144046450962432");
}

// statuses/user_timeline.json of the test account (no user parameter).
TEST(ParseTweetArray, UserTimelineOfTestAccount) {
  absl::StatusOr<std::vector<Tweet>> tweets =
      ParseRecorded("testusertimeline.0.json");
  ASSERT_TRUE(tweets.ok()) << tweets.status();
  ASSERT_EQ(tweets->size(), 4u);
  const Tweet& t = (*tweets)[0];
  EXPECT_EQ(t.id(), "1149914662164684800");
  EXPECT_EQ(t.text(), "testing 1000 https://t.co/kIbedWfwG2");
  EXPECT_EQ(t.created_at().seconds(), 1562995994);  // Sat Jul 13 05:33:14 2019
  EXPECT_EQ(t.author().id(), "1072250532645998596");  // above 2^53
  EXPECT_EQ(t.author().screen_name(), "TweepyDev");
  EXPECT_EQ(t.author().name(), "Tweepy Testing");
  EXPECT_EQ(t.author().location(), "");
  EXPECT_EQ(t.author().created_at().seconds(), 1544479423);  // Dec 10 2018
  EXPECT_EQ(t.lang(), "en");
  EXPECT_EQ(t.in_reply_to_tweet_id(), "");
  ASSERT_EQ(t.entities().media_size(), 1);
  EXPECT_EQ(t.entities().media(0).id(), "1149914661267148800");
  EXPECT_EQ(t.entities().media(0).media_url(),
            "https://pbs.twimg.com/media/D_VRSrrXkAAYzkx.png");
  EXPECT_EQ((*tweets)[3].id(), "1149894972965085184");
}

// The transport leaves this much spare capacity so bodies parse in place.
static_assert(http::kResponseBodySpareBytes >= simdjson::SIMDJSON_PADDING,
              "a simdjson upgrade needs more spare bytes after a body");

// A body with SIMDJSON_PADDING spare capacity (what the transport hands
// over) takes ParseJson's in-place path: it must give the same result as a
// padded copy, and the bytes past its end, whatever they hold, are not part
// of it. (Equivalence only: which path ran is not observable here.)
TEST(ParseTweetArray, ParsesInPlaceFromABufferWithSpareCapacity) {
  absl::StatusOr<std::string> body =
      ReadRecordedBody("testusertimeline.1.json");
  ASSERT_TRUE(body.ok()) << body.status();
  const size_t size = body->size();
  std::string spacious = *body;
  spacious.append(100, ']');  // would close the array early if read
  spacious.resize(size);
  ASSERT_GE(spacious.capacity(), size + 64);

  absl::StatusOr<std::vector<Tweet>> in_place = ParseTweetArray(spacious);
  absl::StatusOr<std::vector<Tweet>> copied =
      ParseTweetArray(absl::string_view(*body));
  ASSERT_TRUE(in_place.ok()) << in_place.status();
  ASSERT_TRUE(copied.ok()) << copied.status();
  ASSERT_EQ(in_place->size(), 20u);
  ASSERT_EQ(in_place->size(), copied->size());
  for (size_t i = 0; i < copied->size(); ++i) {
    EXPECT_EQ((*in_place)[i].SerializeAsString(),
              (*copied)[i].SerializeAsString());
  }

  std::string truncated = body->substr(0, size / 2);
  truncated.append(100, ']');
  truncated.resize(size / 2);
  ASSERT_GE(truncated.capacity(), truncated.size() + 64);
  EXPECT_FALSE(ParseTweetArray(truncated).ok());
}

// max_id paging: page 1 holds ...201, page 2 (max_id = that - 1) holds
// ...232. The ids must survive exactly: a double would turn ...201 into
// ...200.
TEST(ParseTweetArray, IdPagingBodiesKeepIdsExact) {
  absl::StatusOr<std::vector<Tweet>> items =
      ParseRecorded("testidcursoritems.0.json");
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 10u);
  EXPECT_EQ((*items)[0].id(), "1149868110373171201");
  EXPECT_EQ((*items)[0].text(), "testing 1000 https://t.co/c2wEpOxHld");
  EXPECT_EQ((*items)[9].id(), "1149856028344967169");

  absl::StatusOr<std::vector<Tweet>> page1 =
      ParseRecorded("testidcursorpages.0.json");
  ASSERT_TRUE(page1.ok()) << page1.status();
  ASSERT_EQ(page1->size(), 1u);
  EXPECT_EQ((*page1)[0].id(), "1149868110373171201");
  EXPECT_EQ((*page1)[0].author().screen_name(), "TweepyDev");
  EXPECT_EQ((*page1)[0].source(),
            "<a href=\"https://github.com/harmon758/mIRC_script\" "
            "rel=\"nofollow\">mIRC/Twitch bot</a>");

  absl::StatusOr<std::vector<Tweet>> page2 =
      ParseRecorded("testidcursorpages.1.json");
  ASSERT_TRUE(page2.ok()) << page2.status();
  ASSERT_EQ(page2->size(), 1u);
  EXPECT_EQ((*page2)[0].id(), "1149867886946783232");
  EXPECT_EQ((*page2)[0].text(), "testing 1000 https://t.co/n9TJoijXxg");
}

// statuses/user_timeline.json?screen_name=Twitter (2021): a retweet and
// truncated (non-extended) texts.
TEST(ParseTweetArray, RetweetNestsTheOriginal) {
  absl::StatusOr<std::vector<Tweet>> tweets =
      ParseRecorded("testcursornext.0.json");
  ASSERT_TRUE(tweets.ok()) << tweets.status();
  ASSERT_EQ(tweets->size(), 20u);
  const Tweet& rt = (*tweets)[15];
  EXPECT_EQ(rt.id(), "1387801081590259717");
  EXPECT_EQ(rt.text(), "RT @tjoonies: WHAT ARE U KNOWN IN TWITTER FOR");
  EXPECT_EQ(rt.created_at().seconds(), 1619712536);  // Apr 29 16:08:56 2021
  EXPECT_EQ(rt.author().screen_name(), "Twitter");
  EXPECT_EQ(rt.retweet_count(), 1858);
  EXPECT_EQ(rt.like_count(), 0);
  ASSERT_EQ(rt.entities().user_mentions_size(), 1);
  EXPECT_EQ(rt.entities().user_mentions(0).user_id(), "1342118741585235971");
  ASSERT_TRUE(rt.has_retweeted_tweet());
  const Tweet& original = rt.retweeted_tweet();
  EXPECT_EQ(original.id(), "1386915221210468355");
  EXPECT_EQ(original.text(), "WHAT ARE U KNOWN IN TWITTER FOR");
  EXPECT_EQ(original.created_at().seconds(), 1619501331);  // Apr 27 05:28:51
  EXPECT_EQ(original.author().id(), "1342118741585235971");
  EXPECT_EQ(original.author().screen_name(), "kthxgenre");
  EXPECT_EQ(original.author().followers_count(), 6823);
  EXPECT_EQ(original.retweet_count(), 1858);
  EXPECT_EQ(original.like_count(), 48465);
  EXPECT_FALSE(original.has_retweeted_tweet());

  // [12] was recorded without tweet_mode=extended: truncated, so the text
  // comes from "text" with its "…" and the i/web link.
  const Tweet& truncated = (*tweets)[12];
  EXPECT_EQ(truncated.id(), "1390396166496522247");
  EXPECT_TRUE(absl::StartsWith(truncated.text(),
                               "show your love, leave a tip \n\nnow testing "
                               "Tip Jar"))
      << truncated.text();
  ASSERT_EQ(truncated.entities().urls_size(), 1);
  EXPECT_EQ(truncated.entities().urls(0).url(), "https://t.co/uwwJqIiyaZ");
  EXPECT_EQ(truncated.entities().urls(0).expanded_url(),
            "https://twitter.com/i/web/status/1390396166496522247");
  EXPECT_EQ(truncated.entities().urls(0).display_url(),
            "twitter.com/i/web/status/1\xE2\x80\xA6");
}

// lists/statuses.json of "Official Twitter Accounts".
TEST(ParseTweetArray, ListTimelineMapsEntitiesAndVideo) {
  absl::StatusOr<std::vector<Tweet>> tweets =
      ParseRecorded("testlisttimeline.0.json");
  ASSERT_TRUE(tweets.ok()) << tweets.status();
  ASSERT_EQ(tweets->size(), 20u);

  const Tweet& first = (*tweets)[0];
  EXPECT_EQ(first.id(), "1149867698572025858");
  EXPECT_EQ(first.author().screen_name(), "TwitterJP");
  EXPECT_EQ(first.author().id(), "7080152");
  EXPECT_EQ(first.lang(), "ja");
  EXPECT_EQ(first.like_count(), 4);
  EXPECT_TRUE(absl::StartsWith(
      first.text(), "\xE3\x82\xB9\xE3\x83\xAC\xE3\x83\x83\xE3\x83\x89"))
      << "expected the text to start with スレッド";
  EXPECT_EQ(first.in_reply_to_tweet_id(), "1134603426866769920");
  EXPECT_EQ(first.in_reply_to_user_id(), "7080152");
  EXPECT_EQ(first.in_reply_to_screen_name(), "TwitterJP");
  EXPECT_EQ(first.created_at().seconds(), 1562984797);  // Jul 13 02:26:37

  // [7]: a hashtag, two mentions, and a video whose entities.media entry
  // says "photo" while extended_entities.media says "video".
  const Tweet& art = (*tweets)[7];
  EXPECT_EQ(art.id(), "1149863542738173953");
  EXPECT_EQ(art.author().screen_name(), "ArtHouse");
  EXPECT_EQ(art.author().name(), "#TwitterArtHouse");
  EXPECT_EQ(art.created_at().seconds(), 1562983806);  // Jul 13 02:10:06
  EXPECT_TRUE(absl::StartsWith(
      art.text(),
      "Thanks for stopping by the new #TwitterArtHouse @AtomicMari!"));
  ASSERT_EQ(art.entities().hashtags_size(), 1);
  EXPECT_EQ(art.entities().hashtags(0).text(), "TwitterArtHouse");
  ASSERT_EQ(art.entities().user_mentions_size(), 2);
  EXPECT_EQ(art.entities().user_mentions(0).user_id(), "298527546");
  EXPECT_EQ(art.entities().user_mentions(0).screen_name(), "AtomicMari");
  EXPECT_EQ(art.entities().user_mentions(0).name(), "Mari Takahashi");
  EXPECT_EQ(art.entities().user_mentions(1).screen_name(), "VidCon");
  ASSERT_EQ(art.entities().media_size(), 1);
  EXPECT_EQ(art.entities().media(0).id(), "1149862874686189568");
  EXPECT_EQ(art.entities().media(0).type(), Media::TYPE_VIDEO);
  EXPECT_EQ(art.entities().media(0).media_url(),
            "https://pbs.twimg.com/amplify_video_thumb/1149862874686189568/"
            "img/xTxf8pOEpOSXkeAx.jpg");
  EXPECT_EQ(art.entities().media(0).url(), "https://t.co/MsxqpEbVfr");
  EXPECT_EQ(art.entities().media(0).expanded_url(),
            "https://twitter.com/ArtHouse/status/1149863542738173953/video/1");

  // [10]: three mentions, one with an id above 2^53; author url is null.
  const Tweet& gov = (*tweets)[10];
  EXPECT_EQ(gov.id(), "1149856063673556992");
  EXPECT_EQ(gov.author().screen_name(), "TwitterGov");
  EXPECT_EQ(gov.author().url(), "");
  ASSERT_EQ(gov.entities().user_mentions_size(), 3);
  EXPECT_EQ(gov.entities().user_mentions(2).user_id(), "1029778320328667136");
  EXPECT_EQ(gov.entities().user_mentions(2).screen_name(), "CityOfNOLA");
  ASSERT_EQ(gov.entities().hashtags_size(), 1);
  EXPECT_EQ(gov.entities().hashtags(0).text(), "Barry");
}

// statuses/home_timeline.json (user context only, so not an endpoint perch
// calls, but the same tweet array shape): the only recorded quotes.
TEST(ParseTweetArray, QuoteNestsTheQuotedTweet) {
  absl::StatusOr<std::vector<Tweet>> tweets =
      ParseRecorded("testcachedresult.2.json");
  ASSERT_TRUE(tweets.ok()) << tweets.status();
  ASSERT_EQ(tweets->size(), 18u);
  const Tweet& quote = (*tweets)[0];
  EXPECT_EQ(quote.id(), "1359273099355713538");
  EXPECT_EQ(quote.author().screen_name(), "andypiper");
  ASSERT_TRUE(quote.has_quoted_tweet());
  const Tweet& quoted = quote.quoted_tweet();
  EXPECT_EQ(quoted.id(), "1359272698325655561");
  EXPECT_EQ(quoted.created_at().seconds(), 1612910840);  // Feb 09 22:47:20
  EXPECT_EQ(quoted.author().screen_name(), "IgorBrigadir");
  EXPECT_EQ(quoted.author().id(), "495430242");
  EXPECT_TRUE(absl::StartsWith(quoted.text(), "#xmqk0 test post"));
  EXPECT_EQ(quoted.like_count(), 2);
  ASSERT_EQ(quoted.entities().hashtags_size(), 1);
  EXPECT_EQ(quoted.entities().hashtags(0).text(), "xmqk0");
  ASSERT_EQ(quoted.entities().user_mentions_size(), 1);
  EXPECT_EQ(quoted.entities().user_mentions(0).screen_name(), "recsyslabs");

  // [17]: an animated GIF (entities.media calls it "photo").
  const Tweet& gif = (*tweets)[17];
  EXPECT_EQ(gif.id(), "1358823181080014854");
  ASSERT_EQ(gif.entities().media_size(), 1);
  EXPECT_EQ(gif.entities().media(0).id(), "1358613429775331329");
  EXPECT_EQ(gif.entities().media(0).type(), Media::TYPE_ANIMATED_GIF);
}

TEST(ParseTweetArray, PrefersFullTextWhicheverOrder) {
  absl::StatusOr<std::vector<Tweet>> tweets = ParseTweetArray(R"([
    {"id_str":"1","text":"short…","full_text":"the whole text"},
    {"full_text":"whole again","text":"short…","id_str":"2"},
    {"id_str":"3","text":"only text"}
  ])");
  ASSERT_TRUE(tweets.ok()) << tweets.status();
  ASSERT_EQ(tweets->size(), 3u);
  EXPECT_EQ((*tweets)[0].text(), "the whole text");
  EXPECT_EQ((*tweets)[1].text(), "whole again");
  EXPECT_EQ((*tweets)[2].text(), "only text");
}

TEST(ParseTweetArray, ExtendedMediaReplacesEntitiesMediaWhicheverOrder) {
  // entities.media shows only the first attachment; extended_entities lists
  // all of them with their real types.
  constexpr absl::string_view kEntities =
      R"("entities":{"media":[{"id_str":"10","type":"photo"}]})";
  constexpr absl::string_view kExtended =
      R"("extended_entities":{"media":[{"id_str":"10","type":"video"},)"
      R"({"id_str":"11","type":"photo"}]})";
  for (const std::string& body :
       {absl::StrCat(R"([{"id_str":"1",)", kEntities, ",", kExtended, "}]"),
        absl::StrCat(R"([{"id_str":"1",)", kExtended, ",", kEntities, "}]")}) {
    absl::StatusOr<std::vector<Tweet>> tweets = ParseTweetArray(body);
    ASSERT_TRUE(tweets.ok()) << tweets.status();
    const auto& media = (*tweets)[0].entities().media();
    ASSERT_EQ(media.size(), 2) << body;
    EXPECT_EQ(media[0].id(), "10");
    EXPECT_EQ(media[0].type(), Media::TYPE_VIDEO);
    EXPECT_EQ(media[1].id(), "11");
    EXPECT_EQ(media[1].type(), Media::TYPE_PHOTO);
  }
}

TEST(ParseTweetArray, ReadsCountsAndToleratesNullsAndUnknownMembers) {
  absl::StatusOr<std::vector<Tweet>> tweets = ParseTweetArray(R"([{
    "id_str":"1149557488447975429", "id":1149557488447975429,
    "full_text":"x", "reply_count":3, "quote_count":4, "retweet_count":5,
    "favorite_count":null, "possibly_sensitive":true, "lang":null,
    "place":null, "coordinates":{"type":"Point","coordinates":[1.5,2.5]},
    "quoted_status":null, "retweeted_status":null, "entities":null,
    "future_member":{"nested":[{"deep":[1,2,{"x":null}]}]},
    "created_at":null, "user":{"id_str":"6253282","url":null,
    "description":null,"location":null,"profile_image_url_https":null}
  }])");
  ASSERT_TRUE(tweets.ok()) << tweets.status();
  const Tweet& t = (*tweets)[0];
  EXPECT_EQ(t.id(), "1149557488447975429");
  EXPECT_EQ(t.reply_count(), 3);
  EXPECT_EQ(t.quote_count(), 4);
  EXPECT_EQ(t.retweet_count(), 5);
  EXPECT_EQ(t.like_count(), 0);
  EXPECT_TRUE(t.possibly_sensitive());
  EXPECT_EQ(t.lang(), "");
  EXPECT_FALSE(t.has_quoted_tweet());
  EXPECT_FALSE(t.has_retweeted_tweet());
  EXPECT_FALSE(t.has_created_at());
  EXPECT_EQ(t.author().id(), "6253282");
  EXPECT_EQ(t.author().url(), "");
  EXPECT_FALSE(t.author().has_created_at());
}

TEST(ParseTweetArray, EmptyArrayIsNoTweets) {
  absl::StatusOr<std::vector<Tweet>> tweets = ParseTweetArray(" [ ] \n");
  ASSERT_TRUE(tweets.ok()) << tweets.status();
  EXPECT_TRUE(tweets->empty());
}

}  // namespace
}  // namespace perch::mapping
