#include "server/upstream/v1_dialect.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "server/upstream/testing/fake_upstream_reader.h"
#include "tests/testing/field_violations.h"
#include "tests/testing/status_matchers.h"

namespace perch::upstream {
namespace {

using ::perch::testing::IsInvalidArgumentOn;
using ::perch::testing::StatusIs;
using ::perch::upstream::testing::FakeUpstreamReader;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr absl::string_view kBase = "https://api.test";

// What a dialect call answered, and how often (exactly once is the contract).
template <typename Page>
struct Answer {
  int calls = 0;
  std::optional<absl::StatusOr<Page>> value;
};

template <typename Page>
std::vector<std::string> TweetIds(const Page& page) {
  std::vector<std::string> ids;
  for (const auto& t : page.tweets) ids.push_back(t.id());
  return ids;
}

class V1DialectTest : public ::testing::Test {
 protected:
  // Calls `method` on the dialect with `query`; the answer lands in the
  // returned object.
  template <typename Page, typename Query, typename Method>
  std::shared_ptr<Answer<Page>> Call(Method method, const Query& query) {
    auto answer = std::make_shared<Answer<Page>>();
    handles_.push_back(((*dialect_).*method)(
        query, deadline_, [answer](absl::StatusOr<Page> page) {
          ++answer->calls;
          answer->value = std::move(page);
        }));
    return answer;
  }
  std::shared_ptr<Answer<TweetPage>> Timeline(const TimelineQuery& q) {
    return Call<TweetPage>(&ReadDialect::Timeline, q);
  }
  std::shared_ptr<Answer<TweetPage>> Search(const SearchQuery& q) {
    return Call<TweetPage>(&ReadDialect::Search, q);
  }
  std::shared_ptr<Answer<FollowerPage>> Followers(const FollowersQuery& q) {
    return Call<FollowerPage>(&ReadDialect::Followers, q);
  }
  std::shared_ptr<Answer<ListPage>> List(const ListQuery& q) {
    return Call<ListPage>(&ReadDialect::List, q);
  }

  std::vector<std::string> Urls() const {
    std::vector<std::string> urls;
    for (const auto& r : reader_.requests()) urls.push_back(r.url);
    return urls;
  }

  // The index of the request to `path`; fails the test if there is none.
  size_t RequestTo(absl::string_view path) const {
    const auto requests = reader_.requests();
    for (size_t i = 0; i < requests.size(); ++i) {
      if (requests[i].path == path) return i;
    }
    ADD_FAILURE() << "no request to " << path;
    return requests.size();
  }

  static http::HttpHeaders RateLimitHeaders() {
    return {{"x-rate-limit-limit", "900"},
            {"x-rate-limit-remaining", "899"},
            {"x-rate-limit-reset", "1700000900"}};
  }

  const absl::Time deadline_ = absl::FromUnixSeconds(1700000030);
  FakeUpstreamReader reader_;
  std::unique_ptr<ReadDialect> dialect_ =
      MakeV1Dialect(reader_, std::string(kBase));
  std::vector<std::shared_ptr<ReadHandle>> handles_;
};

TEST_F(V1DialectTest, NamesItself) { EXPECT_EQ(dialect_->name(), "v1.1"); }

// perch_dev's timeline with the caller's reply and retweet filters on.
TimelineQuery FilteredTimeline() {
  TimelineQuery q;
  q.user.screen_name = "perch_dev";
  q.exclude_replies = true;
  q.include_retweets = false;
  return q;
}

// The caller's filters are not sent: perch pages unfiltered (see the next
// test for why) and filters the page itself.
TEST_F(V1DialectTest, TimelineFirstPageAsksForAnUnfilteredPage) {
  Timeline(FilteredTimeline());
  const auto requests = reader_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].url,
            "https://api.test/1.1/statuses/user_timeline.json"
            "?screen_name=perch_dev&count=20&exclude_replies=false"
            "&include_rts=true&tweet_mode=extended");
  EXPECT_EQ(requests[0].path, "/1.1/statuses/user_timeline.json");
  EXPECT_EQ(requests[0].deadline, deadline_);
}

TEST_F(V1DialectTest, TimelinePositionIsTheMaxIdAndSinceIdIsSent) {
  TimelineQuery q;
  q.user.user_id = "12";
  q.page_size = 5;
  q.since_id = "100";
  q.position = "5000";
  Timeline(q);
  EXPECT_THAT(Urls(), ElementsAre("https://api.test/1.1/statuses/"
                                  "user_timeline.json?user_id=12&count=5"
                                  "&since_id=100&max_id=5000"
                                  "&exclude_replies=false&include_rts=true"
                                  "&tweet_mode=extended"));
}

// The upstream applies count before its own filters, so a filtered page
// could end early; perch steps max_id from every tweet the upstream sent,
// then drops what the caller filtered out.
TEST_F(V1DialectTest, TimelineNextPositionComesFromTheUnfilteredPage) {
  auto answer = Timeline(FilteredTimeline());
  ASSERT_TRUE(reader_.Answer(0, FakeUpstreamReader::Ok(
                                    R"([{"id_str":"1149557488447975430"},
                 {"id_str":"1149557488447975429","in_reply_to_status_id_str":"7"},
                 {"id_str":"1149557488447975428","retweeted_status":{"id_str":"5"}}])",
                                    RateLimitHeaders())));
  ASSERT_EQ(answer->calls, 1);
  ASSERT_TRUE(answer->value->ok()) << answer->value->status();
  const TweetPage& page = **answer->value;
  EXPECT_THAT(TweetIds(page), ElementsAre("1149557488447975430"));
  // One below the lowest id, exact above 2^53.
  EXPECT_EQ(page.next_position, "1149557488447975427");
  ASSERT_TRUE(page.rate_limit.has_value());
  EXPECT_EQ(page.rate_limit->limit, 900);
  EXPECT_EQ(page.rate_limit->remaining, 899);
  EXPECT_EQ(page.rate_limit->reset, absl::FromUnixSeconds(1700000900));
}

TEST_F(V1DialectTest, TimelineKeepsRepliesAndRetweetsUnlessFiltered) {
  TimelineQuery q;
  q.user.screen_name = "perch_dev";
  auto answer = Timeline(q);
  ASSERT_TRUE(reader_.Answer(0, FakeUpstreamReader::Ok(
                                    R"([{"id_str":"30"},
                 {"id_str":"20","in_reply_to_status_id_str":"7"},
                 {"id_str":"10","retweeted_status":{"id_str":"5"}}])")));
  ASSERT_TRUE(answer->value->ok()) << answer->value->status();
  EXPECT_THAT(TweetIds(**answer->value), ElementsAre("30", "20", "10"));
  EXPECT_EQ((*answer->value)->next_position, "9");
  EXPECT_FALSE((*answer->value)->rate_limit.has_value());
}

TEST_F(V1DialectTest, AnEmptyTimelinePageIsTheLast) {
  TimelineQuery q;
  q.user.screen_name = "perch_dev";
  q.position = "9";
  auto answer = Timeline(q);
  ASSERT_TRUE(reader_.Answer(0, FakeUpstreamReader::Ok("[]")));
  ASSERT_TRUE(answer->value->ok());
  EXPECT_TRUE((*answer->value)->tweets.empty());
  EXPECT_EQ((*answer->value)->next_position, "");
}

TEST_F(V1DialectTest, SearchSendsItsParametersAndRankingAsResultType) {
  const std::vector<std::pair<SearchQuery::Ranking, std::string>> rankings = {
      {SearchQuery::Ranking::kDefault, ""},
      {SearchQuery::Ranking::kMixed, "&result_type=mixed"},
      {SearchQuery::Ranking::kRecent, "&result_type=recent"},
      {SearchQuery::Ranking::kPopular, "&result_type=popular"}};
  for (const auto& [ranking, param] : rankings) {
    SearchQuery q;
    q.query = "cats & dogs";
    q.page_size = 15;
    q.ranking = ranking;
    Search(q);
    EXPECT_EQ(Urls().back(), absl::StrCat("https://api.test/1.1/search/"
                                          "tweets.json?q=cats%20%26%20dogs"
                                          "&count=15",
                                          param, "&tweet_mode=extended"));
  }
  SearchQuery q;
  q.query = "perch";
  q.lang = "en";
  q.until = "2026-11-30";
  q.since_id = "100";
  q.position = "41";
  Search(q);
  EXPECT_EQ(Urls().back(),
            "https://api.test/1.1/search/tweets.json?q=perch&count=20"
            "&lang=en&until=2026-11-30&since_id=100&max_id=41"
            "&tweet_mode=extended");
}

TEST_F(V1DialectTest, SearchNextPositionIsTheNextResultsMaxId) {
  SearchQuery q;
  q.query = "perch";
  auto answer = Search(q);
  ASSERT_TRUE(
      reader_.Answer(0, FakeUpstreamReader::Ok(
                            R"({"statuses":[{"id_str":"50"},{"id_str":"42"}],
                 "search_metadata":{"next_results":"?max_id=41&q=perch"}})",
                            RateLimitHeaders())));
  ASSERT_TRUE(answer->value->ok()) << answer->value->status();
  EXPECT_THAT(TweetIds(**answer->value), ElementsAre("50", "42"));
  EXPECT_EQ((*answer->value)->next_position, "41");
  EXPECT_TRUE((*answer->value)->rate_limit.has_value());
}

TEST_F(V1DialectTest, FollowersPageWithCursorsFromMinusOneToZero) {
  FollowersQuery q;
  q.user.screen_name = "perch_dev";
  auto first = Followers(q);
  ASSERT_TRUE(
      reader_.Answer(0, FakeUpstreamReader::Ok(
                            R"({"users":[{"id_str":"7","screen_name":"a"}],
                 "next_cursor_str":"1627"})")));
  ASSERT_TRUE(first->value->ok()) << first->value->status();
  ASSERT_EQ((*first->value)->users.size(), 1u);
  EXPECT_EQ((*first->value)->users[0].screen_name(), "a");
  EXPECT_TRUE((*first->value)->user_ids.empty());
  EXPECT_EQ((*first->value)->next_position, "1627");

  q.position = "1627";
  q.page_size = 200;
  auto last = Followers(q);
  ASSERT_TRUE(reader_.Answer(
      1, FakeUpstreamReader::Ok(R"({"users":[],"next_cursor_str":"0"})")));
  ASSERT_TRUE(last->value->ok()) << last->value->status();
  EXPECT_EQ((*last->value)->next_position, "");

  EXPECT_THAT(Urls(),
              ElementsAre("https://api.test/1.1/followers/list.json"
                          "?screen_name=perch_dev&cursor=-1&count=20"
                          "&skip_status=true&include_user_entities=false",
                          "https://api.test/1.1/followers/list.json"
                          "?screen_name=perch_dev&cursor=1627&count=200"
                          "&skip_status=true&include_user_entities=false"));
}

TEST_F(V1DialectTest, FollowerIdsOnlyReadsTheIdsEndpointAsStrings) {
  FollowersQuery q;
  q.user.user_id = "12";
  q.page_size = 5000;
  q.ids_only = true;
  auto answer = Followers(q);
  EXPECT_THAT(Urls(), ElementsAre("https://api.test/1.1/followers/ids.json"
                                  "?user_id=12&cursor=-1&count=5000"
                                  "&stringify_ids=true"));
  ASSERT_TRUE(reader_.Answer(
      0, FakeUpstreamReader::Ok(
             R"({"ids":["9007199254740993","2"],"next_cursor_str":"88"})")));
  ASSERT_TRUE(answer->value->ok()) << answer->value->status();
  EXPECT_THAT((*answer->value)->user_ids, ElementsAre("9007199254740993", "2"));
  EXPECT_TRUE((*answer->value)->users.empty());
  EXPECT_EQ((*answer->value)->next_position, "88");
}

ListQuery SlugListTweets() {
  ListQuery q;
  q.list.owner_screen_name = "perch_dev";
  q.list.slug = "birds";
  q.include_retweets = false;
  q.with_metadata = true;
  return q;
}

// lists/show and lists/statuses go out together; the answer waits for both,
// in whichever order they come back.
TEST_F(V1DialectTest, ListFirstPageJoinsMetadataAndTweets) {
  auto answer = List(SlugListTweets());
  EXPECT_THAT(Urls(), UnorderedElementsAre(
                          "https://api.test/1.1/lists/show.json"
                          "?owner_screen_name=perch_dev&slug=birds",
                          "https://api.test/1.1/lists/statuses.json"
                          "?owner_screen_name=perch_dev&slug=birds&count=20"
                          "&include_rts=true&tweet_mode=extended"));
  ASSERT_TRUE(reader_.Answer(
      RequestTo("/1.1/lists/statuses.json"),
      FakeUpstreamReader::Ok(
          R"([{"id_str":"30"},{"id_str":"20","retweeted_status":{"id_str":"5"}}])",
          RateLimitHeaders())));
  EXPECT_EQ(answer->calls, 0);
  ASSERT_TRUE(reader_.Answer(
      RequestTo("/1.1/lists/show.json"),
      FakeUpstreamReader::Ok(R"({"id_str":"84839422","slug":"birds"})")));
  ASSERT_EQ(answer->calls, 1);
  ASSERT_TRUE(answer->value->ok()) << answer->value->status();
  const ListPage& page = **answer->value;
  ASSERT_TRUE(page.list.has_value());
  EXPECT_EQ(page.list->id(), "84839422");
  EXPECT_EQ(page.list->slug(), "birds");
  EXPECT_THAT(TweetIds(page), ElementsAre("30"));  // the retweet filtered
  EXPECT_EQ(page.next_position, "19");             // from the unfiltered page
  ASSERT_TRUE(page.rate_limit.has_value());
  EXPECT_EQ(page.rate_limit->limit, 900);
}

TEST_F(V1DialectTest, ListLaterPageReadsOnlyTheMembersWithItsCursor) {
  ListQuery q;
  q.list.list_id = "84839422";
  q.view = ListQuery::View::kMembers;
  q.page_size = 100;
  q.position = "1627";
  auto answer = List(q);
  EXPECT_THAT(Urls(), ElementsAre("https://api.test/1.1/lists/members.json"
                                  "?list_id=84839422&cursor=1627&count=100"
                                  "&skip_status=true"));
  ASSERT_TRUE(reader_.Answer(
      0, FakeUpstreamReader::Ok(
             R"({"users":[{"id_str":"7"}],"next_cursor_str":"0"})")));
  ASSERT_TRUE(answer->value->ok()) << answer->value->status();
  EXPECT_FALSE((*answer->value)->list.has_value());
  ASSERT_EQ((*answer->value)->members.size(), 1u);
  EXPECT_EQ((*answer->value)->members[0].id(), "7");
  EXPECT_EQ((*answer->value)->next_position, "");
}

TEST_F(V1DialectTest, ListJoinAnswersTheFirstErrorAtOnceAndAbortsTheOther) {
  auto answer = List(SlugListTweets());
  absl::Status not_found =
      MakeError(absl::StatusCode::kNotFound, "no such list",
                "UPSTREAM_NOT_FOUND", kUpstreamDomain);
  ASSERT_TRUE(reader_.Answer(RequestTo("/1.1/lists/show.json"), not_found));
  ASSERT_EQ(answer->calls, 1);
  EXPECT_EQ(answer->value->status(), not_found);
  const size_t statuses = RequestTo("/1.1/lists/statuses.json");
  EXPECT_TRUE(reader_.cancelled(statuses));
  EXPECT_FALSE(reader_.Answer(statuses, FakeUpstreamReader::Ok("[]")));
  EXPECT_EQ(answer->calls, 1);
}

TEST_F(V1DialectTest, ListJoinFailsOnAMalformedPageAndAbortsTheMetadataRead) {
  auto answer = List(SlugListTweets());
  // A body that does not parse fails the statuses part first.
  ASSERT_TRUE(reader_.Answer(RequestTo("/1.1/lists/statuses.json"),
                             FakeUpstreamReader::Ok("{")));
  ASSERT_EQ(answer->calls, 1);
  EXPECT_THAT(answer->value->status(), StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(ErrorReason(answer->value->status()),
            "UPSTREAM_MALFORMED_RESPONSE");
  EXPECT_TRUE(reader_.cancelled(RequestTo("/1.1/lists/show.json")));
  EXPECT_EQ(answer->calls, 1);
}

TEST_F(V1DialectTest, ListJoinHandleAbortsBothReadsAndAnswersCancelledOnce) {
  auto answer = List(SlugListTweets());
  ASSERT_EQ(handles_.size(), 1u);
  ASSERT_NE(handles_[0], nullptr);
  handles_[0]->Cancel();
  ASSERT_EQ(answer->calls, 1);
  EXPECT_THAT(answer->value->status(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_TRUE(reader_.cancelled(RequestTo("/1.1/lists/show.json")));
  EXPECT_TRUE(reader_.cancelled(RequestTo("/1.1/lists/statuses.json")));
  handles_[0]->Cancel();
  EXPECT_EQ(answer->calls, 1);
}

TEST_F(V1DialectTest, ListJoinAfterOnePartArrivedStillCancelsTheOther) {
  auto answer = List(SlugListTweets());
  ASSERT_TRUE(
      reader_.Answer(RequestTo("/1.1/lists/show.json"),
                     FakeUpstreamReader::Ok(R"({"id_str":"84839422"})")));
  handles_[0]->Cancel();
  ASSERT_EQ(answer->calls, 1);
  EXPECT_THAT(answer->value->status(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_TRUE(reader_.cancelled(RequestTo("/1.1/lists/statuses.json")));
}

TEST_F(V1DialectTest, CancellingAReadAbortsItsRequest) {
  TimelineQuery q;
  q.user.screen_name = "perch_dev";
  auto answer = Timeline(q);
  handles_[0]->Cancel();
  ASSERT_EQ(answer->calls, 1);
  EXPECT_THAT(answer->value->status(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_TRUE(reader_.cancelled(0));
}

// A position this dialect cannot have minted (forged, or a v2 token kept
// across a switch of --upstream_api) is the caller's error, found before
// any upstream request.
TEST_F(V1DialectTest, ForeignPositionIsRefusedWithoutARequest) {
  const std::string v2_token = "7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i";
  TimelineQuery timeline;
  timeline.user.screen_name = "perch_dev";
  timeline.position = v2_token;
  SearchQuery search;
  search.query = "perch";
  search.position = "-1";
  FollowersQuery followers;
  followers.user.screen_name = "perch_dev";
  followers.position = "99999999999999999999";  // beyond uint64
  ListQuery list = SlugListTweets();
  list.position = v2_token;
  std::vector<absl::Status> refusals = {
      Timeline(timeline)->value->status(), Search(search)->value->status(),
      Followers(followers)->value->status(), List(list)->value->status()};
  for (const absl::Status& s : refusals) {
    EXPECT_THAT(s, IsInvalidArgumentOn({"page_token"}));
  }
  EXPECT_TRUE(reader_.requests().empty());
}

TEST_F(V1DialectTest, ReaderErrorsPassThroughUnchanged) {
  absl::Status limited =
      MakeError(absl::StatusCode::kResourceExhausted, "rate limited",
                "UPSTREAM_RATE_LIMITED", kUpstreamDomain,
                {{std::string(kHttpStatusKey), "429"}});
  AttachRetryInfo(limited, absl::Seconds(42));
  SearchQuery q;
  q.query = "perch";
  auto answer = Search(q);
  ASSERT_TRUE(reader_.Answer(0, limited));
  ASSERT_EQ(answer->calls, 1);
  EXPECT_EQ(answer->value->status(), limited);
}

TEST_F(V1DialectTest, AMalformedBodyIsInternalNamingThePath) {
  FollowersQuery q;
  q.user.screen_name = "perch_dev";
  auto answer = Followers(q);
  ASSERT_TRUE(reader_.Answer(
      0, FakeUpstreamReader::Ok(R"({"users":[{"screen_name":"no id"}]})")));
  EXPECT_THAT(answer->value->status(), StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(ErrorReason(answer->value->status()),
            "UPSTREAM_MALFORMED_RESPONSE");
}

}  // namespace
}  // namespace perch::upstream
