// Bodies that are not what the upstream contract promises: every parser must
// answer INTERNAL / UPSTREAM_MALFORMED_RESPONSE (never crash, never a
// half-filled success), name where the problem is, and never echo the body.
#include "server/mapping/testing/malformed.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "server/mapping/list_json.h"
#include "server/mapping/page_json.h"
#include "server/mapping/testing/recorded_body.h"
#include "server/mapping/token_json.h"
#include "server/mapping/tweet_json.h"
#include "server/mapping/user_json.h"

namespace perch::mapping {
namespace {

using ::perch::mapping::testing::ExpectEveryCutRefused;
using ::perch::mapping::testing::FindParser;
using ::perch::mapping::testing::IsMalformed;
using ::perch::mapping::testing::NamedParser;
using ::perch::mapping::testing::ReadRecordedBody;

const std::vector<NamedParser>& AllParsers() {
  static const auto* parsers = new std::vector<NamedParser>{
      testing::StatusOf<&ParseTweetArray>("ParseTweetArray"),
      testing::StatusOf<&ParseSearchPage>("ParseSearchPage"),
      testing::StatusOf<&ParseUserPage>("ParseUserPage"),
      testing::StatusOf<&ParseIdPage>("ParseIdPage"),
      testing::StatusOf<&ParseTwitterList>("ParseTwitterList"),
      testing::StatusOf<&ParseUser>("ParseUser"),
      testing::StatusOf<&ParseTokenGrant>("ParseTokenGrant"),
      testing::StatusOf<&ParseInvalidatedToken>("ParseInvalidatedToken"),
  };
  return *parsers;
}

TEST(Malformed, NonJsonAndEmptyBodiesFailEveryParser) {
  for (const char* body :
       {"", " ", "<html><body>502 Bad Gateway</body></html>", "nul", "{", "[",
        "}", "]", "{]", "[}", "\xff\xfe\x00", "tru"}) {
    for (const NamedParser& parser : AllParsers()) {
      EXPECT_TRUE(IsMalformed(parser.parse(body)))
          << parser.name << " on \"" << body << "\"";
    }
  }
}

TEST(Malformed, WrongTopLevelTypeFailsEveryParser) {
  for (const char* body : {"null", "true", "42", "\"text\"", "1.5"}) {
    for (const NamedParser& parser : AllParsers()) {
      EXPECT_TRUE(IsMalformed(parser.parse(body)))
          << parser.name << " on " << body;
    }
  }
  // Array where an object is expected and the other way round.
  EXPECT_TRUE(IsMalformed(ParseTweetArray(R"({"statuses":[]})").status()));
  EXPECT_TRUE(IsMalformed(ParseSearchPage("[]").status()));
  EXPECT_TRUE(IsMalformed(ParseUserPage("[]").status()));
  EXPECT_TRUE(IsMalformed(ParseIdPage("[1,2]").status()));
  EXPECT_TRUE(IsMalformed(ParseTwitterList("[]").status()));
  EXPECT_TRUE(IsMalformed(ParseTweetArray("[1, 2]").status()));
  EXPECT_TRUE(IsMalformed(ParseTweetArray("[[]]").status()));
}

// Cutting a real body anywhere must fail, including right after an inner
// closing bracket (the case where the last character of the truncated body
// still looks like the end of a container).
TEST(Malformed, TruncatedRecordedBodiesFail) {
  struct Case {
    const char* body;
    const char* parser;
  };
  for (const Case& c : {Case{"testusertimeline.0.json", "ParseTweetArray"},
                        Case{"testsearchtweets.0.json", "ParseSearchPage"},
                        Case{"testgetfollowers.0.json", "ParseUserPage"},
                        Case{"testcursorcursoritems.0.json", "ParseIdPage"},
                        Case{"testgetlist.0.json", "ParseTwitterList"}}) {
    absl::StatusOr<std::string> body = ReadRecordedBody(c.body);
    ASSERT_TRUE(body.ok()) << body.status();
    const NamedParser* parser = FindParser(AllParsers(), c.parser);
    ASSERT_NE(parser, nullptr);
    ASSERT_NO_FATAL_FAILURE(ExpectEveryCutRefused(*parser, c.body, *body));
  }
}

TEST(Malformed, TweetWithoutIdStrNamesItsPath) {
  absl::Status status =
      ParseTweetArray(R"([{"id_str":"1"},{"id":2,"text":"SENTINEL"}])")
          .status();
  ASSERT_TRUE(IsMalformed(status));
  EXPECT_TRUE(absl::StrContains(status.message(), "$[1].id_str")) << status;
  EXPECT_FALSE(absl::StrContains(status.message(), "SENTINEL")) << status;

  status = ParseTweetArray(
               R"([{"id_str":"1","retweeted_status":{"text":"SENTINEL"}}])")
               .status();
  ASSERT_TRUE(IsMalformed(status));
  EXPECT_TRUE(
      absl::StrContains(status.message(), "$[0].retweeted_status.id_str"))
      << status;

  status = ParseTweetArray(R"([{"id_str":"1","user":{"name":"SENTINEL"}}])")
               .status();
  ASSERT_TRUE(IsMalformed(status));
  EXPECT_TRUE(absl::StrContains(status.message(), "$[0].user.id_str"))
      << status;
}

TEST(Malformed, IdsMustBeDecimalStrings) {
  for (const char* body :
       {R"([{"id_str":1149557488447975429}])", R"([{"id_str":""}])",
        R"([{"id_str":null}])", R"([{"id_str":"1e5"}])", R"([{"id_str":"-1"}])",
        R"([{"id_str":"1","in_reply_to_status_id_str":5}])"}) {
    EXPECT_TRUE(IsMalformed(ParseTweetArray(body).status())) << body;
  }
}

TEST(Malformed, BadCreatedAtFailsTheWholeParseAndNamesTheField) {
  struct Case {
    std::string body;
    const char* path;
  };
  const std::vector<Case> cases = {
      {R"([{"id_str":"1","created_at":"SENTINEL Oct 10 20:19:24 +0000 2018"}])",
       "$[0].created_at"},
      {R"([{"id_str":"1","created_at":"Wed Oct 10 20:19:24 +0000 2018"},)"
       R"({"id_str":"2","created_at":"Wed Oct 10 20:19:24 +0000 SENTINEL"}])",
       "$[1].created_at"},
      {R"([{"id_str":"1","user":{"id_str":"2","created_at":"SENTINEL"}}])",
       "$[0].user.created_at"},
      {R"([{"id_str":"1","retweeted_status":{"id_str":"2","user":)"
       R"({"id_str":"3","created_at":"SENTINEL"}}}])",
       "$[0].retweeted_status.user.created_at"},
      {R"([{"id_str":"1","quoted_status":{"id_str":"2",)"
       R"("created_at":1539202764}}])",
       "$[0].quoted_status.created_at"},
  };
  for (const Case& c : cases) {
    absl::Status status = ParseTweetArray(c.body).status();
    ASSERT_TRUE(IsMalformed(status)) << c.body;
    EXPECT_TRUE(absl::StrContains(status.message(), c.path)) << status;
    EXPECT_FALSE(absl::StrContains(status.message(), "SENTINEL")) << status;
  }
  absl::Status in_search =
      ParseSearchPage(
          R"({"statuses":[{"id_str":"1","created_at":"SENTINEL"}]})")
          .status();
  ASSERT_TRUE(IsMalformed(in_search));
  EXPECT_TRUE(
      absl::StrContains(in_search.message(), "$.statuses[0].created_at"))
      << in_search;
  absl::Status in_page =
      ParseUserPage(
          R"({"users":[{"id_str":"1"},{"id_str":"2","created_at":"x"}]})")
          .status();
  ASSERT_TRUE(IsMalformed(in_page));
  EXPECT_TRUE(absl::StrContains(in_page.message(), "$.users[1].created_at"))
      << in_page;
}

TEST(Malformed, WrongMemberTypesNameTheField) {
  struct Case {
    const char* body;
    const char* path;
  };
  for (
      const Case& c : {
          Case{R"([{"id_str":"1","favorite_count":"SENTINEL"}])",
               "$[0].favorite_count"},
          Case{R"([{"id_str":"1","possibly_sensitive":"SENTINEL"}])",
               "$[0].possibly_sensitive"},
          Case{R"([{"id_str":"1","entities":{"hashtags":"SENTINEL"}}])",
               "$[0].entities.hashtags"},
          Case{R"([{"id_str":"1","entities":{"hashtags":[{"text":7}]}}])",
               "$[0].entities.hashtags[0].text"},
          Case{
              R"([{"id_str":"1","entities":{"urls":[{},{"url":["SENTINEL"]}]}}])",
              "$[0].entities.urls[1].url"},
          Case{
              R"([{"id_str":"1","extended_entities":{"media":[{"id_str":3}]}}])",
              "$[0].extended_entities.media[0].id_str"},
          Case{R"([{"id_str":"1","user":"SENTINEL"}])", "$[0].user"},
          Case{R"([{"id_str":"1","full_text":{"SENTINEL":1}}])",
               "$[0].full_text"},
      }) {
    absl::Status status = ParseTweetArray(c.body).status();
    ASSERT_TRUE(IsMalformed(status)) << c.body;
    EXPECT_TRUE(absl::StrContains(status.message(), c.path)) << status;
    EXPECT_FALSE(absl::StrContains(status.message(), "SENTINEL")) << status;
  }
}

TEST(Malformed, TrailingContentAfterTheTopLevelValue) {
  EXPECT_TRUE(IsMalformed(ParseTweetArray(R"([{"id_str":"1"}] [])").status()));
  EXPECT_TRUE(IsMalformed(ParseTweetArray(R"([] x)").status()));
  EXPECT_TRUE(IsMalformed(ParseTwitterList(R"({"id_str":"1"}{})").status()));
  EXPECT_TRUE(IsMalformed(ParseIdPage(R"({"ids":[]},)").status()));
  // Whitespace after the value is fine.
  EXPECT_TRUE(ParseTweetArray("[]\r\n\t ").ok());
}

TEST(Malformed, InvalidUtf8Fails) {
  EXPECT_TRUE(IsMalformed(
      ParseTweetArray("[{\"id_str\":\"1\",\"full_text\":\"a\xc3\x28\"}]")
          .status()));
}

TEST(Malformed, AbsurdTweetNestingIsRefused) {
  std::string body = R"([{"id_str":"0")";
  for (int i = 1; i <= 50; ++i) {
    absl::StrAppend(&body, R"(,"retweeted_status":{"id_str":")", i, "\"");
  }
  body += std::string(50, '}') + "}]";
  absl::Status status = ParseTweetArray(body).status();
  EXPECT_TRUE(IsMalformed(status));
  EXPECT_TRUE(absl::StrContains(status.message(), "nested too deep")) << status;
  // The depth real bodies use (a quote inside a retweet) is fine.
  EXPECT_TRUE(
      ParseTweetArray(R"([{"id_str":"1","retweeted_status":{)"
                      R"("id_str":"2","quoted_status":{"id_str":"3"}}}])")
          .ok());
}

}  // namespace
}  // namespace perch::mapping
