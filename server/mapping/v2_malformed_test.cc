// v2 bodies that are not what the contract promises: every v2 parser must
// answer INTERNAL / UPSTREAM_MALFORMED_RESPONSE naming the JSON path (never
// crash, never a half-filled success, never echo the body). Problems the
// upstream reports inside `errors` are not malformed: they are data.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/mapping/testing/malformed.h"
#include "server/mapping/testing/v2_recorded.h"
#include "server/mapping/v2_json.h"

namespace perch::mapping::v2 {
namespace {

using ::perch::mapping::testing::ExpectEveryCutRefused;
using ::perch::mapping::testing::FindParser;
using ::perch::mapping::testing::IsMalformed;
using ::perch::mapping::testing::IsMalformedAt;
using ::perch::mapping::testing::NamedParser;
using ::perch::mapping::testing::ReadV2Body;

const std::vector<NamedParser>& AllParsers() {
  static const auto* parsers = new std::vector<NamedParser>{
      testing::StatusOf<&ParseTweetPage>("ParseTweetPage"),
      testing::StatusOf<&ParseUserPage>("ParseUserPage"),
      testing::StatusOf<&ParseUserLookup>("ParseUserLookup"),
      testing::StatusOf<&ParseListLookup>("ParseListLookup"),
      testing::StatusOf<&ParseListsPage>("ParseListsPage"),
  };
  return *parsers;
}

const NamedParser& ParserNamed(absl::string_view name) {
  const NamedParser* parser = FindParser(AllParsers(), name);
  if (parser == nullptr) ADD_FAILURE() << "no parser " << name;
  return parser != nullptr ? *parser : AllParsers().front();
}

// A body that `parser` must refuse, naming `path`, without quoting the
// SENTINEL the body may hold.
struct MalformedCase {
  const char* parser;
  const char* body;
  const char* path;
};

void ExpectMalformedAt(const std::vector<MalformedCase>& cases) {
  for (const MalformedCase& c : cases) {
    absl::Status status = ParserNamed(c.parser).parse(c.body);
    EXPECT_TRUE(IsMalformedAt(status, c.path)) << c.parser << " " << c.body;
    EXPECT_FALSE(absl::StrContains(status.message(), "SENTINEL")) << status;
  }
}

TEST(V2Malformed, NonJsonEmptyAndWrongTopLevelBodiesFailEveryParser) {
  for (const char* body :
       {"", " ", "<html><body>503 Service Unavailable</body></html>", "{", "[",
        "{]", "null", "true", "42", "\"text\"", "[]", "[{}]", "{\"data\"",
        "{\"data\":[}", "{} {}", "{\"data\":\"a\xc3\x28\"}"}) {
    for (const NamedParser& parser : AllParsers()) {
      EXPECT_TRUE(IsMalformed(parser.parse(body)))
          << parser.name << " on \"" << body << "\"";
    }
  }
}

// `data` has one shape per endpoint: an array on pages, an object on
// lookups; the other is malformed.
TEST(V2Malformed, DataOfTheWrongShape) {
  ExpectMalformedAt({
      MalformedCase{"ParseTweetPage", R"({"data":{"id":"1"}})", "$.data"},
      MalformedCase{"ParseUserPage", R"({"data":{"id":"1"}})", "$.data"},
      MalformedCase{"ParseListsPage", R"({"data":"1"})", "$.data"},
      MalformedCase{"ParseUserLookup", R"({"data":[{"id":"1"}]})", "$.data"},
      MalformedCase{"ParseListLookup", R"({"data":[{"id":"1"}]})", "$.data"},
      MalformedCase{"ParseTweetPage", R"({"data":[{"id":"1"},7]})",
                    "$.data[1]"},
  });
}

TEST(V2Malformed, MissingOrBadIdsNameTheirPath) {
  ExpectMalformedAt({
      MalformedCase{"ParseTweetPage",
                    R"({"data":[{"id":"1"},{"text":"SENTINEL"}]})",
                    "$.data[1].id"},
      MalformedCase{"ParseTweetPage", R"({"data":[{"id":1}]})", "$.data[0].id"},
      MalformedCase{"ParseTweetPage", R"({"data":[{"id":"12a"}]})",
                    "$.data[0].id"},
      MalformedCase{"ParseTweetPage", R"({"data":[{"id":""}]})",
                    "$.data[0].id"},
      MalformedCase{"ParseTweetPage", R"({"data":[{"id":"1","author_id":5}]})",
                    "$.data[0].author_id"},
      MalformedCase{
          "ParseTweetPage",
          R"({"data":[{"id":"1","referenced_tweets":[{"type":"quoted"}]}]})",
          "$.data[0].referenced_tweets[0].id"},
      MalformedCase{
          "ParseTweetPage",
          R"({"data":[{"id":"1"}],"includes":{"users":[{"id":"2"},{"username":"SENTINEL"}]}})",
          "$.includes.users[1].id"},
      MalformedCase{
          "ParseTweetPage",
          R"({"data":[{"id":"1"}],"includes":{"tweets":[{"text":"SENTINEL"}]}})",
          "$.includes.tweets[0].id"},
      MalformedCase{
          "ParseTweetPage",
          R"({"includes":{"media":[{"type":"photo","url":"SENTINEL"}]}})",
          "$.includes.media[0].media_key"},
      MalformedCase{"ParseUserPage", R"({"data":[{"username":"SENTINEL"}]})",
                    "$.data[0].id"},
      MalformedCase{"ParseUserLookup", R"({"data":{"name":"SENTINEL"}})",
                    "$.data.id"},
      MalformedCase{"ParseListLookup", R"({"data":{"name":"SENTINEL"}})",
                    "$.data.id"},
      MalformedCase{"ParseListLookup",
                    R"({"data":{"id":"1","owner_id":"SENTINEL"}})",
                    "$.data.owner_id"},
      MalformedCase{"ParseListsPage", R"({"data":[{"id":"1"},{"id":null}]})",
                    "$.data[1].id"},
  });
}

TEST(V2Malformed, CreatedAtMustBeAnIsoTimeThatExists) {
  for (const char* text : {
           "Wed Oct 10 20:19:24 +0000 2018",   // v1.1's layout
           "2022-10-03 17:57:11.000Z",         // no T
           "2022-10-03T17:57:11.000",          // no offset
           "2022-10-03T17:57:11.000+0200",     // offset without colon
           "2022-10-03T17:57:11.Z",            // empty fraction
           "2022-10-03T17:57:11.0000000000Z",  // 10 fraction digits
           "2022-02-30T00:00:00.000Z",         // no such day
           "2022-13-01T00:00:00.000Z",         // no such month
           "2022-10-03T24:00:00.000Z",         // no such hour
           "2022-10-03T17:60:00.000Z",         // no such minute
           "2022-10-03T17:57:61.000Z",         // no such second
           "2022-10-03T17:57:11.000Z ",        // trailing space
           "2022-10-3T17:57:11.000Z",          // one-digit day
           "",                                 // empty
           "SENTINEL",
       }) {
    const std::string tweet = absl::StrCat(
        R"({"data":[{"id":"1"},{"id":"2","created_at":")", text, "\"}]}");
    absl::Status status = ParseTweetPage(tweet).status();
    EXPECT_TRUE(IsMalformedAt(status, "$.data[1].created_at")) << text;
    EXPECT_FALSE(absl::StrContains(status.message(), "SENTINEL")) << status;
  }
  // Everywhere a created_at is read, and a number is not a time either.
  ExpectMalformedAt({
      MalformedCase{
          "ParseTweetPage",
          R"({"includes":{"tweets":[{"id":"2","created_at":"2022"}]}})",
          "$.includes.tweets[0].created_at"},
      MalformedCase{
          "ParseTweetPage",
          R"({"includes":{"users":[{"id":"2","created_at":1664819831}]}})",
          "$.includes.users[0].created_at"},
      MalformedCase{"ParseUserPage",
                    R"({"data":[{"id":"2","created_at":"x"}]})",
                    "$.data[0].created_at"},
      MalformedCase{"ParseListLookup",
                    R"({"data":{"id":"2","created_at":"x"}})",
                    "$.data.created_at"},
      MalformedCase{"ParseListsPage",
                    R"({"data":[{"id":"2","created_at":"x"}]})",
                    "$.data[0].created_at"},
  });
}

TEST(V2Malformed, WrongMemberTypesNameTheField) {
  ExpectMalformedAt({
      MalformedCase{"ParseTweetPage",
                    R"({"data":[{"id":"1","text":["SENTINEL"]}]})",
                    "$.data[0].text"},
      MalformedCase{"ParseTweetPage",
                    R"({"data":[{"id":"1","note_tweet":{"text":7}}]})",
                    "$.data[0].note_tweet.text"},
      MalformedCase{"ParseTweetPage",
                    R"({"data":[{"id":"1","note_tweet":"SENTINEL"}]})",
                    "$.data[0].note_tweet"},
      MalformedCase{
          "ParseTweetPage",
          R"({"data":[{"id":"1","public_metrics":{"like_count":"SENTINEL"}}]})",
          "$.data[0].public_metrics.like_count"},
      MalformedCase{
          "ParseTweetPage",
          R"({"data":[{"id":"1","public_metrics":{"retweet_count":1.5}}]})",
          "$.data[0].public_metrics.retweet_count"},
      MalformedCase{"ParseTweetPage",
                    R"({"data":[{"id":"1","possibly_sensitive":"yes"}]})",
                    "$.data[0].possibly_sensitive"},
      MalformedCase{
          "ParseTweetPage",
          R"({"data":[{"id":"1","referenced_tweets":{"type":"quoted"}}]})",
          "$.data[0].referenced_tweets"},
      MalformedCase{
          "ParseTweetPage",
          R"({"data":[{"id":"1","entities":{"hashtags":"SENTINEL"}}]})",
          "$.data[0].entities.hashtags"},
      MalformedCase{
          "ParseTweetPage",
          R"({"data":[{"id":"1","entities":{"mentions":[{"username":1}]}}]})",
          "$.data[0].entities.mentions[0].username"},
      MalformedCase{
          "ParseTweetPage",
          R"({"data":[{"id":"1","entities":{"urls":[{},{"media_key":"SENTINEL"}]}}]})",
          "$.data[0].entities.urls[1].media_key"},
      MalformedCase{
          "ParseTweetPage",
          R"({"data":[{"id":"1","attachments":{"media_keys":["3_1","SENTINEL"]}}]})",
          "$.data[0].attachments.media_keys[1]"},
      MalformedCase{"ParseTweetPage",
                    R"({"data":[{"id":"1","attachments":{"media_keys":[3]}}]})",
                    "$.data[0].attachments.media_keys[0]"},
      MalformedCase{"ParseTweetPage",
                    R"({"includes":{"media":[{"media_key":"3_"}]}})",
                    "$.includes.media[0].media_key"},
      MalformedCase{"ParseTweetPage", R"({"includes":[]})", "$.includes"},
      MalformedCase{"ParseTweetPage", R"({"meta":{"result_count":"10"}})",
                    "$.meta.result_count"},
      MalformedCase{"ParseTweetPage", R"({"meta":{"next_token":7}})",
                    "$.meta.next_token"},
      MalformedCase{"ParseTweetPage", R"({"meta":[]})", "$.meta"},
      MalformedCase{"ParseTweetPage", R"({"errors":{"title":"x"}})",
                    "$.errors"},
      MalformedCase{"ParseUserPage", R"({"errors":[{"title":7}]})",
                    "$.errors[0].title"},
      MalformedCase{
          "ParseUserPage",
          R"({"data":[{"id":"1","public_metrics":{"followers_count":"SENTINEL"}}]})",
          "$.data[0].public_metrics.followers_count"},
      MalformedCase{"ParseUserPage",
                    R"({"data":[{"id":"1","protected":"no"}]})",
                    "$.data[0].protected"},
      MalformedCase{"ParseUserLookup", R"({"data":{"id":"1","username":{}}})",
                    "$.data.username"},
      MalformedCase{"ParseListLookup", R"({"data":{"id":"1","private":"no"}})",
                    "$.data.private"},
      MalformedCase{"ParseListsPage",
                    R"({"data":[{"id":"1","member_count":"3"}]})",
                    "$.data[0].member_count"},
  });
}

// Cutting a real body anywhere must fail, including right after an inner
// closing bracket. Large captures are cut at fewer points.
TEST(V2Malformed, TruncatedRecordedBodiesFail) {
  struct Case {
    const char* path;
    int line;
    const char* parser;
    size_t stride;
  };
  for (const Case& c :
       {Case{"recorded-v2/twarc-csv/two_tweets.jsonl", 0, "ParseTweetPage", 97},
        Case{"recorded-v2/preocts/search_recent.page1.json", 0,
             "ParseTweetPage", 97},
        Case{"recorded-v2/twarc-csv/lists.jsonl", 0, "ParseListsPage", 97},
        Case{"recorded/bodies/test_client_get_users_tweets.0.json", 0,
             "ParseTweetPage", 97},
        Case{"recorded/bodies/test_client_get_user.0.json", 0,
             "ParseUserLookup", 97},
        Case{"recorded/bodies/test_client_get_list.0.json", 0,
             "ParseListLookup", 97},
        Case{"recorded/bodies/test_asyncclient_get_users_followers.0.json", 0,
             "ParseUserPage", 97}}) {
    absl::StatusOr<std::string> body = ReadV2Body(c.path, c.line);
    ASSERT_TRUE(body.ok()) << body.status();
    ASSERT_NO_FATAL_FAILURE(
        ExpectEveryCutRefused(ParserNamed(c.parser), c.path, *body, c.stride));
  }
  // A 340 kB page, cut at 300 points spread over it.
  absl::StatusOr<std::string> big =
      ReadV2Body("recorded-v2/twarc-csv/user_timeline.jsonl");
  ASSERT_TRUE(big.ok()) << big.status();
  for (size_t k = 1; k <= 300; ++k) {
    const size_t cut = big->size() * k / 301;
    ASSERT_TRUE(IsMalformed(
        ParseTweetPage(absl::string_view(*big).substr(0, cut)).status()))
        << "cut at " << cut;
  }
}

TEST(V2Malformed, DeepNestingIsRefusedNotRecursed) {
  // simdjson bounds the JSON depth; the parsers never recurse on input.
  std::string deep = R"({"data":[{"id":"1","entities":)";
  deep += std::string(5000, '[') + std::string(5000, ']') + "}]}";
  EXPECT_TRUE(IsMalformed(ParseTweetPage(deep).status()));
  // A chain of 500 quotes, each in includes: resolved to v1.1's depth only.
  std::string chain =
      R"({"data":[{"id":"0","referenced_tweets":[{"type":"quoted","id":"1"}]}],"includes":{"tweets":[)";
  for (int i = 1; i <= 500; ++i) {
    absl::StrAppend(&chain, i > 1 ? "," : "", R"({"id":")", i,
                    R"(","referenced_tweets":[{"type":"quoted","id":")", i + 1,
                    "\"}]}");
  }
  chain += "]}}";
  absl::StatusOr<TweetPage> page = ParseTweetPage(chain);
  ASSERT_TRUE(page.ok()) << page.status();
  const perch::v1::Tweet& tweet = page->tweets[0];
  ASSERT_TRUE(tweet.quoted_tweet().has_quoted_tweet());
  EXPECT_EQ(tweet.quoted_tweet().quoted_tweet().id(), "2");
  EXPECT_FALSE(tweet.quoted_tweet().quoted_tweet().has_quoted_tweet());
}

// Problems are data: an `errors` array, however alarming, parses.
TEST(V2Malformed, ProblemsInsideA200AreNotMalformed) {
  absl::StatusOr<TweetPage> page = ParseTweetPage(
      R"({"errors":[{"type":"https://api.twitter.com/2/problems/usage-capped","title":"Usage Capped","status":429,"extra":{"nested":[1,2]}},{}]})");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->errors.size(), 2u);
  EXPECT_EQ(ProblemName(page->errors[0].type), "usage-capped");
  EXPECT_EQ(page->errors[1].type, "");
}

}  // namespace
}  // namespace perch::mapping::v2
