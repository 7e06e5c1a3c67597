// Hand-picked values from each real v2 body (UPSTREAM-V2.md §7): what a
// reader of the recording sees, written out, so that a mapping that is wrong
// in the same way as the DOM cross-check in v2_recorded_corpus_test.cc still
// fails here.
#include <string>

#include "gtest/gtest.h"
#include "server/mapping/testing/v2_recorded.h"
#include "server/mapping/v2_json.h"

namespace perch::mapping::v2 {
namespace {

using ::perch::mapping::testing::ParseFixture;
using ::perch::mapping::testing::ReadV2Body;
using ::perch::v1::Media;
using ::perch::v1::Tweet;
using ::perch::v1::TwitterList;
using ::perch::v1::User;

absl::StatusOr<TweetPage> TweetsOf(absl::string_view path, int line = 0) {
  return ParseFixture(ReadV2Body(path, line), ParseTweetPage);
}
absl::StatusOr<UserPage> UsersOf(absl::string_view path, int line = 0) {
  return ParseFixture(ReadV2Body(path, line), ParseUserPage);
}

// ---- tweepy (default fields only: id, text, edit_history_tweet_ids) -------

TEST(V2RecordedBodies, TweepyUserTimelineHasOnlyDefaultFields) {
  absl::StatusOr<TweetPage> page =
      TweetsOf("recorded/bodies/test_client_get_users_tweets.0.json");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->tweets.size(), 2u);
  const Tweet& first = page->tweets[0];
  EXPECT_EQ(first.id(), "1577730467436138524");
  EXPECT_EQ(
      first.text(),
      "whoa, it works\n\nnow everyone can mix GIFs, videos, and images in "
      "one Tweet, available on iOS and Android https://t.co/3OQ4eGsUku "
      "https://t.co/LVVolAQPZi");
  EXPECT_FALSE(first.has_author());
  EXPECT_FALSE(first.has_created_at());
  EXPECT_EQ(first.like_count(), 0);
  EXPECT_EQ(page->tweets[1].id(), "1565318587736285184");
  EXPECT_EQ(page->meta.result_count, 2);
  EXPECT_EQ(page->meta.newest_id, "1577730467436138524");
  EXPECT_EQ(page->meta.oldest_id, "1565318587736285184");
  EXPECT_EQ(page->meta.next_token,
            "7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peex");
  EXPECT_TRUE(page->errors.empty());
}

TEST(V2RecordedBodies, TweepySearchKeepsACutRetweetWithoutIncludes) {
  absl::StatusOr<TweetPage> page =
      TweetsOf("recorded/bodies/test_asyncclient_search_recent_tweets.0.json");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->tweets.size(), 10u);
  // No referenced_tweets without the field: the cut text is all there is.
  EXPECT_EQ(page->tweets[0].id(), "1578522194770296832");
  EXPECT_EQ(page->tweets[0].text().substr(0, 48),
            "RT @t6dr1ve: #TwitterBots go away! We don't need");
  EXPECT_FALSE(page->tweets[0].has_retweeted_tweet());
  EXPECT_EQ(page->tweets[9].text(), "2022-10-07 22:54:12.636526 tweepy");
  EXPECT_EQ(page->meta.next_token,
            "b26v89c19zqg8o3fpzbn1e0frlukytxrp1o8pel01jb7h");
  EXPECT_EQ(page->meta.newest_id, "1578522194770296832");
  EXPECT_EQ(page->meta.oldest_id, "1578519088158371840");

  absl::StatusOr<TweetPage> other =
      TweetsOf("recorded/bodies/test_client_search_recent_tweets.0.json");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->tweets[0].text(), "2022-10-07 22:42:12.637103 tweepy");
  EXPECT_EQ(other->meta.next_token,
            "b26v89c19zqg8o3fpzbn1e0ffhxjiofzw6po136rvbnul");
}

TEST(V2RecordedBodies, TweepyListTweetsShortPageWithNextToken) {
  absl::StatusOr<TweetPage> page =
      TweetsOf("recorded/bodies/test_client_get_list_tweets.0.json");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->tweets.size(), 97u);
  EXPECT_EQ(page->meta.result_count, 97);
  EXPECT_EQ(page->meta.next_token,
            "7140dibdnow9c7btw423i3sn9uw15y6f8lzfkzug1atrq");
  EXPECT_EQ(page->meta.newest_id, "");  // list tweets send none
  EXPECT_EQ(page->tweets[0].id(), "1578510160623853570");
  EXPECT_EQ(page->tweets[0].text(),
            "If you could have 1:1 master classes with 5 Latinx folks, who "
            "would they be? #PalFrente");
  EXPECT_EQ(page->tweets[96].id(), "1578400279413899266");
}

TEST(V2RecordedBodies, TweepyFollowersAndMembers) {
  absl::StatusOr<UserPage> followers =
      UsersOf("recorded/bodies/test_client_get_users_followers.0.json");
  ASSERT_TRUE(followers.ok()) << followers.status();
  ASSERT_EQ(followers->users.size(), 100u);
  EXPECT_EQ(followers->users[0].id(), "1376998163739987969");
  EXPECT_EQ(followers->users[0].screen_name(), "Zamari97491661");
  EXPECT_EQ(followers->users[0].name(), "Za\xE2\x80\x99mari");
  EXPECT_EQ(followers->users[99].screen_name(), "JuvenalCarrill9");
  EXPECT_EQ(followers->meta.next_token, "5CS0O0C6II61EZZZ");

  // A short page that still has a next one.
  absl::StatusOr<UserPage> short_page =
      UsersOf("recorded/bodies/test_asyncclient_get_users_followers.0.json");
  ASSERT_TRUE(short_page.ok()) << short_page.status();
  EXPECT_EQ(short_page->users.size(), 84u);
  EXPECT_EQ(short_page->meta.result_count, 84);
  EXPECT_EQ(short_page->meta.next_token, "KFQ7D80IT44HGZZZ");

  absl::StatusOr<UserPage> members =
      UsersOf("recorded/bodies/test_client_get_list_members.0.json");
  ASSERT_TRUE(members.ok()) << members.status();
  ASSERT_EQ(members->users.size(), 100u);
  EXPECT_EQ(members->users[0].id(), "1319036828964454402");
  EXPECT_EQ(members->users[0].screen_name(), "birdwatch");
  EXPECT_EQ(members->users[99].name(), "Twitter News");
  // Looks numeric, stays an opaque string.
  EXPECT_EQ(members->meta.next_token, "4611686018799963893");

  absl::StatusOr<UserPage> by_names =
      UsersOf("recorded/bodies/test_client_get_users.0.json");
  ASSERT_TRUE(by_names.ok()) << by_names.status();
  ASSERT_EQ(by_names->users.size(), 2u);
  EXPECT_EQ(by_names->users[1].screen_name(), "TwitterDev");
  EXPECT_EQ(by_names->meta.result_count, 0);  // no meta on lookups
}

TEST(V2RecordedBodies, TweepyUserAndListLookups) {
  absl::StatusOr<UserLookup> user =
      ParseFixture(ReadV2Body("recorded/bodies/test_client_get_user.0.json"),
                   ParseUserLookup);
  ASSERT_TRUE(user.ok()) << user.status();
  ASSERT_TRUE(user->user.has_value());
  EXPECT_EQ(user->user->id(), "783214");
  EXPECT_EQ(user->user->screen_name(), "Twitter");
  EXPECT_EQ(user->user->name(), "Twitter");
  EXPECT_FALSE(user->user->has_created_at());

  absl::StatusOr<ListLookup> list = ParseFixture(
      ReadV2Body("recorded/bodies/test_asyncclient_get_list.0.json"),
      ParseListLookup);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_TRUE(list->list.has_value());
  EXPECT_EQ(list->list->id(), "84839422");
  EXPECT_EQ(list->list->name(), "Official Twitter Accounts");
  // The slug v1.1 gave this list (UPSTREAM.md, testgetlist).
  EXPECT_EQ(list->list->slug(), "official-twitter-accounts");
  EXPECT_EQ(list->list->full_name(), "");  // owner not asked for
  EXPECT_FALSE(list->list->has_owner());
  EXPECT_EQ(list->list->mode(), TwitterList::MODE_UNSPECIFIED);
}

// ---- twarc2 captures (full fields and expansions) -------------------------

TEST(V2RecordedBodies, KpopSearchRetweetResolvedFromIncludes) {
  absl::StatusOr<TweetPage> page =
      TweetsOf("recorded-v2/twarc-csv/2sets.jsonl");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->tweets.size(), 100u);
  const Tweet& retweet = page->tweets[0];
  EXPECT_EQ(retweet.id(), "1440717170493689866");
  EXPECT_EQ(retweet.created_at().seconds(), 1632328715);  // 16:38:35Z
  EXPECT_EQ(retweet.lang(), "es");
  EXPECT_EQ(retweet.source(), "Twitter Web App");
  EXPECT_EQ(retweet.retweet_count(), 20);
  EXPECT_EQ(retweet.author().id(), "1433267766912557062");
  EXPECT_EQ(retweet.author().screen_name(), "ximerios12_");
  EXPECT_EQ(retweet.author().followers_count(), 4);
  EXPECT_EQ(retweet.author().following_count(), 90);
  EXPECT_EQ(retweet.author().tweet_count(), 67);
  EXPECT_EQ(retweet.author().url(), "");
  // The cut "…#kpop…" text becomes the whole original behind "RT @…: ".
  EXPECT_EQ(retweet.text(),
            "RT @ChartsEcuador: #TopKPopEcuador\n@BTS_twt se mantiene en el #1 "
            "con #Butter, #Lisa debuta en el #2 \nhttps://t.co/pQMACSzDmd\n"
            "#charts #kpop #bts #blackpink #straykids https://t.co/isLejPBxdt");
  ASSERT_EQ(retweet.entities().hashtags_size(), 5);
  EXPECT_EQ(retweet.entities().hashtags(0).text(), "TopKPopEcuador");
  ASSERT_EQ(retweet.entities().user_mentions_size(), 2);
  EXPECT_EQ(retweet.entities().user_mentions(0).screen_name(), "ChartsEcuador");
  EXPECT_EQ(retweet.entities().user_mentions(0).user_id(), "902035056");
  ASSERT_EQ(retweet.entities().urls_size(), 1);
  EXPECT_EQ(retweet.entities().urls(0).expanded_url(),
            "http://www.chartsecuador.biz");
  EXPECT_EQ(retweet.entities().media_size(), 0);

  ASSERT_TRUE(retweet.has_retweeted_tweet());
  const Tweet& original = retweet.retweeted_tweet();
  EXPECT_EQ(original.id(), "1440691114135080963");
  EXPECT_EQ(original.author().screen_name(), "ChartsEcuador");
  EXPECT_EQ(original.created_at().seconds(), 1632322503);  // 14:55:03Z
  EXPECT_EQ(original.retweet_count(), 20);
  EXPECT_EQ(original.reply_count(), 13);
  EXPECT_EQ(original.like_count(), 73);
  EXPECT_EQ(original.quote_count(), 3);
  // Its photo was not expanded: the id (from the key) and the pic link stay.
  ASSERT_EQ(original.entities().media_size(), 1);
  EXPECT_EQ(original.entities().media(0).id(), "1440691067448279044");
  EXPECT_EQ(original.entities().media(0).url(), "https://t.co/isLejPBxdt");
  EXPECT_EQ(original.entities().urls_size(), 1);
}

TEST(V2RecordedBodies, KpopSearchMediaGifAndVideo) {
  absl::StatusOr<TweetPage> page =
      TweetsOf("recorded-v2/twarc-csv/2sets.jsonl");
  ASSERT_TRUE(page.ok()) << page.status();
  const Tweet& gif = page->tweets[16];
  EXPECT_EQ(gif.id(), "1440717011152113669");
  ASSERT_EQ(gif.entities().media_size(), 1);
  EXPECT_EQ(gif.entities().media(0).id(), "1440716895158636544");
  EXPECT_EQ(gif.entities().media(0).type(), Media::TYPE_ANIMATED_GIF);
  EXPECT_EQ(gif.entities().media(0).media_url(),
            "https://pbs.twimg.com/tweet_video_thumb/E_50YgXVkAAI9UA.jpg");
  EXPECT_EQ(gif.entities().media(0).url(), "https://t.co/3Z5DADl2bi");
  EXPECT_EQ(gif.entities().media(0).expanded_url(),
            "https://twitter.com/FrejaArt/status/1440717011152113669/photo/1");
  EXPECT_EQ(gif.entities().urls_size(), 0);  // the pic link moved
  EXPECT_EQ(gif.entities().hashtags_size(), 7);

  const Tweet& video = page->tweets[86];
  EXPECT_EQ(video.id(), "1440716078917640194");
  ASSERT_EQ(video.entities().media_size(), 1);
  EXPECT_EQ(video.entities().media(0).type(), Media::TYPE_VIDEO);
  EXPECT_EQ(video.entities().media(0).id(), "1440715923539705856");
  EXPECT_EQ(video.entities().media(0).media_url(),
            "https://pbs.twimg.com/ext_tw_video_thumb/1440715923539705856/pu/"
            "img/n2uYY2KpbkJ9sHPo.jpg");
  EXPECT_EQ(video.entities().media(0).expanded_url(),
            "https://twitter.com/BeeeBlock/status/1440716078917640194/video/1");
  EXPECT_EQ(video.author().url(), "https://t.co/qc6KYaC6xN");
  EXPECT_EQ(video.author().location(), "Beehive ");
}

TEST(V2RecordedBodies, KpopSearchSuspendedMentionIsAPartialError) {
  absl::StatusOr<TweetPage> page =
      TweetsOf("recorded-v2/twarc-csv/2sets.jsonl");
  ASSERT_TRUE(page.ok()) << page.status();
  // The mention of the suspended user is still in the tweet...
  const Tweet& tweet = page->tweets[74];
  EXPECT_EQ(tweet.id(), "1440716248904450056");
  ASSERT_EQ(tweet.entities().user_mentions_size(), 2);
  EXPECT_EQ(tweet.entities().user_mentions(1).screen_name(), "leeseunggi");
  EXPECT_EQ(tweet.entities().user_mentions(1).user_id(), "54551802");
  // ...and the page carries the problem as data, next to `data`.
  ASSERT_EQ(page->errors.size(), 1u);
  const Problem& problem = page->errors[0];
  EXPECT_EQ(ProblemName(problem.type), "resource-not-found");
  EXPECT_EQ(problem.title, "Forbidden");
  EXPECT_EQ(problem.detail, "User has been suspended: [leeseunggi].");
  EXPECT_EQ(problem.parameter, "entities.mentions.username");
  EXPECT_EQ(problem.resource_id, "leeseunggi");
  EXPECT_EQ(problem.value, "leeseunggi");
  EXPECT_EQ(problem.resource_type, "user");
  EXPECT_EQ(problem.section, "");
  EXPECT_EQ(page->meta.result_count, 100);
  EXPECT_EQ(page->meta.newest_id, "1440717170493689866");
  EXPECT_EQ(page->meta.oldest_id, "1440715923816546309");
  EXPECT_EQ(page->meta.next_token,
            "b26v89c19zqg8o3fpds60ssjlg8rrux0bxoa7beulbhbx");
}

TEST(V2RecordedBodies, BrexitSearchQuoteOfAQuoteAndAReply) {
  absl::StatusOr<TweetPage> page =
      TweetsOf("recorded-v2/twarc-csv/2sets.jsonl", 1);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->tweets.size(), 100u);
  EXPECT_TRUE(page->errors.empty());
  EXPECT_EQ(page->meta.next_token,
            "b26v89c19zqg8o3fpds60ssjif02fq74br3502of8hmrh");

  const Tweet& quote = page->tweets[29];
  EXPECT_EQ(quote.id(), "1440715873069584390");
  EXPECT_EQ(quote.author().screen_name(), "RussNeale");
  EXPECT_EQ(quote.source(), "Twitter for iPad");
  EXPECT_FALSE(quote.has_retweeted_tweet());
  ASSERT_TRUE(quote.has_quoted_tweet());
  const Tweet& quoted = quote.quoted_tweet();
  EXPECT_EQ(quoted.id(), "1440607854747009025");
  EXPECT_EQ(quoted.author().screen_name(), "P_Andy_Lucas");
  EXPECT_EQ(quoted.created_at().seconds(), 1632302652);  // 09:24:12Z
  EXPECT_EQ(quoted.like_count(), 11);
  // v1.1 depth: the quoted tweet's own quote is resolved, no further.
  ASSERT_TRUE(quoted.has_quoted_tweet());
  EXPECT_EQ(quoted.quoted_tweet().id(), "1440527117482020869");
  EXPECT_EQ(quoted.quoted_tweet().text().substr(0, 38),
            "Some seem to be confused so let me exp");

  const Tweet& reply = page->tweets[6];
  EXPECT_EQ(reply.id(), "1440716745577140229");
  EXPECT_EQ(reply.in_reply_to_tweet_id(), "1440621713281093641");
  EXPECT_EQ(reply.in_reply_to_user_id(), "1717521084");
  EXPECT_EQ(reply.in_reply_to_screen_name(), "AndrewKnight226");
  ASSERT_EQ(reply.entities().media_size(), 1);
  EXPECT_EQ(reply.entities().media(0).type(), Media::TYPE_ANIMATED_GIF);
  EXPECT_EQ(reply.entities().media(0).media_url(),
            "https://pbs.twimg.com/tweet_video_thumb/E_50PPpUYAIE3uX.jpg");
  EXPECT_EQ(reply.entities().hashtags_size(), 8);
}

TEST(V2RecordedBodies, ObamaSearchRetweetOfAQuoteAndReplyNames) {
  absl::StatusOr<TweetPage> page =
      TweetsOf("recorded-v2/twarc-csv/noflat.jsonl");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->tweets.size(), 100u);
  const Tweet& retweet = page->tweets[11];
  EXPECT_EQ(retweet.id(), "1380242508530249730");
  EXPECT_EQ(retweet.author().screen_name(), "Bikerboots");
  EXPECT_EQ(retweet.created_at().seconds(), 1617910432);
  EXPECT_EQ(
      retweet.text(),
      "RT @DesertMonkey4: Americans aren\xE2\x80\x99t dumb. It\xE2\x80\x99s "
      "Obama telling grandpa what to do. That\xE2\x80\x99s why they won\xE2\x80"
      "\x99t release a transcript. https://t.co/2Lx3x5G5ve");
  // Mentions before 2022 carry no id.
  ASSERT_EQ(retweet.entities().user_mentions_size(), 1);
  EXPECT_EQ(retweet.entities().user_mentions(0).user_id(), "");
  const Tweet& original = retweet.retweeted_tweet();
  EXPECT_EQ(original.id(), "1380229171956248577");
  EXPECT_EQ(original.created_at().seconds(), 1617907252);
  EXPECT_EQ(original.like_count(), 4);
  ASSERT_TRUE(original.has_quoted_tweet());
  const Tweet& quoted = original.quoted_tweet();
  EXPECT_EQ(quoted.id(), "1380226330034372610");
  EXPECT_EQ(quoted.author().screen_name(), "Breaking911");
  // Its video was not expanded in this capture: id and link only.
  ASSERT_EQ(quoted.entities().media_size(), 1);
  EXPECT_EQ(quoted.entities().media(0).id(), "1380226050232356865");
  EXPECT_EQ(quoted.entities().media(0).type(), Media::TYPE_UNSPECIFIED);
  EXPECT_EQ(quoted.entities().media(0).url(), "https://t.co/v8iK4eopCJ");

  const Tweet& reply = page->tweets[3];
  EXPECT_EQ(reply.in_reply_to_tweet_id(), "1380229267770933248");
  EXPECT_EQ(reply.in_reply_to_screen_name(), "TalkToTheFoot");
  EXPECT_EQ(reply.source(), "Twitter for iPhone");

  ASSERT_EQ(page->errors.size(), 1u);
  EXPECT_EQ(page->errors[0].detail,
            "User has been suspended: [gatewaypundit].");
  EXPECT_EQ(page->errors[0].title, "Forbidden");
}

TEST(V2RecordedBodies, UserTimelineMissingReferencedTweetAndFourPhotos) {
  absl::StatusOr<TweetPage> page =
      TweetsOf("recorded-v2/twarc-csv/user_timeline.jsonl");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->tweets.size(), 100u);
  // A middle page: next_token kept, previous_token not needed.
  EXPECT_EQ(page->meta.next_token,
            "7140dibdnow9c7btw3t3bne6afapt2a6nif3ncl044raq");
  EXPECT_EQ(page->meta.newest_id, "1257786232978968578");
  EXPECT_EQ(page->meta.oldest_id, "1250097009513705472");

  // The reply whose parent upstream could not find: the id stays, the
  // problem is reported beside it.
  const Tweet& reply = page->tweets[64];
  EXPECT_EQ(reply.id(), "1252617764315041794");
  EXPECT_EQ(reply.text(), "@TheNBACentral Montana");
  EXPECT_EQ(reply.lang(), "in");
  EXPECT_EQ(reply.created_at().seconds(), 1587482322);
  EXPECT_EQ(reply.in_reply_to_tweet_id(), "1252320537600299008");
  EXPECT_EQ(reply.in_reply_to_user_id(), "1548977419");
  EXPECT_EQ(reply.author().screen_name(), "PhillyNEFL");
  ASSERT_EQ(page->errors.size(), 1u);
  EXPECT_EQ(page->errors[0].title, "Not Found Error");
  EXPECT_EQ(page->errors[0].parameter, "referenced_tweets.id");
  EXPECT_EQ(page->errors[0].resource_id, "1252320537600299008");
  EXPECT_EQ(page->errors[0].resource_type, "tweet");

  // Four photos, each with its own repeated pic link (2020 bodies name no
  // media_key): every link moves to the media.
  const Tweet& photos = page->tweets[69];
  EXPECT_EQ(photos.id(), "1252393618570006529");
  EXPECT_EQ(photos.entities().urls_size(), 0);
  ASSERT_EQ(photos.entities().media_size(), 4);
  EXPECT_EQ(photos.entities().media(0).id(), "1252208167951519749");
  EXPECT_EQ(photos.entities().media(3).id(), "1252208168157003776");
  EXPECT_EQ(photos.entities().media(1).type(), Media::TYPE_PHOTO);
  EXPECT_EQ(photos.entities().media(1).media_url(),
            "https://pbs.twimg.com/media/EWC8sceWkAIh6yj.jpg");
  EXPECT_EQ(photos.entities().media(3).url(), "https://t.co/Lxy2an0T7x");
}

TEST(V2RecordedBodies, UsersByIdsWithUnknownIdAndUnauthorizedPin) {
  absl::StatusOr<UserPage> page = UsersOf("recorded-v2/twarc-csv/users.jsonl");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->users.size(), 96u);
  const User& first = page->users[0];
  EXPECT_EQ(first.id(), "119369819");
  EXPECT_EQ(first.screen_name(), "DoDirty78");
  EXPECT_EQ(first.name(), "DoDirtysHouse");
  EXPECT_EQ(first.location(), "NC");
  EXPECT_EQ(first.description(), "Love is the highest form of understanding");
  EXPECT_EQ(first.url(), "");  // sent as an empty string
  EXPECT_EQ(first.created_at().seconds(), 1267620564);
  EXPECT_EQ(first.followers_count(), 580);
  EXPECT_EQ(first.following_count(), 518);
  EXPECT_EQ(first.tweet_count(), 55186);
  EXPECT_EQ(first.listed_count(), 12);
  EXPECT_FALSE(first.verified());
  EXPECT_EQ(first.profile_image_url(),
            "https://pbs.twimg.com/profile_images/1447817446669291520/"
            "p_U7MM9q_normal.jpg");
  const User& locked = page->users[47];
  EXPECT_EQ(locked.screen_name(), "charredbrisket");
  EXPECT_TRUE(locked.protected_());
  EXPECT_EQ(locked.created_at().seconds(), 1431954144);

  ASSERT_EQ(page->errors.size(), 8u);
  const Problem& unauthorized = page->errors[2];
  EXPECT_EQ(ProblemName(unauthorized.type), "not-authorized-for-resource");
  EXPECT_EQ(unauthorized.section, "includes");
  EXPECT_EQ(unauthorized.parameter, "pinned_tweet_id");
  EXPECT_EQ(unauthorized.resource_id, "1373671343410012164");
  const Problem& unknown = page->errors[3];
  EXPECT_EQ(ProblemName(unknown.type), "resource-not-found");
  EXPECT_EQ(unknown.detail, "Could not find user with ids: [93071130].");
  EXPECT_EQ(unknown.parameter, "ids");
  EXPECT_EQ(unknown.resource_type, "user");
  EXPECT_EQ(unknown.value, "93071130");
  EXPECT_EQ(page->meta.result_count, 0);  // users?ids= has no meta
}

TEST(V2RecordedBodies, OwnedAndFollowedLists) {
  absl::StatusOr<ListsPage> owned = ParseFixture(
      ReadV2Body("recorded-v2/twarc-csv/lists.jsonl", 0), ParseListsPage);
  ASSERT_TRUE(owned.ok()) << owned.status();
  ASSERT_EQ(owned->lists.size(), 4u);
  const TwitterList& list = owned->lists[0];
  EXPECT_EQ(list.id(), "1354802865349435396");
  EXPECT_EQ(list.name(), "recsyslabs Pilot Partners");
  EXPECT_EQ(list.slug(), "recsyslabs-pilot-partners");
  EXPECT_EQ(list.description(),
            "We're actively testing new privacy preserving / XAI Recommender "
            "Systems. Interested? DM or @ us.");
  EXPECT_EQ(list.mode(), TwitterList::MODE_PUBLIC);
  EXPECT_EQ(list.member_count(), 3);
  EXPECT_EQ(list.subscriber_count(), 0);
  EXPECT_EQ(list.created_at().seconds(), 1611845148);
  EXPECT_EQ(list.owner().id(), "1194578788295811072");
  EXPECT_EQ(owned->lists[2].member_count(), 12);
  EXPECT_EQ(owned->meta.result_count, 4);
  EXPECT_EQ(owned->meta.next_token, "");  // the last page

  absl::StatusOr<ListsPage> followed = ParseFixture(
      ReadV2Body("recorded-v2/twarc-csv/lists.jsonl", 1), ParseListsPage);
  ASSERT_TRUE(followed.ok()) << followed.status();
  ASSERT_EQ(followed->lists.size(), 2u);
  EXPECT_EQ(followed->lists[0].name(), "AI/ML/NLP");
  EXPECT_EQ(followed->lists[0].slug(), "ai-ml-nlp");
  EXPECT_EQ(followed->lists[0].subscriber_count(), 126);
  EXPECT_EQ(followed->lists[0].member_count(), 107);
  EXPECT_EQ(followed->lists[1].owner().id(), "495430242");
}

TEST(V2RecordedBodies, TwoTweetsLastPageRetweetWithBothAuthors) {
  absl::StatusOr<TweetPage> page =
      TweetsOf("recorded-v2/twarc-csv/two_tweets.jsonl");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->tweets.size(), 1u);
  const Tweet& retweet = page->tweets[0];
  EXPECT_EQ(retweet.id(), "1394735776701816833");
  EXPECT_EQ(retweet.text(), "RT @bibaigna96: #POIUYTREWQ");
  EXPECT_EQ(retweet.created_at().seconds(), 1621365896);
  EXPECT_EQ(retweet.lang(), "und");
  EXPECT_EQ(retweet.source(), "Twitter for Android");
  EXPECT_EQ(retweet.author().screen_name(), "LachiVeronica");
  EXPECT_EQ(retweet.author().name(), "Veronica Lachi");
  EXPECT_EQ(retweet.author().following_count(), 4);
  EXPECT_EQ(retweet.author().created_at().seconds(), 1617828654);
  ASSERT_EQ(retweet.entities().hashtags_size(), 1);
  EXPECT_EQ(retweet.entities().hashtags(0).text(), "POIUYTREWQ");
  ASSERT_EQ(retweet.entities().user_mentions_size(), 1);
  EXPECT_EQ(retweet.entities().user_mentions(0).screen_name(), "bibaigna96");
  const Tweet& original = retweet.retweeted_tweet();
  EXPECT_EQ(original.id(), "1391677057810288641");
  EXPECT_EQ(original.text(), "#POIUYTREWQ");
  EXPECT_EQ(original.author().id(), "1380086327023169540");
  EXPECT_EQ(original.author().screen_name(), "bibaigna96");
  EXPECT_EQ(original.created_at().seconds(), 1620636641);
  EXPECT_EQ(original.source(), "Twitter Web App");
  EXPECT_EQ(page->meta.result_count, 1);
  EXPECT_EQ(page->meta.next_token, "");  // the last page
}

// ---- preocts: two search pages, paged with next_token ---------------------

TEST(V2RecordedBodies, PreoctsSearchPagesChainByNextToken) {
  absl::StatusOr<TweetPage> first =
      TweetsOf("recorded-v2/preocts/search_recent.page1.json");
  absl::StatusOr<TweetPage> second =
      TweetsOf("recorded-v2/preocts/search_recent.page2.json");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(first->tweets.size(), 10u);
  ASSERT_EQ(second->tweets.size(), 10u);
  EXPECT_EQ(first->tweets[0].id(), "1461880347478528007");
  EXPECT_EQ(first->tweets[9].id(), "1461880343020060673");
  EXPECT_EQ(first->meta.next_token,
            "b26v89c19zqg8o3fpdy5zsnp3n3qzp909cim472adoxa5");
  EXPECT_EQ(second->tweets[0].id(), "1461880342080598017");
  EXPECT_EQ(second->tweets[0].text(),
            "RT @leadernim_yang: hello, please read this thread\n\n#enhypen "
            "#engenes");
  EXPECT_EQ(second->tweets[9].id(), "1461880333968707592");
  EXPECT_EQ(second->meta.next_token,
            "b26v89c19zqg8o3fpdy5zsnp3n3pwtiy680nwl6iwrz3x");
  // Page 2 starts below page 1: no tweet repeats.
  EXPECT_LT(second->meta.newest_id, first->meta.oldest_id);
}

}  // namespace
}  // namespace perch::mapping::v2
