#include "server/core/read_operations.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/clock.h"
#include "server/common/errors.h"
#include "server/common/scheduler.h"
#include "server/common/testing/fake_clock.h"
#include "server/common/testing/manual_scheduler.h"
#include "server/upstream/testing/fake_read_dialect.h"
#include "tests/testing/status_matchers.h"

namespace perch::core {
namespace {

using ::perch::testing::FakeClock;
using ::perch::testing::ManualScheduler;
using ::perch::testing::StatusIs;
using ::perch::upstream::ListQuery;
using ::perch::upstream::SearchQuery;
using ::perch::upstream::testing::FakeReadDialect;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// What an operation answered, and how often (exactly once is the contract).
template <typename Response>
struct Answer {
  int calls = 0;
  std::optional<absl::StatusOr<Response>> value;
};

v1::GetTimelineRequest TimelineOf(std::string screen_name) {
  v1::GetTimelineRequest r;
  r.set_screen_name(std::move(screen_name));
  return r;
}

v1::Tweet TweetWithId(std::string id) {
  v1::Tweet t;
  t.set_id(std::move(id));
  return t;
}

upstream::TweetPage TweetPageOf(std::vector<std::string> ids,
                                std::string next_position = "") {
  upstream::TweetPage page;
  for (auto& id : ids) page.tweets.push_back(TweetWithId(std::move(id)));
  page.next_position = std::move(next_position);
  return page;
}

std::vector<std::string> FieldsOf(const absl::Status& status) {
  std::vector<std::string> fields;
  if (auto bad = GetBadRequest(status)) {
    for (const auto& v : bad->field_violations()) fields.push_back(v.field());
  }
  return fields;
}

class ReadOperationsTest : public ::testing::Test {
 protected:
  template <typename Response, typename Request, typename Method>
  std::shared_ptr<Answer<Response>> Call(ReadOperations& ops, Method method,
                                         const Request& request) {
    auto answer = std::make_shared<Answer<Response>>();
    handles_.push_back((ops.*method)(
        request, deadline_, [answer](absl::StatusOr<Response> response) {
          ++answer->calls;
          answer->value = std::move(response);
        }));
    return answer;
  }
  std::shared_ptr<Answer<v1::GetTimelineResponse>> Timeline(
      const v1::GetTimelineRequest& r, ReadOperations* ops = nullptr) {
    return Call<v1::GetTimelineResponse>(ops ? *ops : ops_,
                                         &ReadOperations::GetTimeline, r);
  }
  std::shared_ptr<Answer<v1::SearchResponse>> Search(
      const v1::SearchRequest& r) {
    return Call<v1::SearchResponse>(ops_, &ReadOperations::Search, r);
  }
  std::shared_ptr<Answer<v1::GetFollowersResponse>> Followers(
      const v1::GetFollowersRequest& r) {
    return Call<v1::GetFollowersResponse>(ops_, &ReadOperations::GetFollowers,
                                          r);
  }
  std::shared_ptr<Answer<v1::GetListResponse>> List(
      const v1::GetListRequest& r) {
    return Call<v1::GetListResponse>(ops_, &ReadOperations::GetList, r);
  }

  FakeClock clock_;
  const absl::Time deadline_ = clock_.Now() + absl::Seconds(30);
  FakeReadDialect dialect_;
  ManualScheduler scheduler_{clock_};
  ReadOperations ops_{dialect_, clock_, scheduler_};
  std::vector<ReadOperations::Handle> handles_;
};

TEST_F(ReadOperationsTest, InvalidRequestsNeverReachTheDialect) {
  v1::GetTimelineRequest timeline;  // no user
  timeline.set_page_size(201);
  timeline.set_since_id("12a");
  auto t = Timeline(timeline);
  ASSERT_EQ(t->calls, 1);
  EXPECT_THAT(t->value->status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldsOf(t->value->status()),
              ElementsAre("user", "page_size", "since_id"));

  v1::SearchRequest search;  // empty query
  search.set_until("2026-02-30");
  EXPECT_THAT(FieldsOf(Search(search)->value->status()),
              ElementsAre("query", "until"));

  v1::GetFollowersRequest followers;
  followers.set_user_id("-1");
  followers.set_page_size(201);  // users: at most 200
  EXPECT_THAT(FieldsOf(Followers(followers)->value->status()),
              ElementsAre("user_id", "page_size"));

  v1::GetListRequest list;
  list.mutable_slug()->set_owner_screen_name("perch_dev");
  list.set_view(static_cast<v1::GetListRequest::View>(9));
  EXPECT_THAT(FieldsOf(List(list)->value->status()),
              ElementsAre("slug.slug", "view"));

  EXPECT_EQ(dialect_.calls(), 0u);
  // Answered inline: nothing left to cancel.
  for (const auto& h : handles_) EXPECT_EQ(h, nullptr);
}

TEST_F(ReadOperationsTest, AMalformedPageTokenNeverReachesTheDialect) {
  v1::GetTimelineRequest r = TimelineOf("perch_dev");
  r.set_page_token("not-a-token");
  auto answer = Timeline(r);
  EXPECT_THAT(answer->value->status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldsOf(answer->value->status()), ElementsAre("page_token"));
  EXPECT_EQ(dialect_.calls(), 0u);
}

TEST_F(ReadOperationsTest, PageSizeDefaultsToTwentyAndIsPassedThrough) {
  Timeline(TimelineOf("perch_dev"));
  v1::GetTimelineRequest sized = TimelineOf("perch_dev");
  sized.set_page_size(57);
  Timeline(sized);
  EXPECT_EQ(dialect_.timeline().queries()[0].page_size, 20);
  EXPECT_EQ(dialect_.timeline().queries()[1].page_size, 57);

  v1::SearchRequest search;
  search.set_query("perch");
  search.set_page_size(100);
  Search(search);
  EXPECT_EQ(dialect_.search().queries()[0].page_size, 100);

  v1::GetFollowersRequest followers;
  followers.set_user_id("12");
  followers.set_ids_only(true);
  followers.set_page_size(5000);
  Followers(followers);
  EXPECT_EQ(dialect_.followers().queries()[0].page_size, 5000);

  v1::GetListRequest list;
  list.set_list_id("84839422");
  List(list);
  EXPECT_EQ(dialect_.list().queries()[0].page_size, 20);
}

TEST_F(ReadOperationsTest, DeadlineReachesTheDialect) {
  Timeline(TimelineOf("perch_dev"));
  EXPECT_THAT(dialect_.timeline().deadlines(), ElementsAre(deadline_));
}

// The dialect's position travels sealed in the token and comes back
// unchanged, even when the caller changes page_size between pages.
TEST_F(ReadOperationsTest, NextPositionIsSealedAndGivenBackAsPosition) {
  const std::string position = "u:2244994945:b26v89c19zqg_8o3-fpzb==";
  dialect_.timeline().Script(TweetPageOf({"30", "20"}, position));
  auto first = Timeline(TimelineOf("perch_dev"));
  ASSERT_TRUE(first->value->ok()) << first->value->status();
  const std::string token = (*first->value)->next_page_token();
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(token.find(position), std::string::npos);  // opaque

  v1::GetTimelineRequest next = TimelineOf("perch_dev");
  next.set_page_token(token);
  next.set_page_size(50);
  auto second = Timeline(next);
  ASSERT_TRUE(second->value->ok()) << second->value->status();
  ASSERT_EQ(dialect_.timeline().calls(), 2u);
  EXPECT_EQ(dialect_.timeline().queries()[0].position, "");
  EXPECT_EQ(dialect_.timeline().queries()[1].position, position);
  EXPECT_EQ(dialect_.timeline().queries()[1].page_size, 50);
  // The fake's default answer has no next position: the last page.
  EXPECT_EQ((*second->value)->next_page_token(), "");
}

TEST_F(ReadOperationsTest, ATokenReplayedWithOtherFieldsIsRefused) {
  dialect_.timeline().Script(TweetPageOf({"30"}, "29"));
  auto first = Timeline(TimelineOf("perch_dev"));
  ASSERT_TRUE(first->value->ok());
  const std::string token = (*first->value)->next_page_token();

  v1::GetTimelineRequest other_user = TimelineOf("someone_else");
  other_user.set_page_token(token);
  v1::GetTimelineRequest other_filter = TimelineOf("perch_dev");
  other_filter.set_exclude_replies(true);
  other_filter.set_page_token(token);
  for (const auto& r : {other_user, other_filter}) {
    auto answer = Timeline(r);
    EXPECT_THAT(answer->value->status(),
                StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(FieldsOf(answer->value->status()), ElementsAre("page_token"));
  }
  EXPECT_EQ(dialect_.timeline().calls(), 1u);
}

// A position a token cannot carry would only fail on the next call, as if
// the caller had sent a bad token; it fails this call instead.
TEST_F(ReadOperationsTest, AnUncarriablePositionIsInternal) {
  dialect_.search().Script(TweetPageOf({"30"}, "1.5"));
  v1::SearchRequest r;
  r.set_query("perch");
  auto answer = Search(r);
  EXPECT_THAT(answer->value->status(), StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(ErrorReason(answer->value->status()),
            "UPSTREAM_MALFORMED_RESPONSE");
}

TEST_F(ReadOperationsTest, TimelineFieldsAndFiltersReachTheQuery) {
  v1::GetTimelineRequest by_id;
  by_id.set_user_id("12");
  by_id.set_since_id("100");
  by_id.set_exclude_replies(true);
  by_id.set_include_retweets(false);
  Timeline(by_id);
  v1::GetTimelineRequest defaults = TimelineOf("perch_dev");
  Timeline(defaults);
  v1::GetTimelineRequest explicit_true = TimelineOf("perch_dev");
  explicit_true.set_include_retweets(true);
  Timeline(explicit_true);

  const auto queries = dialect_.timeline().queries();
  ASSERT_EQ(queries.size(), 3u);
  EXPECT_EQ(queries[0].user.user_id, "12");
  EXPECT_EQ(queries[0].user.screen_name, "");
  EXPECT_EQ(queries[0].since_id, "100");
  EXPECT_TRUE(queries[0].exclude_replies);
  EXPECT_FALSE(queries[0].include_retweets);
  EXPECT_EQ(queries[1].user.screen_name, "perch_dev");
  EXPECT_FALSE(queries[1].exclude_replies);
  EXPECT_TRUE(queries[1].include_retweets);  // unset means true
  EXPECT_TRUE(queries[2].include_retweets);
}

TEST_F(ReadOperationsTest, SearchResultTypeBecomesTheRanking) {
  const std::vector<
      std::pair<v1::SearchRequest::ResultType, SearchQuery::Ranking>>
      cases = {
          {v1::SearchRequest::RESULT_TYPE_UNSPECIFIED,
           SearchQuery::Ranking::kDefault},
          {v1::SearchRequest::RESULT_TYPE_MIXED, SearchQuery::Ranking::kMixed},
          {v1::SearchRequest::RESULT_TYPE_RECENT,
           SearchQuery::Ranking::kRecent},
          {v1::SearchRequest::RESULT_TYPE_POPULAR,
           SearchQuery::Ranking::kPopular}};
  for (const auto& [type, ranking] : cases) {
    v1::SearchRequest r;
    r.set_query("perch birds");
    r.set_result_type(type);
    r.set_lang("en");
    r.set_until("2026-11-30");
    r.set_since_id("100");
    Search(r);
    const SearchQuery q = dialect_.search().queries().back();
    EXPECT_EQ(q.ranking, ranking) << type;
    EXPECT_EQ(q.query, "perch birds");
    EXPECT_EQ(q.lang, "en");
    EXPECT_EQ(q.until, "2026-11-30");
    EXPECT_EQ(q.since_id, "100");
  }
}

TEST_F(ReadOperationsTest, FollowersAnswerUsersOrIds) {
  upstream::FollowerPage ids;
  ids.user_ids = {"7", "8"};
  ids.next_position = "1627";
  dialect_.followers().Script(ids);
  v1::GetFollowersRequest r;
  r.set_screen_name("perch_dev");
  r.set_ids_only(true);
  auto answer = Followers(r);
  ASSERT_TRUE(answer->value->ok()) << answer->value->status();
  EXPECT_THAT((*answer->value)->user_ids(), ElementsAre("7", "8"));
  EXPECT_THAT((*answer->value)->users(), IsEmpty());
  EXPECT_FALSE((*answer->value)->next_page_token().empty());
  EXPECT_TRUE(dialect_.followers().queries()[0].ids_only);
  EXPECT_EQ(dialect_.followers().queries()[0].user.screen_name, "perch_dev");

  upstream::FollowerPage users;
  users.users.resize(1);
  users.users[0].set_screen_name("a");
  dialect_.followers().Script(users);
  r.set_ids_only(false);
  auto full = Followers(r);
  ASSERT_TRUE(full->value->ok());
  ASSERT_EQ((*full->value)->users_size(), 1);
  EXPECT_EQ((*full->value)->users(0).screen_name(), "a");
  EXPECT_FALSE(dialect_.followers().queries()[1].ids_only);
}

// The metadata is asked for with the first page only; view and the retweet
// filter reach the query.
TEST_F(ReadOperationsTest, ListViewFiltersAndMetadataReachTheQuery) {
  upstream::ListPage first;
  first.list.emplace().set_id("84839422");
  first.members.resize(1);
  first.members[0].set_id("7");
  first.next_position = "1627";
  dialect_.list().Script(first);
  v1::GetListRequest r;
  r.mutable_slug()->set_owner_screen_name("perch_dev");
  r.mutable_slug()->set_slug("birds");
  r.set_view(v1::GetListRequest::VIEW_MEMBERS);
  auto answer = List(r);
  ASSERT_TRUE(answer->value->ok()) << answer->value->status();
  EXPECT_EQ((*answer->value)->list().id(), "84839422");
  ASSERT_EQ((*answer->value)->members_size(), 1);

  r.set_page_token((*answer->value)->next_page_token());
  auto second = List(r);
  ASSERT_TRUE(second->value->ok());
  EXPECT_FALSE((*second->value)->has_list());

  v1::GetListRequest tweets;
  tweets.set_list_id("84839422");
  tweets.set_include_retweets(false);
  List(tweets);
  tweets.set_view(v1::GetListRequest::VIEW_TWEETS);
  List(tweets);

  const auto queries = dialect_.list().queries();
  ASSERT_EQ(queries.size(), 4u);
  EXPECT_EQ(queries[0].list.owner_screen_name, "perch_dev");
  EXPECT_EQ(queries[0].list.slug, "birds");
  EXPECT_EQ(queries[0].view, ListQuery::View::kMembers);
  EXPECT_TRUE(queries[0].with_metadata);
  EXPECT_EQ(queries[1].position, "1627");
  EXPECT_FALSE(queries[1].with_metadata);
  EXPECT_EQ(queries[2].list.list_id, "84839422");
  EXPECT_EQ(queries[2].view, ListQuery::View::kTweets);  // unspecified
  EXPECT_FALSE(queries[2].include_retweets);
  EXPECT_EQ(queries[3].view, ListQuery::View::kTweets);
}

TEST_F(ReadOperationsTest, TheResponseCarriesTheItemsAndTheRateLimit) {
  upstream::TweetPage page = TweetPageOf({"30", "20"});
  page.rate_limit =
      upstream::RateLimitWindow{900, 899, absl::FromUnixSeconds(1700000900)};
  dialect_.timeline().Script(page);
  auto with = Timeline(TimelineOf("perch_dev"));
  ASSERT_TRUE(with->value->ok());
  const v1::GetTimelineResponse& response = **with->value;
  ASSERT_EQ(response.tweets_size(), 2);
  EXPECT_EQ(response.tweets(0).id(), "30");
  EXPECT_EQ(response.tweets(1).id(), "20");
  ASSERT_TRUE(response.has_rate_limit());
  EXPECT_EQ(response.rate_limit().limit(), 900);
  EXPECT_EQ(response.rate_limit().remaining(), 899);
  EXPECT_EQ(response.rate_limit().reset_time().seconds(), 1700000900);
  EXPECT_FALSE(response.from_cache());

  // No window sent upstream: none claimed.
  auto without = Timeline(TimelineOf("other"));
  ASSERT_TRUE(without->value->ok());
  EXPECT_FALSE((*without->value)->has_rate_limit());
}

TEST_F(ReadOperationsTest, IdenticalConcurrentCallsShareOneDialectCall) {
  dialect_.timeline().Hold();
  dialect_.timeline().Script(TweetPageOf({"30"}));
  auto a = Timeline(TimelineOf("perch_dev"));
  auto b = Timeline(TimelineOf("perch_dev"));
  EXPECT_EQ(dialect_.timeline().calls(), 1u);
  EXPECT_EQ(a->calls, 0);
  dialect_.timeline().Release();
  for (const auto& answer : {a, b}) {
    ASSERT_EQ(answer->calls, 1);
    ASSERT_TRUE(answer->value->ok());
    ASSERT_EQ((*answer->value)->tweets_size(), 1);
    EXPECT_EQ((*answer->value)->tweets(0).id(), "30");
  }
}

TEST_F(ReadOperationsTest, DifferentCallsDoNotMeet) {
  dialect_.timeline().Hold();
  v1::GetTimelineRequest other = TimelineOf("perch_dev");
  other.set_since_id("100");
  Timeline(TimelineOf("perch_dev"));
  Timeline(other);
  v1::SearchRequest search;
  search.set_query("perch_dev");
  Search(search);
  EXPECT_EQ(dialect_.timeline().calls(), 2u);
  EXPECT_EQ(dialect_.search().calls(), 1u);
  dialect_.timeline().Release();
}

TEST_F(ReadOperationsTest, DialectErrorsReachTheCallerUnchanged) {
  absl::Status denied =
      MakeError(absl::StatusCode::kPermissionDenied, "use --upstream_api=v2",
                "ACCESS_LEVEL_INSUFFICIENT", kUpstreamDomain,
                {{std::string(kHttpStatusKey), "403"},
                 {std::string(kUpstreamCodeKey), "453"}});
  AttachRetryInfo(denied, absl::Seconds(3));
  dialect_.list().Script(denied);
  v1::GetListRequest r;
  r.set_list_id("84839422");
  auto answer = List(r);
  ASSERT_EQ(answer->calls, 1);
  EXPECT_EQ(answer->value->status(), denied);
}

TEST_F(ReadOperationsTest, CancelWithdrawsTheCallerAndAbortsAnUnsharedCall) {
  dialect_.search().Hold();
  v1::SearchRequest r;
  r.set_query("perch");
  auto answer = Search(r);
  ASSERT_NE(handles_.back(), nullptr);
  handles_.back()->Cancel();
  ASSERT_EQ(answer->calls, 1);
  EXPECT_THAT(answer->value->status(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(dialect_.search().cancelled(), 1);
  dialect_.search().Release();
  EXPECT_EQ(answer->calls, 1);
}

TEST_F(ReadOperationsTest, CancelOfOneCallerLeavesTheSharedCallRunning) {
  dialect_.timeline().Hold();
  auto leaving = Timeline(TimelineOf("perch_dev"));
  auto staying = Timeline(TimelineOf("perch_dev"));
  handles_[0]->Cancel();
  EXPECT_THAT(leaving->value->status(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_EQ(dialect_.timeline().cancelled(), 0);
  EXPECT_EQ(staying->calls, 0);
  dialect_.timeline().Release();
  ASSERT_EQ(staying->calls, 1);
  EXPECT_TRUE(staying->value->ok());
  EXPECT_EQ(leaving->calls, 1);
}

TEST_F(ReadOperationsTest, WithACacheTtlRepeatsAreAnsweredFromMemory) {
  ReadOperations cached(dialect_, clock_, scheduler_,
                        CoalescerOptions{.cache_ttl = absl::Seconds(10)});
  dialect_.timeline().Script(TweetPageOf({"30"}));
  auto first = Timeline(TimelineOf("perch_dev"), &cached);
  auto repeat = Timeline(TimelineOf("perch_dev"), &cached);
  EXPECT_EQ(dialect_.timeline().calls(), 1u);
  ASSERT_TRUE(repeat->value->ok());
  EXPECT_TRUE((*repeat->value)->from_cache());
  EXPECT_EQ((*repeat->value)->tweets(0).id(), "30");
  clock_.Advance(absl::Seconds(11));
  Timeline(TimelineOf("perch_dev"), &cached);
  EXPECT_EQ(dialect_.timeline().calls(), 2u);
}

}  // namespace
}  // namespace perch::core
