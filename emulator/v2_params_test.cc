// v2 query parameters are read as the upstream reads them: only those an
// endpoint declares, field and expansion names from the spec's enums,
// max_results in range (else the default), and every problem reported.
#include "emulator/v2_params.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace perch::emulator {
namespace {

V2ParamSpec TimelineSpec() {
  V2ParamSpec spec;
  spec.primary = V2Primary::kTweets;
  spec.allowed = {"since_id",         "until_id",    "max_results",
                  "pagination_token", "exclude",     "start_time",
                  "end_time",         "expansions",  "tweet.fields",
                  "media.fields",     "poll.fields", "user.fields",
                  "place.fields"};
  spec.min_results = 5;
  spec.max_results = 100;
  spec.default_results = 10;
  return spec;
}

TEST(ParseV2Params, ReadsEveryDeclaredParameter) {
  std::vector<InvalidParameter> problems;
  std::optional<V2Params> p =
      ParseV2Params({{"tweet.fields", "created_at,entities"},
                     {"user.fields", "verified"},
                     {"media.fields", "url"},
                     {"expansions", "author_id,attachments.media_keys"},
                     {"max_results", "5"},
                     {"pagination_token", "abc"},
                     {"since_id", "12"},
                     {"until_id", "99"},
                     {"start_time", "2024-05-30T00:00:00Z"},
                     {"end_time", "2024-05-31T00:00:00.000Z"},
                     {"exclude", "retweets,replies"}},
                    TimelineSpec(), &problems);
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(p->tweet_fields, (NameSet{"created_at", "entities"}));
  EXPECT_EQ(p->user_fields, (NameSet{"verified"}));
  EXPECT_EQ(p->media_fields, (NameSet{"url"}));
  EXPECT_TRUE(p->Expands("author_id"));
  EXPECT_TRUE(p->Expands("attachments.media_keys"));
  EXPECT_FALSE(p->Expands("referenced_tweets.id"));
  EXPECT_EQ(p->max_results, 5);
  EXPECT_EQ(p->page_token, "abc");
  EXPECT_EQ(p->page_token_name, "pagination_token");
  EXPECT_EQ(p->since_id, 12u);
  EXPECT_EQ(p->until_id, 99u);
  EXPECT_EQ(p->start_time, 1717027200);
  EXPECT_EQ(p->end_time, 1717113600);
  EXPECT_TRUE(p->exclude_replies);
  EXPECT_TRUE(p->exclude_retweets);
}

TEST(ParseV2Params, DefaultsWhenAbsent) {
  std::vector<InvalidParameter> problems;
  std::optional<V2Params> p = ParseV2Params({}, TimelineSpec(), &problems);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->max_results, 10);
  EXPECT_TRUE(p->tweet_fields.empty());
  EXPECT_TRUE(p->page_token.empty());
  EXPECT_FALSE(p->since_id.has_value());
  EXPECT_FALSE(p->exclude_replies);
}

TEST(ParseV2Params, EveryProblemIsReportedByName) {
  std::vector<InvalidParameter> problems;
  EXPECT_FALSE(ParseV2Params({{"count", "20"},
                              {"tweet.fields", "text,full_text"},
                              {"expansions", "owner_id"},
                              {"max_results", "4"},
                              {"since_id", "-3"},
                              {"end_time", "yesterday"},
                              {"exclude", "quotes"}},
                             TimelineSpec(), &problems)
                   .has_value());
  ASSERT_EQ(problems.size(), 7u);
  EXPECT_EQ(problems[0].name, "count");
  EXPECT_EQ(problems[0].message,
            "The query parameter [count] is not one of [since_id,until_id,"
            "max_results,pagination_token,exclude,start_time,end_time,"
            "expansions,tweet.fields,media.fields,poll.fields,user.fields,"
            "place.fields]");
  EXPECT_EQ(problems[1].value, "full_text");
  EXPECT_TRUE(absl::StartsWith(
      problems[1].message,
      "The `tweet.fields` query parameter value [full_text] is not one of "
      "[article,attachments,"));
  EXPECT_EQ(problems[2].name, "expansions");  // a list expansion on tweets
  EXPECT_EQ(problems[3].message,
            "The `max_results` query parameter value [4] is not between 5 "
            "and 100");
  EXPECT_EQ(problems[4].message,
            "The `since_id` query parameter value [-3] does not match "
            "^[0-9]{1,19}$");
  EXPECT_EQ(problems[5].name, "end_time");
  EXPECT_EQ(problems[6].value, "quotes");
}

TEST(ParseV2Params, ExpansionsDependOnWhatTheEndpointReturns) {
  V2ParamSpec lists;
  lists.primary = V2Primary::kLists;
  lists.allowed = {"expansions", "list.fields"};
  std::vector<InvalidParameter> problems;
  EXPECT_TRUE(
      ParseV2Params({{"expansions", "owner_id"}, {"list.fields", "private"}},
                    lists, &problems)
          .has_value());
  EXPECT_FALSE(ParseV2Params({{"expansions", "author_id"}}, lists, &problems)
                   .has_value());
  V2ParamSpec users;
  users.primary = V2Primary::kUsers;
  users.allowed = {"expansions"};
  EXPECT_TRUE(
      ParseV2Params({{"expansions", "pinned_tweet_id"}}, users, &problems)
          .has_value());
}

TEST(ParseV2Params, SearchTakesItsTokenUnderEitherName) {
  V2ParamSpec search;
  search.allowed = {"query", "next_token", "pagination_token", "sort_order"};
  std::vector<InvalidParameter> problems;
  std::optional<V2Params> p = ParseV2Params(
      {{"query", "a b"}, {"next_token", "t1"}, {"sort_order", "relevancy"}},
      search, &problems);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->page_token, "t1");
  EXPECT_EQ(p->page_token_name, "next_token");
  EXPECT_EQ(p->sort_order, "relevancy");
  EXPECT_EQ(p->query, "a b");
  EXPECT_FALSE(
      ParseV2Params({{"sort_order", "recency,relevancy"}}, search, &problems)
          .has_value());
  EXPECT_FALSE(
      ParseV2Params({{"next_token", ""}}, search, &problems).has_value());
}

TEST(CheckPathParameter, IdsAndUsernamesHaveTheirPatterns) {
  EXPECT_FALSE(CheckPathParameter("id", "2244994945").has_value());
  EXPECT_TRUE(CheckPathParameter("id", "12345678901234567890").has_value());
  EXPECT_TRUE(CheckPathParameter("id", "me").has_value());
  EXPECT_FALSE(CheckPathParameter("username", "perch_dev").has_value());
  EXPECT_TRUE(CheckPathParameter("username", "sixteen_chars_xx").has_value());
  EXPECT_TRUE(CheckPathParameter("username", "a.b").has_value());
}

}  // namespace
}  // namespace perch::emulator
