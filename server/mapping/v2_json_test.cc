// Hand-written v2 bodies for the cases the recordings do not show (note_tweet,
// a retweet whose original is missing, errors-only bodies, lists with their
// owner) and the small pure helpers. The recorded bodies are in
// v2_recorded_corpus_test.cc; malformed bodies in v2_malformed_test.cc.
#include "server/mapping/v2_json.h"

#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/testing/slug_cases.h"

namespace perch::mapping::v2 {
namespace {

using ::perch::v1::Media;
using ::perch::v1::Tweet;
using ::perch::v1::TwitterList;

// A tweet page with every include kind: a retweet of a tweet that quotes
// another, a reply, a photo and a video. Members are deliberately in an
// unusual order (includes before data, text after note_tweet).
constexpr char kFullPage[] = R"({
  "includes": {
    "users": [
      {"id": "10", "username": "alice", "name": "Alice A",
       "created_at": "2010-03-03T12:49:24.000Z", "url": "",
       "public_metrics": {"followers_count": 5, "following_count": 6,
                          "tweet_count": 7, "listed_count": 8},
       "verified": true, "protected": false,
       "profile_image_url": "https://pbs.twimg.com/a_normal.jpg",
       "description": "about alice", "location": "here"},
      {"id": "20", "username": "bob", "name": "Bob"},
      {"id": "30", "username": "carol", "name": "Carol"}
    ],
    "tweets": [
      {"id": "200", "text": "the original, whole", "author_id": "20",
       "created_at": "2021-05-10T08:50:41.000Z",
       "referenced_tweets": [{"type": "quoted", "id": "300"}],
       "public_metrics": {"retweet_count": 9, "like_count": 4}},
      {"id": "300", "text": "quoted words", "author_id": "30",
       "referenced_tweets": [{"type": "quoted", "id": "200"}]}
    ],
    "media": [
      {"media_key": "3_777", "type": "photo", "width": 10, "height": 20,
       "url": "https://pbs.twimg.com/media/p.jpg"},
      {"media_key": "7_888", "type": "video",
       "preview_image_url": "https://pbs.twimg.com/thumb/v.jpg"}
    ]
  },
  "data": [
    {"id": "100", "text": "RT @bob: the original, wh…", "author_id": "10",
     "created_at": "2021-05-18T19:24:56.123Z", "lang": "en",
     "referenced_tweets": [{"type": "retweeted", "id": "200"}],
     "entities": {"mentions": [{"start": 3, "end": 7, "username": "bob",
                                "id": "20"}]},
     "public_metrics": {"retweet_count": 9, "reply_count": 1,
                        "like_count": 0, "quote_count": 2,
                        "impression_count": 1000},
     "source": "Twitter Web App", "possibly_sensitive": true,
     "edit_history_tweet_ids": ["100"]},
    {"id": "101", "author_id": "20", "in_reply_to_user_id": "10",
     "referenced_tweets": [{"type": "replied_to", "id": "100"}],
     "attachments": {"media_keys": ["3_777", "7_888"]},
     "entities": {
       "hashtags": [{"start": 0, "end": 4, "tag": "cats"}],
       "urls": [
         {"url": "https://t.co/link", "expanded_url": "https://example.com/x",
          "display_url": "example.com/x"},
         {"url": "https://t.co/pic", "media_key": "3_777",
          "expanded_url": "https://twitter.com/bob/status/101/photo/1",
          "display_url": "pic.twitter.com/pic"}]},
     "note_tweet": {"text": "a long post, beyond 280 characters"},
     "text": "a long post, bey…"}
  ],
  "meta": {"result_count": 2, "newest_id": "101", "oldest_id": "100",
           "next_token": "abc", "previous_token": "ignored"}
})";

// kFullPage, parsed afresh for each test.
class ParseFullTweetPage : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TweetPage> parsed = ParseTweetPage(kFullPage);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    page_ = *std::move(parsed);
  }

  TweetPage page_;
};

TEST_F(ParseFullTweetPage, ResolvesAuthorsFromIncludes) {
  ASSERT_EQ(page_.tweets.size(), 2u);
  const perch::v1::User& author = page_.tweets[0].author();
  EXPECT_EQ(author.id(), "10");
  EXPECT_EQ(author.screen_name(), "alice");
  EXPECT_EQ(author.name(), "Alice A");
  EXPECT_EQ(author.description(), "about alice");
  EXPECT_EQ(author.location(), "here");
  EXPECT_EQ(author.url(), "");
  EXPECT_EQ(author.created_at().seconds(), 1267620564);  // 2010-03-03 12:49:24
  EXPECT_EQ(author.followers_count(), 5);
  EXPECT_EQ(author.following_count(), 6);
  EXPECT_EQ(author.tweet_count(), 7);
  EXPECT_EQ(author.listed_count(), 8);
  EXPECT_TRUE(author.verified());
  EXPECT_FALSE(author.protected_());
  EXPECT_EQ(author.profile_image_url(), "https://pbs.twimg.com/a_normal.jpg");
  EXPECT_EQ(page_.tweets[1].author().screen_name(), "bob");
}

TEST_F(ParseFullTweetPage, RetweetTextIsTheWholeOriginalBehindThePrefix) {
  const Tweet& retweet = page_.tweets[0];
  EXPECT_EQ(retweet.id(), "100");
  EXPECT_EQ(retweet.text(), "RT @bob: the original, whole");
  EXPECT_EQ(retweet.created_at().seconds(), 1621365896);
  EXPECT_EQ(retweet.created_at().nanos(), 123000000);
  EXPECT_EQ(retweet.lang(), "en");
  EXPECT_EQ(retweet.retweet_count(), 9);
  EXPECT_EQ(retweet.reply_count(), 1);
  EXPECT_EQ(retweet.like_count(), 0);
  EXPECT_EQ(retweet.quote_count(), 2);
  EXPECT_EQ(retweet.source(), "Twitter Web App");
  EXPECT_TRUE(retweet.possibly_sensitive());
  ASSERT_EQ(retweet.entities().user_mentions_size(), 1);
  EXPECT_EQ(retweet.entities().user_mentions(0).screen_name(), "bob");
  EXPECT_EQ(retweet.entities().user_mentions(0).user_id(), "20");

  ASSERT_TRUE(retweet.has_retweeted_tweet());
  const Tweet& original = retweet.retweeted_tweet();
  EXPECT_EQ(original.id(), "200");
  EXPECT_EQ(original.text(), "the original, whole");
  EXPECT_EQ(original.author().screen_name(), "bob");
  EXPECT_EQ(original.created_at().seconds(), 1620636641);
  EXPECT_EQ(original.retweet_count(), 9);
  EXPECT_EQ(original.like_count(), 4);
  EXPECT_EQ(original.reply_count(), 0);  // metrics are optional
  EXPECT_FALSE(retweet.has_quoted_tweet());
}

TEST_F(ParseFullTweetPage, NestedReferencesStopAtTheV11Depth) {
  // 100 retweets 200, which quotes 300, which quotes 200 again (a cycle a
  // hostile body could build): the chain stops where v1.1's would.
  const Tweet& original = page_.tweets[0].retweeted_tweet();
  ASSERT_TRUE(original.has_quoted_tweet());
  const Tweet& quoted = original.quoted_tweet();
  EXPECT_EQ(quoted.id(), "300");
  EXPECT_EQ(quoted.text(), "quoted words");
  EXPECT_EQ(quoted.author().screen_name(), "carol");
  EXPECT_FALSE(quoted.has_quoted_tweet());
}

TEST_F(ParseFullTweetPage, ReplyNoteTweetAndMedia) {
  const Tweet& reply = page_.tweets[1];
  // note_tweet wins even though `text` comes after it.
  EXPECT_EQ(reply.text(), "a long post, beyond 280 characters");
  EXPECT_EQ(reply.in_reply_to_tweet_id(), "100");
  EXPECT_EQ(reply.in_reply_to_user_id(), "10");
  EXPECT_EQ(reply.in_reply_to_screen_name(), "alice");
  EXPECT_FALSE(reply.has_created_at());
  EXPECT_EQ(reply.retweet_count(), 0);
  EXPECT_FALSE(reply.has_retweeted_tweet());

  ASSERT_EQ(reply.entities().hashtags_size(), 1);
  EXPECT_EQ(reply.entities().hashtags(0).text(), "cats");
  // The pic link moves to the media, as in v1.1; the other link stays.
  ASSERT_EQ(reply.entities().urls_size(), 1);
  EXPECT_EQ(reply.entities().urls(0).url(), "https://t.co/link");
  EXPECT_EQ(reply.entities().urls(0).expanded_url(), "https://example.com/x");
  EXPECT_EQ(reply.entities().urls(0).display_url(), "example.com/x");

  ASSERT_EQ(reply.entities().media_size(), 2);
  const Media& photo = reply.entities().media(0);
  EXPECT_EQ(photo.id(), "777");
  EXPECT_EQ(photo.type(), Media::TYPE_PHOTO);
  EXPECT_EQ(photo.media_url(), "https://pbs.twimg.com/media/p.jpg");
  EXPECT_EQ(photo.url(), "https://t.co/pic");
  EXPECT_EQ(photo.expanded_url(), "https://twitter.com/bob/status/101/photo/1");
  const Media& video = reply.entities().media(1);
  EXPECT_EQ(video.id(), "888");
  EXPECT_EQ(video.type(), Media::TYPE_VIDEO);
  EXPECT_EQ(video.media_url(), "https://pbs.twimg.com/thumb/v.jpg");
  // Only one link names a key: the other media shares the tweet's pic link.
  EXPECT_EQ(video.url(), "https://t.co/pic");
}

TEST_F(ParseFullTweetPage, MetaAndNoErrors) {
  EXPECT_TRUE(page_.has_data);
  EXPECT_EQ(page_.meta.result_count, 2);
  EXPECT_EQ(page_.meta.next_token, "abc");
  EXPECT_EQ(page_.meta.newest_id, "101");
  EXPECT_EQ(page_.meta.oldest_id, "100");
  EXPECT_TRUE(page_.errors.empty());
}

TEST(ParseTweetPage, NoteTweetEntitiesReplaceTheCutOnes) {
  absl::StatusOr<TweetPage> page = ParseTweetPage(R"({"data":[{
    "id": "1", "text": "cut #a",
    "entities": {"hashtags": [{"tag": "a"}]},
    "note_tweet": {"text": "whole #a #b",
                   "entities": {"hashtags": [{"tag": "a"}, {"tag": "b"}]}}
  }]})");
  ASSERT_TRUE(page.ok()) << page.status();
  const Tweet& tweet = page->tweets[0];
  EXPECT_EQ(tweet.text(), "whole #a #b");
  ASSERT_EQ(tweet.entities().hashtags_size(), 2);
  EXPECT_EQ(tweet.entities().hashtags(1).text(), "b");
}

TEST(ParseTweetPage, RetweetWithTheOriginalMissingKeepsItsOwnText) {
  absl::StatusOr<TweetPage> page = ParseTweetPage(R"({
    "data": [{"id": "5", "text": "RT @gone: cut…", "author_id": "10",
              "referenced_tweets": [{"type": "retweeted", "id": "4"}]}],
    "includes": {"users": [{"id": "10", "username": "alice", "name": "A"}]},
    "errors": [{"value": "4", "detail": "Could not find tweet with referenced_tweets.id: [4].",
                "title": "Not Found Error", "resource_type": "tweet",
                "parameter": "referenced_tweets.id", "resource_id": "4",
                "type": "https://api.twitter.com/2/problems/resource-not-found"}]
  })");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->tweets.size(), 1u);
  EXPECT_EQ(page->tweets[0].text(), "RT @gone: cut…");
  EXPECT_FALSE(page->tweets[0].has_retweeted_tweet());
  EXPECT_EQ(page->tweets[0].author().screen_name(), "alice");
  ASSERT_EQ(page->errors.size(), 1u);
  EXPECT_EQ(page->errors[0].parameter, "referenced_tweets.id");
  EXPECT_EQ(page->errors[0].resource_id, "4");
  EXPECT_EQ(ProblemName(page->errors[0].type), "resource-not-found");
}

TEST(ParseTweetPage, RetweetWhoseOriginalAuthorIsMissingKeepsItsOwnText) {
  absl::StatusOr<TweetPage> page = ParseTweetPage(R"({
    "data": [{"id": "5", "text": "RT @x: cut…",
              "referenced_tweets": [{"type": "retweeted", "id": "4"}]}],
    "includes": {"tweets": [{"id": "4", "text": "whole", "author_id": "9"}]}
  })");
  ASSERT_TRUE(page.ok()) << page.status();
  const Tweet& retweet = page->tweets[0];
  // Without the author's username there is no "RT @…: " to rebuild.
  EXPECT_EQ(retweet.text(), "RT @x: cut…");
  ASSERT_TRUE(retweet.has_retweeted_tweet());
  EXPECT_EQ(retweet.retweeted_tweet().text(), "whole");
  EXPECT_EQ(retweet.retweeted_tweet().author().id(), "9");
  // No entities in the body: none in the message, as v1.1 bodies map.
  EXPECT_FALSE(retweet.has_entities());
  EXPECT_FALSE(retweet.has_author());
}

TEST(ParseTweetPage, UnexpandedAuthorAndMediaKeepTheirIds) {
  absl::StatusOr<TweetPage> page = ParseTweetPage(R"({"data":[{
    "id": "1", "text": "t", "author_id": "10",
    "attachments": {"media_keys": ["3_42"], "poll_ids": ["9"]},
    "entities": {"urls": [{"url": "https://t.co/p",
      "expanded_url": "https://twitter.com/x/status/1/photo/1"}]}
  }]})");
  ASSERT_TRUE(page.ok()) << page.status();
  const Tweet& tweet = page->tweets[0];
  EXPECT_EQ(tweet.author().id(), "10");
  EXPECT_EQ(tweet.author().screen_name(), "");
  ASSERT_EQ(tweet.entities().media_size(), 1);
  EXPECT_EQ(tweet.entities().media(0).id(), "42");
  EXPECT_EQ(tweet.entities().media(0).type(), Media::TYPE_UNSPECIFIED);
  // Before 2022 a pic link named no key: its /photo/ path says what it is.
  EXPECT_EQ(tweet.entities().media(0).url(), "https://t.co/p");
  EXPECT_EQ(tweet.entities().urls_size(), 0);
}

TEST(ParseTweetPage, EmptyPage) {
  absl::StatusOr<TweetPage> page =
      ParseTweetPage(R"({"meta":{"result_count":0}})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_FALSE(page->has_data);
  EXPECT_TRUE(page->tweets.empty());
  EXPECT_EQ(page->meta.result_count, 0);
  EXPECT_EQ(page->meta.next_token, "");
  EXPECT_TRUE(page->errors.empty());
}

// A protected user's timeline with app-only auth (UPSTREAM-V2.md §3.2).
TEST(ParseTweetPage, ErrorsOnlyBodyIsReturnedAsData) {
  absl::StatusOr<TweetPage> page = ParseTweetPage(
      R"({"errors":[{"value":"123","parameter":"id","resource_type":"user","section":"data","title":"Authorization Error","detail":"Sorry, you are not authorized to see the user with id: [123].","type":"https://api.twitter.com/2/problems/not-authorized-for-resource"}]})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_FALSE(page->has_data);
  EXPECT_TRUE(page->tweets.empty());
  ASSERT_EQ(page->errors.size(), 1u);
  const Problem& problem = page->errors[0];
  EXPECT_EQ(problem.type,
            "https://api.twitter.com/2/problems/not-authorized-for-resource");
  EXPECT_EQ(problem.title, "Authorization Error");
  EXPECT_EQ(problem.detail,
            "Sorry, you are not authorized to see the user with id: [123].");
  EXPECT_EQ(problem.parameter, "id");
  EXPECT_EQ(problem.value, "123");
  EXPECT_EQ(problem.resource_type, "user");
  EXPECT_EQ(problem.resource_id, "");
  EXPECT_EQ(problem.section, "data");
}

TEST(ParseTweetPage, NullMembersAreAbsent) {
  absl::StatusOr<TweetPage> page = ParseTweetPage(
      R"({"data":null,"includes":null,"meta":null,"errors":null})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_FALSE(page->has_data);
  absl::StatusOr<TweetPage> tweet = ParseTweetPage(R"({"data":[{"id":"1",
    "text":null,"created_at":null,"public_metrics":{"like_count":null},
    "entities":null,"attachments":null,"referenced_tweets":null}]})");
  ASSERT_TRUE(tweet.ok()) << tweet.status();
  EXPECT_EQ(tweet->tweets[0].text(), "");
  EXPECT_FALSE(tweet->tweets[0].has_created_at());
}

TEST(ParseTweetPage, CreatedAtOffsetsAndFractions) {
  struct Case {
    const char* text;
    int64_t seconds;
    int32_t nanos;
  };
  for (const Case& c :
       {Case{"2022-10-03T17:57:11.000Z", 1664819831, 0},
        Case{"2022-10-03T17:57:11Z", 1664819831, 0},
        Case{"2022-10-03T19:57:11.5+02:00", 1664819831, 500000000},
        Case{"2022-10-03T16:57:11.000000001-01:00", 1664819831, 1},
        Case{"2024-02-29T00:00:00.000Z", 1709164800, 0}}) {
    absl::StatusOr<TweetPage> page = ParseTweetPage(
        std::string(R"({"data":[{"id":"1","created_at":")") + c.text + "\"}]}");
    ASSERT_TRUE(page.ok()) << c.text << ": " << page.status();
    EXPECT_EQ(page->tweets[0].created_at().seconds(), c.seconds) << c.text;
    EXPECT_EQ(page->tweets[0].created_at().nanos(), c.nanos) << c.text;
  }
}

// The body is parsed where it lies when its buffer has simdjson's padding,
// and copied otherwise; the answer is the same.
TEST(ParseTweetPage, InPlaceAndCopiedParsesAgree) {
  std::string padded(kFullPage);
  padded.reserve(padded.size() + simdjson::SIMDJSON_PADDING);
  absl::StatusOr<TweetPage> in_place = ParseTweetPage(padded);
  absl::StatusOr<TweetPage> copied =
      ParseTweetPage(absl::string_view(kFullPage));
  ASSERT_TRUE(in_place.ok() && copied.ok());
  ASSERT_EQ(in_place->tweets.size(), copied->tweets.size());
  for (size_t i = 0; i < copied->tweets.size(); ++i) {
    EXPECT_EQ(in_place->tweets[i].SerializeAsString(),
              copied->tweets[i].SerializeAsString());
  }
}

TEST(ParseUserPage, UsersMetaAndErrors) {
  absl::StatusOr<UserPage> page = ParseUserPage(R"({
    "data": [{"id": "1", "username": "a", "name": "A", "protected": true,
              "public_metrics": {"followers_count": 3}},
             {"id": "2", "username": "b", "name": "B"}],
    "includes": {"tweets": [{"id": "9", "text": "pinned"}]},
    "meta": {"result_count": 2, "next_token": "5CS0O0C6II61EZZZ"},
    "errors": [{"title": "Not Found Error", "type": "about:blank"}]
  })");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_TRUE(page->has_data);
  ASSERT_EQ(page->users.size(), 2u);
  EXPECT_EQ(page->users[0].screen_name(), "a");
  EXPECT_TRUE(page->users[0].protected_());
  EXPECT_EQ(page->users[0].followers_count(), 3);
  EXPECT_EQ(page->users[0].following_count(), 0);
  EXPECT_EQ(page->users[1].id(), "2");
  EXPECT_EQ(page->meta.result_count, 2);
  EXPECT_EQ(page->meta.next_token, "5CS0O0C6II61EZZZ");
  ASSERT_EQ(page->errors.size(), 1u);
  EXPECT_EQ(ProblemName(page->errors[0].type), "about:blank");
}

TEST(ParseUserLookup, UserOrErrors) {
  absl::StatusOr<UserLookup> found = ParseUserLookup(
      R"({"data":{"id":"783214","name":"Twitter","username":"Twitter"}})");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->user.has_value());
  EXPECT_EQ(found->user->id(), "783214");
  EXPECT_EQ(found->user->screen_name(), "Twitter");
  EXPECT_TRUE(found->errors.empty());

  // Unknown username (UPSTREAM-V2.md §3.2): a 200 without data.
  absl::StatusOr<UserLookup> missing = ParseUserLookup(
      R"({"errors":[{"value":"giggggfbgfb","detail":"Could not find user with username: [giggggfbgfb].","title":"Not Found Error","resource_type":"user","parameter":"username","resource_id":"giggggfbgfb","type":"https://api.twitter.com/2/problems/resource-not-found"}]})");
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_FALSE(missing->user.has_value());
  ASSERT_EQ(missing->errors.size(), 1u);
  EXPECT_EQ(missing->errors[0].resource_id, "giggggfbgfb");
  EXPECT_EQ(missing->errors[0].title, "Not Found Error");

  // A suspended user: resource-not-found, told apart by title and detail.
  absl::StatusOr<UserLookup> suspended = ParseUserLookup(
      R"({"errors":[{"parameter":"username","resource_id":"x","value":"x","detail":"User has been suspended: [x].","title":"Forbidden","resource_type":"user","type":"https://api.x.com/2/problems/resource-not-found"}]})");
  ASSERT_TRUE(suspended.ok()) << suspended.status();
  ASSERT_EQ(suspended->errors.size(), 1u);
  EXPECT_EQ(suspended->errors[0].title, "Forbidden");
  EXPECT_EQ(ProblemName(suspended->errors[0].type), "resource-not-found");
}

TEST(ParseListLookup, OwnerFromIncludesGivesFullName) {
  absl::StatusOr<ListLookup> lookup = ParseListLookup(R"({
    "data": {"id": "84839422", "name": "Official Twitter Accounts",
             "owner_id": "783214", "private": false, "member_count": 108,
             "follower_count": 1234, "description": "Accounts managed by Twitter",
             "created_at": "2012-10-22T18:52:08.000Z"},
    "includes": {"users": [{"id": "783214", "username": "Twitter",
                            "name": "Twitter"}]}
  })");
  ASSERT_TRUE(lookup.ok()) << lookup.status();
  ASSERT_TRUE(lookup->list.has_value());
  const TwitterList& list = *lookup->list;
  EXPECT_EQ(list.id(), "84839422");
  EXPECT_EQ(list.name(), "Official Twitter Accounts");
  EXPECT_EQ(list.slug(), "official-twitter-accounts");
  EXPECT_EQ(list.full_name(), "@Twitter/official-twitter-accounts");
  EXPECT_EQ(list.mode(), TwitterList::MODE_PUBLIC);
  EXPECT_EQ(list.member_count(), 108);
  EXPECT_EQ(list.subscriber_count(), 1234);
  EXPECT_EQ(list.description(), "Accounts managed by Twitter");
  EXPECT_EQ(list.created_at().seconds(), 1350931928);
  EXPECT_EQ(list.owner().id(), "783214");
  EXPECT_EQ(list.owner().screen_name(), "Twitter");
}

TEST(ParseListLookup, PrivateListAndNotFound) {
  absl::StatusOr<ListLookup> lookup = ParseListLookup(
      R"({"data":{"id":"1","name":"Mine","private":true,"owner_id":"5"}})");
  ASSERT_TRUE(lookup.ok()) << lookup.status();
  EXPECT_EQ(lookup->list->mode(), TwitterList::MODE_PRIVATE);
  // Owner not expanded: its id is known, its name and so full_name are not.
  EXPECT_EQ(lookup->list->owner().id(), "5");
  EXPECT_EQ(lookup->list->full_name(), "");

  absl::StatusOr<ListLookup> missing = ParseListLookup(
      R"({"errors":[{"parameter":"id","resource_id":"9","resource_type":"list","title":"Not Found Error","type":"https://api.twitter.com/2/problems/resource-not-found","value":"9","detail":"Could not find list with id: [9]."}]})");
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_FALSE(missing->list.has_value());
  ASSERT_EQ(missing->errors.size(), 1u);
  EXPECT_EQ(missing->errors[0].resource_type, "list");
}

TEST(ParseListsPage, ListsAndMeta) {
  absl::StatusOr<ListsPage> page = ParseListsPage(R"({
    "data": [{"id": "1", "name": "A list"}, {"id": "2", "name": "B"}],
    "meta": {"result_count": 2, "next_token": "t"}})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_TRUE(page->has_data);
  ASSERT_EQ(page->lists.size(), 2u);
  EXPECT_EQ(page->lists[0].slug(), "a-list");
  EXPECT_EQ(page->lists[0].mode(), TwitterList::MODE_UNSPECIFIED);
  EXPECT_EQ(page->lists[1].id(), "2");
  EXPECT_EQ(page->meta.next_token, "t");

  absl::StatusOr<ListsPage> empty =
      ParseListsPage(R"({"meta":{"result_count":0}})");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_FALSE(empty->has_data);
  EXPECT_TRUE(empty->lists.empty());
}

TEST(Slugify, FollowsTwittersRule) {
  for (const perch::testing::SlugCase& c : perch::testing::kSlugCases) {
    EXPECT_EQ(Slugify(c.name), c.slug) << '"' << c.name << '"';
  }
}

TEST(ProblemName, LastPathSegmentOfEitherHost) {
  EXPECT_EQ(
      ProblemName("https://api.twitter.com/2/problems/resource-not-found"),
      "resource-not-found");
  EXPECT_EQ(ProblemName("https://api.x.com/2/problems/resource-not-found"),
            "resource-not-found");
  EXPECT_EQ(ProblemName("https://api.x.com/2/problems/usage-capped"),
            "usage-capped");
  EXPECT_EQ(ProblemName("https://api.twitter.com/2/problems/client-forbidden/"),
            "client-forbidden");
  EXPECT_EQ(ProblemName("about:blank"), "about:blank");
  EXPECT_EQ(ProblemName(""), "");
}

}  // namespace
}  // namespace perch::mapping::v2
