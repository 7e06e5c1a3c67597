#include "client/render.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace perch::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 2024-05-01T12:34:56Z
constexpr int64_t kMay1 = 1714566896;

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  return ts;
}

perch::v1::Tweet MakeTweet(absl::string_view id, absl::string_view author,
                           absl::string_view text) {
  perch::v1::Tweet tweet;
  tweet.set_id(std::string(id));
  tweet.set_text(std::string(text));
  *tweet.mutable_created_at() = At(kMay1);
  tweet.mutable_author()->set_screen_name(std::string(author));
  return tweet;
}

std::vector<std::string> Lines(const std::string& text) {
  EXPECT_TRUE(text.empty() || text.back() == '\n') << text;
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  lines.pop_back();  // after the final '\n'
  return lines;
}

TEST(FormatUtc, UtcSecondsOrDashWhenUnset) {
  EXPECT_EQ(FormatUtc(At(kMay1)), "2024-05-01T12:34:56Z");
  EXPECT_EQ(FormatUtc(google::protobuf::Timestamp()), "-");
}

TEST(FoldText, FoldsWhitespaceRunsAndTrims) {
  EXPECT_EQ(FoldText("  first line\n\nsecond\tline\r\n", 60),
            "first line second line");
}

TEST(FoldText, UnescapesTwitterEntities) {
  EXPECT_EQ(FoldText("a &amp; b &lt;3 &gt;", 60), "a & b <3 >");
}

TEST(FoldText, CutsLongTextWithEllipsis) {
  EXPECT_EQ(FoldText(std::string(60, 'x'), 60), std::string(60, 'x'));
  EXPECT_EQ(FoldText(std::string(61, 'x'), 60),
            absl::StrCat(std::string(59, 'x'), "\u2026"));
}

TEST(FoldText, CutsOnCodePointBoundaries) {
  std::string accents;
  for (int i = 0; i < 61; ++i) accents += "\u00e9";
  std::string expected;
  for (int i = 0; i < 59; ++i) expected += "\u00e9";
  expected += "\u2026";
  EXPECT_EQ(FoldText(accents, 60), expected);
}

TEST(TweetTable, HeaderAndRowsAlign) {
  google::protobuf::RepeatedPtrField<perch::v1::Tweet> tweets;
  *tweets.Add() = MakeTweet("1785000000000000001", "jack", "just setting up");
  *tweets.Add() = MakeTweet("20", "biz", "line one\nline two");
  tweets.Mutable(1)->clear_created_at();
  EXPECT_THAT(
      Lines(TweetTableHeader() + TweetRows(tweets)),
      ElementsAre(
          "ID                   CREATED_AT            AUTHOR            TEXT",
          "1785000000000000001  2024-05-01T12:34:56Z  @jack             just "
          "setting up",
          "20                   -                     @biz              line "
          "one line two"));
}

TEST(TweetTable, RetweetShowsTheOriginalText) {
  google::protobuf::RepeatedPtrField<perch::v1::Tweet> tweets;
  perch::v1::Tweet* retweet = tweets.Add();
  *retweet = MakeTweet("3", "jill", "RT @jack: cut sh\u2026");
  *retweet->mutable_retweeted_tweet() =
      MakeTweet("1", "jack", "cut short upstream but whole here");
  EXPECT_THAT(Lines(TweetRows(tweets)),
              ElementsAre("3                    2024-05-01T12:34:56Z  @jill    "
                          "         RT @jack: cut short upstream but whole "
                          "here"));
}

TEST(TweetTable, LongTextIsCutToTheColumn) {
  google::protobuf::RepeatedPtrField<perch::v1::Tweet> tweets;
  *tweets.Add() = MakeTweet("1", "a", std::string(100, 'y'));
  std::string row = Lines(TweetRows(tweets))[0];
  EXPECT_THAT(row, HasSubstr(absl::StrCat("@a                ",
                                          std::string(59, 'y'), "\u2026")));
}

TEST(UserTable, FollowersRightAlignedNameLast) {
  google::protobuf::RepeatedPtrField<perch::v1::User> users;
  perch::v1::User* jack = users.Add();
  jack->set_id("12");
  jack->set_screen_name("jack");
  jack->set_name("jack\u2600");
  jack->set_followers_count(6500000);
  perch::v1::User* quiet = users.Add();
  quiet->set_id("1785000000000000001");
  quiet->set_screen_name("quiet_one");
  quiet->set_name("Quiet\nOne");
  quiet->set_followers_count(3);
  EXPECT_THAT(Lines(UserTableHeader() + UserRows(users)),
              ElementsAre("ID                   SCREEN_NAME        FOLLOWERS  "
                          "NAME",
                          "12                   @jack                6500000  "
                          "jack\u2600",
                          "1785000000000000001  @quiet_one                 3  "
                          "Quiet One"));
}

TEST(UserIds, OnePerLine) {
  google::protobuf::RepeatedPtrField<std::string> ids;
  *ids.Add() = "1";
  *ids.Add() = "22";
  EXPECT_EQ(UserIdHeader() + UserIdRows(ids), "ID\n1\n22\n");
}

TEST(ListHeader, NameOwnerCountsAndMode) {
  perch::v1::TwitterList list;
  list.set_id("84839422");
  list.set_name("Perch friends");
  list.set_full_name("@jack/perch-friends");
  list.set_member_count(42);
  list.set_subscriber_count(7);
  list.set_mode(perch::v1::TwitterList::MODE_PUBLIC);
  list.mutable_owner()->set_screen_name("jack");
  EXPECT_EQ(ListHeaderLine(list),
            "list 84839422 \"Perch friends\" by @jack (@jack/perch-friends): "
            "42 members, 7 subscribers, public\n");

  list.clear_owner();
  list.clear_full_name();
  list.set_mode(perch::v1::TwitterList::MODE_PRIVATE);
  EXPECT_EQ(ListHeaderLine(list),
            "list 84839422 \"Perch friends\": 42 members, 7 subscribers, "
            "private\n");
}

TEST(Footer, RateLimitCacheAndNextPage) {
  perch::v1::RateLimit rate_limit;
  rate_limit.set_limit(1500);
  rate_limit.set_remaining(1499);
  *rate_limit.mutable_reset_time() = At(kMay1);
  EXPECT_EQ(Footer(true, rate_limit, false, "abc"),
            "rate limit: 1499/1500, resets 12:34:56Z\nnext page: abc\n");
  EXPECT_EQ(Footer(true, rate_limit, true, ""),
            "rate limit: 1499/1500, resets 12:34:56Z, from cache\n");
  EXPECT_EQ(Footer(false, perch::v1::RateLimit(), false, ""), "");
  EXPECT_EQ(Footer(false, perch::v1::RateLimit(), true, "t"),
            "from cache\nnext page: t\n");
}

TEST(ProgressLine, PageItemsAndTotal) {
  EXPECT_EQ(ProgressLine(3, 200, 600, "tweets"),
            "page 3: 200 tweets (600 so far)\n");
}

TEST(TokenText, ObtainAndInvalidate) {
  perch::v1::ObtainResponse obtained;
  obtained.set_token_type("bearer");
  obtained.set_token_fingerprint("3f2a9c1b0d4e");
  *obtained.mutable_obtained_at() = At(kMay1);
  EXPECT_EQ(ObtainText(obtained),
            "token: bearer, fingerprint 3f2a9c1b0d4e, obtained "
            "2024-05-01T12:34:56Z\n");
  obtained.set_from_cache(true);
  EXPECT_THAT(ObtainText(obtained), HasSubstr("(already held"));

  perch::v1::InvalidateResponse invalidated;
  invalidated.set_token_fingerprint("3f2a9c1b0d4e");
  *invalidated.mutable_invalidated_at() = At(kMay1);
  EXPECT_EQ(InvalidateText(invalidated),
            "invalidated token 3f2a9c1b0d4e at 2024-05-01T12:34:56Z\n");
  perch::v1::InvalidateResponse nothing;
  nothing.set_nothing_held(true);
  EXPECT_EQ(InvalidateText(nothing),
            "no token held: nothing invalidated, no upstream request\n");
}

TEST(HealthText, StatusName) {
  grpc::health::v1::HealthCheckResponse response;
  response.set_status(grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(HealthText(response), "SERVING\n");
  response.set_status(grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(HealthText(response), "NOT_SERVING\n");
}

TEST(JsonLine, OneLineOfProtoJson) {
  perch::v1::GetTimelineResponse response;
  *response.add_tweets() = MakeTweet("1", "jack", "two\nlines");
  response.set_next_page_token("tok");
  absl::StatusOr<std::string> json = JsonLine(response);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->find('\n'), json->size() - 1);
  EXPECT_THAT(*json, HasSubstr("\"nextPageToken\":\"tok\""));
  EXPECT_THAT(*json, HasSubstr("\"createdAt\":\"2024-05-01T12:34:56Z\""));
  EXPECT_THAT(*json, HasSubstr("\"text\":\"two\\nlines\""));
}

}  // namespace
}  // namespace perch::client
