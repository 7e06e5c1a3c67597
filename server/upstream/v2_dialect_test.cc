#include "server/upstream/v2_dialect.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/call_context.h"
#include "server/common/errors.h"
#include "server/common/mutex.h"
#include "server/common/notification.h"
#include "server/common/testing/fake_clock.h"
#include "server/common/testing/manual_scheduler.h"
#include "server/mapping/upstream_status.h"
#include "server/upstream/testing/fake_upstream_reader.h"
#include "tests/testing/field_violations.h"
#include "tests/testing/status_matchers.h"

namespace perch::upstream {
namespace {

using ::perch::testing::FakeClock;
using ::perch::testing::ManualScheduler;
using ::perch::testing::StatusIs;
using ::perch::upstream::testing::FakeUpstreamReader;

constexpr char kBase[] = "https://api.test";
constexpr char kTweetFields[] =
    "attachments,author_id,conversation_id,created_at,entities,"
    "in_reply_to_user_id,lang,note_tweet,possibly_sensitive,public_metrics,"
    "referenced_tweets,source";
constexpr char kExpansions[] =
    "author_id,referenced_tweets.id,referenced_tweets.id.author_id,"
    "in_reply_to_user_id,attachments.media_keys,"
    "referenced_tweets.id.attachments.media_keys";
constexpr char kUserFields[] =
    "created_at,description,location,profile_image_url,protected,"
    "public_metrics,url,verified";
constexpr char kMediaFields[] =
    "media_key,type,url,preview_image_url,width,height";
constexpr char kListFields[] =
    "created_at,description,follower_count,member_count,name,owner_id,private";

using Params = std::map<std::string, std::string>;

// A request URL taken apart: the path and its decoded parameters.
struct Sent {
  std::string path;
  Params params;
  std::vector<std::string> order;  // the parameters' names, as sent
};

std::string PercentDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    int byte = 0;
    if (text[i] == '%' && i + 2 < text.size() + 0 &&
        absl::SimpleHexAtoi(text.substr(i + 1, 2), &byte)) {
      out.push_back(static_cast<char>(byte));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

Sent Parse(absl::string_view url) {
  Sent sent;
  EXPECT_TRUE(absl::ConsumePrefix(&url, kBase)) << url;
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(url, absl::MaxSplits('?', 1));
  sent.path = std::string(parts.first);
  for (absl::string_view pair :
       absl::StrSplit(parts.second, '&', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    EXPECT_FALSE(sent.params.contains(kv.first)) << "sent twice: " << kv.first;
    sent.params[kv.first] = PercentDecode(kv.second);
    sent.order.push_back(kv.first);
  }
  return sent;
}

std::string TweetJson(absl::string_view id, absl::string_view extra = "") {
  return absl::StrCat(
      R"({"id":")", id, R"(","text":"tweet )", id,
      R"(","author_id":"42","created_at":"2022-10-03T17:57:11.000Z")", extra,
      "}");
}

// {"data":[...],"includes":{"users":[author 42]},"meta":{...}}
std::string TweetsBody(const std::vector<std::string>& ids,
                       absl::string_view next_token = "") {
  if (ids.empty()) return R"({"meta":{"result_count":0}})";
  std::vector<std::string> tweets;
  for (const std::string& id : ids) tweets.push_back(TweetJson(id));
  std::string meta = absl::StrCat(R"("result_count":)", ids.size());
  if (!next_token.empty()) {
    absl::StrAppend(&meta, R"(,"next_token":")", next_token, R"(")");
  }
  return absl::StrCat(
      R"({"data":[)", absl::StrJoin(tweets, ","),
      R"(],"includes":{"users":[{"id":"42","name":"Perch","username":"perch_dev"}]},"meta":{)",
      meta, "}}");
}

std::string UsersBody(const std::vector<std::string>& ids,
                      absl::string_view next_token = "") {
  std::vector<std::string> users;
  for (const std::string& id : ids) {
    users.push_back(absl::StrCat(R"({"id":")", id, R"(","name":"U)", id,
                                 R"(","username":"u)", id, R"("})"));
  }
  std::string meta = absl::StrCat(R"("result_count":)", ids.size());
  if (!next_token.empty()) {
    absl::StrAppend(&meta, R"(,"next_token":")", next_token, R"(")");
  }
  return absl::StrCat(R"({"data":[)", absl::StrJoin(users, ","),
                      R"(],"meta":{)", meta, "}}");
}

std::string UserBody(absl::string_view id, absl::string_view username) {
  return absl::StrCat(R"({"data":{"id":")", id, R"(","name":"N","username":")",
                      username, R"("}})");
}

// Real bodies of errors inside a 200 (UPSTREAM-V2.md section 3.2).
constexpr char kUnknownUsername[] =
    R"({"errors":[{"value":"giggggfbgfb","detail":"Could not find user with username: [giggggfbgfb].","title":"Not Found Error","resource_type":"user","parameter":"username","resource_id":"giggggfbgfb","type":"https://api.twitter.com/2/problems/resource-not-found"}]})";
constexpr char kProtectedTimeline[] =
    R"({"errors":[{"value":"123","parameter":"id","resource_type":"user","section":"data","title":"Authorization Error","detail":"Sorry, you are not authorized to see the user with id: [123].","type":"https://api.twitter.com/2/problems/not-authorized-for-resource"}]})";
constexpr char kSuspendedUsername[] =
    R"({"errors":[{"parameter":"username","resource_id":"leeseunggi","value":"leeseunggi","detail":"User has been suspended: [leeseunggi].","title":"Forbidden","resource_type":"user","type":"https://api.twitter.com/2/problems/resource-not-found"}]})";

template <typename Page>
struct Result {
  std::optional<absl::StatusOr<Page>> value;
  int calls = 0;
};

template <typename Page>
ReadDialect::Callback<Page> Into(std::shared_ptr<Result<Page>> result) {
  return [result](absl::StatusOr<Page> page) {
    ++result->calls;
    result->value = std::move(page);
  };
}

// The fake reader, noting which call (call_context.h) is current when each
// request is made: the one whose traceparent the real reader would send and
// whose upstream_requests it would count.
class CallNotingReader final : public UpstreamReader {
 public:
  explicit CallNotingReader(UpstreamReader& reader) : reader_(reader) {}

  std::shared_ptr<ReadHandle> Get(std::string url, std::string path,
                                  absl::Time deadline, Callback done) override {
    {
      MutexLock lock(&mu_);
      calls_.push_back(CallContext::Current());
    }
    return reader_.Get(std::move(url), std::move(path), deadline,
                       std::move(done));
  }

  // The call current at request `index` (arrival order); null: none.
  std::shared_ptr<CallContext> call(size_t index) const {
    MutexLock lock(&mu_);
    return calls_.at(index);
  }

 private:
  UpstreamReader& reader_;
  mutable Mutex mu_;
  std::vector<std::shared_ptr<CallContext>> calls_ ABSL_GUARDED_BY(mu_);
};

std::shared_ptr<CallContext> NewCall(char hex_digit) {
  TraceContext trace;
  trace.trace_id = std::string(32, hex_digit);
  trace.span_id = std::string(16, hex_digit);
  return std::make_shared<CallContext>(std::move(trace));
}

class V2DialectTest : public ::testing::Test {
 protected:
  // Built here rather than in the initializer list: the scheduler is
  // declared after the dialect so that it goes first (MakeV2Dialect's
  // contract), and it must exist before the dialect is made.
  explicit V2DialectTest(V2DialectOptions options = {absl::Minutes(10), 100}) {
    dialect_ = MakeV2Dialect(calls_, kBase, clock_, scheduler_, options);
  }
  // A read the test left unanswered still holds its step, whose callback
  // holds the read: cancel each, as a deadline would, so nothing outlives
  // the test (LeakSanitizer).
  ~V2DialectTest() override {
    for (auto& handle : handles_) {
      if (handle != nullptr) handle->Cancel();
    }
  }

  absl::Time Deadline() { return clock_.Now() + absl::Seconds(5); }

  size_t Requests() { return reader_.requests().size(); }
  Sent Request(size_t index) { return Parse(reader_.requests()[index].url); }
  std::string PathArg(size_t index) { return reader_.requests()[index].path; }
  // Checks request `index`: its path, the route it was counted under, and
  // every parameter it sent.
  void ExpectSent(size_t index, absl::string_view path, absl::string_view route,
                  const Params& params) {
    const Sent sent = Request(index);
    EXPECT_EQ(sent.path, path) << index;
    EXPECT_EQ(PathArg(index), route) << index;
    EXPECT_EQ(sent.params, params) << index;
  }

  void Ok(size_t index, std::string body, http::HttpHeaders headers = {}) {
    ASSERT_TRUE(reader_.Answer(
        index, FakeUpstreamReader::Ok(std::move(body), std::move(headers))))
        << index;
  }
  // What the real reader hands up for a non-2xx answer.
  void Fail(size_t index, int status, std::string body) {
    http::HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    ASSERT_TRUE(reader_.Answer(
        index,
        mapping::StatusFromResponse(mapping::Endpoint::kRead, PathArg(index),
                                    response, clock_.Now())));
  }

  // Starts one read and keeps its handle; the result fills in when the
  // dialect answers.
  template <typename Page, typename Query>
  std::shared_ptr<Result<Page>> Start(
      std::shared_ptr<ReadHandle> (ReadDialect::*read)(
          const Query&, absl::Time, ReadDialect::Callback<Page>),
      const Query& query) {
    auto result = std::make_shared<Result<Page>>();
    handles_.push_back(
        (dialect_.get()->*read)(query, Deadline(), Into(result)));
    return result;
  }
  auto Timeline(const TimelineQuery& q) {
    return Start(&ReadDialect::Timeline, q);
  }
  auto Search(const SearchQuery& q) { return Start(&ReadDialect::Search, q); }
  auto Followers(const FollowersQuery& q) {
    return Start(&ReadDialect::Followers, q);
  }
  auto List(const ListQuery& q) { return Start(&ReadDialect::List, q); }

  static TimelineQuery ByName(absl::string_view screen_name,
                              int page_size = 20) {
    TimelineQuery query;
    query.user.screen_name = std::string(screen_name);
    query.page_size = page_size;
    return query;
  }
  // A page of the members of `owner`'s list `slug`.
  static ListQuery MembersBySlug(absl::string_view owner,
                                 absl::string_view slug) {
    ListQuery query;
    query.list.owner_screen_name = std::string(owner);
    query.list.slug = std::string(slug);
    query.view = ListQuery::View::kMembers;
    return query;
  }

  FakeClock clock_;
  FakeUpstreamReader reader_;
  CallNotingReader calls_{reader_};
  std::unique_ptr<ReadDialect> dialect_;
  // Runs the deadline timers of reads waiting for a name lookup.
  ManualScheduler scheduler_{clock_};
  std::vector<std::shared_ptr<ReadHandle>> handles_;
};

template <typename Page>
const Page& OkPage(const std::shared_ptr<Result<Page>>& result) {
  EXPECT_EQ(result->calls, 1);
  static const Page kEmpty;
  if (!result->value.has_value()) {
    ADD_FAILURE() << "no answer";
    return kEmpty;
  }
  if (!result->value->ok()) {
    ADD_FAILURE() << result->value->status();
    return kEmpty;
  }
  return **result->value;
}

template <typename Page>
absl::Status ErrorOf(const std::shared_ptr<Result<Page>>& result) {
  EXPECT_EQ(result->calls, 1);
  if (!result->value.has_value()) return absl::OkStatus();
  return result->value->status();
}

SearchQuery Query(absl::string_view text) {
  SearchQuery query;
  query.query = std::string(text);
  return query;
}

std::vector<std::string> IdsOf(const std::vector<v1::Tweet>& tweets) {
  std::vector<std::string> ids;
  for (const v1::Tweet& tweet : tweets) ids.push_back(tweet.id());
  return ids;
}

TEST_F(V2DialectTest, NameIsV2) { EXPECT_EQ(dialect_->name(), "v2"); }

TEST_F(V2DialectTest, TimelineByNameLooksUpTheIdThenReadsItsTweets) {
  auto result = Timeline(ByName("perch_dev"));
  ASSERT_EQ(Requests(), 1u);
  ExpectSent(0, "/2/users/by/username/perch_dev",
             "/2/users/by/username/:username", {{"user.fields", kUserFields}});
  Ok(0, UserBody("42", "perch_dev"));

  ASSERT_EQ(Requests(), 2u);
  ExpectSent(1, "/2/users/42/tweets", "/2/users/:id/tweets",
             {{"max_results", "20"},
              {"tweet.fields", kTweetFields},
              {"expansions", kExpansions},
              {"user.fields", kUserFields},
              {"media.fields", kMediaFields}});
  EXPECT_FALSE(result->value.has_value());
  Ok(1,
     TweetsBody({"110", "109"},
                "7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peex"),
     {{"x-rate-limit-limit", "1500"},
      {"x-rate-limit-remaining", "1499"},
      {"x-rate-limit-reset", "1700000900"}});

  const TweetPage& page = OkPage(result);
  EXPECT_EQ(IdsOf(page.tweets), (std::vector<std::string>{"110", "109"}));
  EXPECT_EQ(page.tweets[0].author().screen_name(), "perch_dev");
  ASSERT_TRUE(page.rate_limit.has_value());
  EXPECT_EQ(page.rate_limit->limit, 1500);
  EXPECT_EQ(page.rate_limit->remaining, 1499);
  EXPECT_EQ(page.rate_limit->reset, absl::FromUnixSeconds(1700000900));
  EXPECT_FALSE(page.next_position.empty());

  // The next page sends the token and looks nothing up.
  TimelineQuery next = ByName("perch_dev");
  next.position = page.next_position;
  auto second = Timeline(next);
  ASSERT_EQ(Requests(), 3u);
  EXPECT_EQ(Request(2).path, "/2/users/42/tweets");
  EXPECT_EQ(Request(2).params.at("pagination_token"),
            "7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peex");
  Ok(2, TweetsBody({"108"}));
  EXPECT_EQ(OkPage(second).next_position, "");  // no next_token: last page
}

TEST_F(V2DialectTest, TimelineByIdSendsFiltersAndSinceIdWithoutALookup) {
  TimelineQuery query;
  query.user.user_id = "42";
  query.page_size = 50;
  query.since_id = "1000";
  query.exclude_replies = true;
  query.include_retweets = false;
  auto result = Timeline(query);
  ASSERT_EQ(Requests(), 1u);
  Sent sent = Request(0);
  EXPECT_EQ(sent.path, "/2/users/42/tweets");
  EXPECT_EQ(sent.params.at("exclude"), "replies,retweets");
  EXPECT_EQ(sent.params.at("since_id"), "1000");
  EXPECT_EQ(sent.params.at("max_results"), "50");

  query.exclude_replies = false;
  Timeline(query);
  EXPECT_EQ(Request(1).params.at("exclude"), "retweets");
  query.include_retweets = true;
  query.exclude_replies = true;
  Timeline(query);
  EXPECT_EQ(Request(2).params.at("exclude"), "replies");
  query.exclude_replies = false;
  Timeline(query);
  EXPECT_FALSE(Request(3).params.contains("exclude"));
}

// The page's size first, the filters, where the page starts, then the
// fields: the order perch's v2 timeline URLs have always had.
TEST_F(V2DialectTest, TimelineSendsItsParametersInOneOrder) {
  TimelineQuery query;
  query.user.user_id = "42";
  query.since_id = "1000";
  query.exclude_replies = true;
  auto first = Timeline(query);
  Ok(0, TweetsBody({"110", "109"},
                   "7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peex"));
  query.position = OkPage(first).next_position;
  Timeline(query);
  ASSERT_EQ(Requests(), 2u);
  EXPECT_EQ(Request(1).order,
            (std::vector<std::string>{
                "max_results", "since_id", "exclude", "pagination_token",
                "tweet.fields", "expansions", "user.fields", "media.fields"}));
}

TEST_F(V2DialectTest, LookupIsCachedAcrossReadsAndCaseUntilItsTtlEnds) {
  Timeline(ByName("perch_dev"));
  Ok(0, UserBody("42", "perch_dev"));
  ASSERT_EQ(Requests(), 2u);

  // A hit: straight to the tweets, whatever the case of the name, and for
  // followers too.
  Timeline(ByName("Perch_Dev"));
  ASSERT_EQ(Requests(), 3u);
  EXPECT_EQ(Request(2).path, "/2/users/42/tweets");
  FollowersQuery followers;
  followers.user.screen_name = "PERCH_DEV";
  Followers(followers);
  ASSERT_EQ(Requests(), 4u);
  EXPECT_EQ(Request(3).path, "/2/users/42/followers");

  // Expired: looked up again.
  clock_.Advance(absl::Minutes(10));
  Timeline(ByName("perch_dev"));
  ASSERT_EQ(Requests(), 5u);
  EXPECT_EQ(Request(4).path, "/2/users/by/username/perch_dev");
}

TEST_F(V2DialectTest, FailedLookupIsNotCached) {
  auto first = Timeline(ByName("giggggfbgfb"));
  Ok(0, kUnknownUsername);
  EXPECT_THAT(ErrorOf(first), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(ErrorReason(ErrorOf(first)), "RESOURCE_NOT_FOUND");
  EXPECT_EQ(Requests(), 1u);  // no tweets read
  Timeline(ByName("giggggfbgfb"));
  ASSERT_EQ(Requests(), 2u);
  EXPECT_EQ(Request(1).path, "/2/users/by/username/giggggfbgfb");
}

TEST_F(V2DialectTest, ConcurrentReadsOfOneNameShareOneLookup) {
  constexpr int kReads = 8;
  const std::string names[] = {"perch_dev", "Perch_Dev", "PERCH_DEV"};
  std::vector<std::shared_ptr<Result<TweetPage>>> results;
  for (int i = 0; i < kReads; ++i) {
    results.push_back(std::make_shared<Result<TweetPage>>());
  }
  std::vector<std::shared_ptr<ReadHandle>> handles(kReads);
  Notification go;
  std::vector<std::thread> readers;
  for (int i = 0; i < kReads; ++i) {
    readers.emplace_back([&, i] {
      go.WaitForNotification();
      handles[i] = dialect_->Timeline(ByName(names[i % 3]), Deadline(),
                                      Into(results[i]));
    });
  }
  go.Notify();
  for (std::thread& reader : readers) reader.join();
  handles_.insert(handles_.end(), handles.begin(), handles.end());

  ASSERT_EQ(Requests(), 1u);
  EXPECT_EQ(PathArg(0), "/2/users/by/username/:username");
  Ok(0, UserBody("42", "perch_dev"));

  // Each read goes on with the one id to a tweets request of its own, and
  // gets that request's page, once.
  ASSERT_EQ(Requests(), 1u + kReads);
  for (int i = 1; i <= kReads; ++i) {
    EXPECT_EQ(Request(i).path, "/2/users/42/tweets");
    Ok(i, TweetsBody({absl::StrCat(100 + i)}));
  }
  std::set<std::string> pages;
  for (const auto& result : results) {
    const TweetPage& page = OkPage(result);
    ASSERT_EQ(page.tweets.size(), 1u);
    pages.insert(page.tweets[0].id());
  }
  EXPECT_EQ(pages.size(), static_cast<size_t>(kReads));
}

TEST_F(V2DialectTest, ALookupsErrorReachesEveryWaiterAndIsNotCached) {
  auto first = Timeline(ByName("giggggfbgfb"));
  auto second = Timeline(ByName("giggggfbgfb"));
  FollowersQuery followers;
  followers.user.screen_name = "GIGGGGFBGFB";
  auto third = Followers(followers);
  ASSERT_EQ(Requests(), 1u);
  Ok(0, kUnknownUsername);

  for (const absl::Status& status :
       {ErrorOf(first), ErrorOf(second), ErrorOf(third)}) {
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound));
    EXPECT_EQ(ErrorReason(status), "RESOURCE_NOT_FOUND");
  }
  EXPECT_EQ(Requests(), 1u);  // nothing read after the failed lookup
  Timeline(ByName("giggggfbgfb"));
  ASSERT_EQ(Requests(), 2u);
  EXPECT_EQ(Request(1).path, "/2/users/by/username/giggggfbgfb");
}

TEST_F(V2DialectTest, AWaitersDeadlineFiresWhileTheLookupHangs) {
  auto starter = Timeline(ByName("perch_dev"));  // Deadline(): 5 s
  auto hurried = std::make_shared<Result<TweetPage>>();
  handles_.push_back(dialect_->Timeline(
      ByName("perch_dev"), clock_.Now() + absl::Seconds(1), Into(hurried)));
  ASSERT_EQ(Requests(), 1u);

  clock_.Advance(absl::Seconds(1));
  scheduler_.RunDue();
  EXPECT_THAT(ErrorOf(hurried), StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(ErrorReason(ErrorOf(hurried)), "DEADLINE_EXCEEDED");
  EXPECT_FALSE(starter->value.has_value());
  EXPECT_FALSE(reader_.cancelled(0));  // the starter still waits for it

  Ok(0, UserBody("42", "perch_dev"));
  ASSERT_EQ(Requests(), 2u);  // the starter's tweets only
  EXPECT_EQ(Request(1).path, "/2/users/42/tweets");
  Ok(1, TweetsBody({"110"}));
  EXPECT_EQ(IdsOf(OkPage(starter).tweets), std::vector<std::string>{"110"});
  EXPECT_EQ(hurried->calls, 1);
}

TEST_F(V2DialectTest, ALookupOutOfItsStartersTimeIsSentAgainForTheOthers) {
  const absl::Time hurried_deadline = clock_.Now() + absl::Seconds(1);
  auto hurried = std::make_shared<Result<TweetPage>>();
  handles_.push_back(
      dialect_->Timeline(ByName("perch_dev"), hurried_deadline, Into(hurried)));
  auto patient = Timeline(ByName("perch_dev"));  // Deadline(): 5 s
  const absl::Time patient_deadline = Deadline();
  ASSERT_EQ(Requests(), 1u);
  EXPECT_EQ(reader_.requests()[0].deadline, hurried_deadline);

  clock_.Advance(absl::Seconds(1));
  scheduler_.RunDue();
  EXPECT_THAT(ErrorOf(hurried), StatusIs(absl::StatusCode::kDeadlineExceeded));
  // What the reader answers when the deadline it was given passes.
  ASSERT_TRUE(reader_.Answer(
      0, absl::DeadlineExceededError("the upstream did not answer in time")));

  EXPECT_FALSE(patient->value.has_value());
  ASSERT_EQ(Requests(), 2u);
  EXPECT_EQ(Request(1).path, "/2/users/by/username/perch_dev");
  EXPECT_EQ(reader_.requests()[1].deadline, patient_deadline);
  Ok(1, UserBody("42", "perch_dev"));
  ASSERT_EQ(Requests(), 3u);
  Ok(2, TweetsBody({"110"}));
  EXPECT_EQ(IdsOf(OkPage(patient).tweets), std::vector<std::string>{"110"});
}

TEST_F(V2DialectTest, ACancelledWaiterLeavesAndTheLastOneAbortsTheLookup) {
  auto first = std::make_shared<Result<TweetPage>>();
  auto first_handle =
      dialect_->Timeline(ByName("perch_dev"), Deadline(), Into(first));
  auto second = std::make_shared<Result<TweetPage>>();
  auto second_handle =
      dialect_->Timeline(ByName("perch_dev"), Deadline(), Into(second));
  ASSERT_EQ(Requests(), 1u);

  first_handle->Cancel();
  EXPECT_THAT(ErrorOf(first), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_FALSE(reader_.cancelled(0));  // the second read still waits
  EXPECT_FALSE(second->value.has_value());

  second_handle->Cancel();
  EXPECT_THAT(ErrorOf(second), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_TRUE(reader_.cancelled(0));
  EXPECT_EQ(Requests(), 1u);
  EXPECT_EQ(scheduler_.pending(), 0);  // no deadline timer left behind
}

// The real reader runs a request's callback in the call that made it
// (upstream_reader.cc), so the lookup's answer arrives in its starter's
// call; each read that joined it still sends its tweets request in its own.
TEST_F(V2DialectTest, AReadThatJoinedALookupSendsItsNextRequestInItsOwnCall) {
  const std::shared_ptr<CallContext> a = NewCall('a');
  const std::shared_ptr<CallContext> b = NewCall('b');
  {
    const CallContext::Scope scope(a);
    Timeline(ByName("perch_dev"));
  }
  {
    const CallContext::Scope scope(b);
    Timeline(ByName("Perch_Dev"));
  }
  ASSERT_EQ(Requests(), 1u);
  EXPECT_EQ(calls_.call(0), a);
  {
    const CallContext::Scope scope(a);
    Ok(0, UserBody("42", "perch_dev"));
  }
  ASSERT_EQ(Requests(), 3u);
  EXPECT_EQ(Request(1).path, "/2/users/42/tweets");
  EXPECT_EQ(Request(2).path, "/2/users/42/tweets");
  EXPECT_THAT((std::vector<std::shared_ptr<CallContext>>{calls_.call(1),
                                                         calls_.call(2)}),
              ::testing::UnorderedElementsAre(a, b));
}

// A lookup sent again for the reads with more time is not sent in the call
// of the starter that ran out of it, though its answer arrives there.
TEST_F(V2DialectTest, ALookupSentAgainLeavesItsStartersCall) {
  const std::shared_ptr<CallContext> hurried_call = NewCall('a');
  const std::shared_ptr<CallContext> patient_call = NewCall('b');
  auto hurried = std::make_shared<Result<TweetPage>>();
  {
    const CallContext::Scope scope(hurried_call);
    handles_.push_back(dialect_->Timeline(
        ByName("perch_dev"), clock_.Now() + absl::Seconds(1), Into(hurried)));
  }
  std::shared_ptr<Result<TweetPage>> patient;
  {
    const CallContext::Scope scope(patient_call);
    patient = Timeline(ByName("perch_dev"));
  }
  clock_.Advance(absl::Seconds(1));
  scheduler_.RunDue();
  {
    const CallContext::Scope scope(hurried_call);
    ASSERT_TRUE(reader_.Answer(
        0, absl::DeadlineExceededError("the upstream did not answer in time")));
  }
  ASSERT_EQ(Requests(), 2u);
  EXPECT_EQ(Request(1).path, "/2/users/by/username/perch_dev");
  EXPECT_NE(calls_.call(1), hurried_call);
  Ok(1, UserBody("42", "perch_dev"));
  ASSERT_EQ(Requests(), 3u);
  EXPECT_EQ(calls_.call(2), patient_call);
  Ok(2, TweetsBody({"110"}));
  EXPECT_EQ(IdsOf(OkPage(patient).tweets), std::vector<std::string>{"110"});
}

class SmallCacheV2DialectTest : public V2DialectTest {
 protected:
  SmallCacheV2DialectTest() : V2DialectTest({absl::Hours(1), 1}) {}
};

TEST_F(SmallCacheV2DialectTest, TheCacheIsBounded) {
  Timeline(ByName("alice"));
  Ok(0, UserBody("1", "alice"));
  Timeline(ByName("bob"));
  Ok(2, UserBody("2", "bob"));
  ASSERT_EQ(Requests(), 4u);
  Timeline(ByName("bob"));  // still held
  ASSERT_EQ(Requests(), 5u);
  EXPECT_EQ(Request(4).path, "/2/users/2/tweets");
  Timeline(ByName("alice"));  // pushed out by bob
  ASSERT_EQ(Requests(), 6u);
  EXPECT_EQ(Request(5).path, "/2/users/by/username/alice");
}

// A user timeline as the upstream pages it: newest first, since_id and
// until_id exclusive, max_results in [5, 100], tokens bound to the query.
class TimelineWorld {
 public:
  explicit TimelineWorld(int newest, int oldest) {
    for (int id = newest; id >= oldest; --id) ids_.push_back(id);
  }

  std::string Answer(const Sent& sent) {
    int max_results = 0;
    EXPECT_TRUE(absl::SimpleAtoi(sent.params.at("max_results"), &max_results));
    EXPECT_GE(max_results, 5);
    EXPECT_LE(max_results, 100);
    int64_t until = INT64_MAX;
    if (sent.params.contains("until_id")) {
      EXPECT_TRUE(absl::SimpleAtoi(sent.params.at("until_id"), &until));
    }
    std::vector<int> matching;
    for (int id : ids_) {
      if (id < until) matching.push_back(id);
    }
    size_t offset = 0;
    if (sent.params.contains("pagination_token")) {
      // "<until>-<offset>": a token only works in the query that made it.
      std::pair<std::string, std::string> token =
          absl::StrSplit(sent.params.at("pagination_token"), '-');
      EXPECT_EQ(token.first, absl::StrCat(until));
      EXPECT_TRUE(absl::SimpleAtoi(token.second, &offset));
    }
    std::vector<std::string> page;
    for (size_t i = offset;
         i < matching.size() && page.size() < static_cast<size_t>(max_results);
         ++i) {
      page.push_back(absl::StrCat(matching[i]));
    }
    const size_t end = offset + page.size();
    return TweetsBody(page, end < matching.size()
                                ? absl::StrCat(until, "-", end)
                                : std::string());
  }

 private:
  std::vector<int> ids_;
};

TEST_F(V2DialectTest, PagesBelowTheMinimumWithoutGapOrDuplicate) {
  TimelineWorld world(130, 101);  // 30 tweets
  for (int page_size : {1, 3, 4, 7}) {
    std::vector<std::string> seen;
    std::string position;
    for (int pages = 0; pages < 40; ++pages) {
      TimelineQuery query;
      query.user.user_id = "42";
      query.page_size = page_size;
      query.position = position;
      const size_t index = Requests();
      auto result = Timeline(query);
      ASSERT_EQ(Requests(), index + 1);
      const Sent sent = Request(index);
      EXPECT_EQ(sent.params.at("max_results"),
                absl::StrCat(std::max(page_size, 5)));
      // A cut page resumes right below its last tweet, with no token.
      if (!seen.empty() && !sent.params.contains("pagination_token")) {
        EXPECT_EQ(sent.params.at("until_id"), seen.back());
      }
      Ok(index, world.Answer(sent));
      const TweetPage& page = OkPage(result);
      EXPECT_LE(page.tweets.size(), static_cast<size_t>(page_size));
      for (const v1::Tweet& tweet : page.tweets) seen.push_back(tweet.id());
      position = page.next_position;
      if (position.empty()) break;
    }
    std::vector<std::string> all;
    for (int id = 130; id >= 101; --id) all.push_back(absl::StrCat(id));
    EXPECT_EQ(seen, all) << "page_size " << page_size;
  }
}

TEST_F(V2DialectTest, AboveTheMaximumAsksForTheMaximum) {
  TimelineQuery query;
  query.user.user_id = "42";
  query.page_size = 200;
  Timeline(query);
  EXPECT_EQ(Request(0).params.at("max_results"), "100");
}

TEST_F(V2DialectTest, SearchSendsTheV2Parameters) {
  SearchQuery query;
  query.query = "from:perch_dev #c++";
  query.page_size = 3;
  query.lang = "en";
  query.until = "2022-10-05";
  query.ranking = SearchQuery::Ranking::kRecent;
  Search(query);
  ASSERT_EQ(Requests(), 1u);
  ExpectSent(0, "/2/tweets/search/recent", "/2/tweets/search/recent",
             {{"query", "from:perch_dev #c++ lang:en"},
              {"max_results", "10"},
              {"sort_order", "recency"},
              {"end_time", "2022-10-05T00:00:00Z"},
              {"tweet.fields", kTweetFields},
              {"expansions", kExpansions},
              {"user.fields", kUserFields},
              {"media.fields", kMediaFields}});

  query.ranking = SearchQuery::Ranking::kPopular;
  Search(query);
  EXPECT_EQ(Request(1).params.at("sort_order"), "relevancy");
  for (auto ranking :
       {SearchQuery::Ranking::kMixed, SearchQuery::Ranking::kDefault}) {
    query.ranking = ranking;
    const size_t index = Requests();
    Search(query);
    EXPECT_FALSE(Request(index).params.contains("sort_order"));
  }
}

TEST_F(V2DialectTest, SearchUntilBesideSinceIdBecomesAnUntilId) {
  // v2 refuses end_time together with since_id or until_id.
  SearchQuery query;
  query.query = "perch";
  query.until = "2022-10-05";
  query.since_id = "1577000000000000000";
  Search(query);
  Sent sent = Request(0);
  EXPECT_FALSE(sent.params.contains("end_time"));
  EXPECT_EQ(sent.params.at("since_id"), "1577000000000000000");
  EXPECT_EQ(sent.params.at("until_id"), "1577448480568246272");
}

TEST_F(V2DialectTest, SearchPagesWithNextTokenAndResumesACutPageById) {
  SearchQuery query;
  query.query = "perch";
  query.page_size = 4;
  query.until = "2022-10-05";
  auto first = Search(query);
  Ok(0, TweetsBody({"20", "19", "18", "17", "16", "15", "14", "13", "12", "11"},
                   "b26v89c19zqg8o3fpdy5zsnp3n3qzp909cim472adoxa5"));
  const TweetPage& page = OkPage(first);
  EXPECT_EQ(IdsOf(page.tweets),
            (std::vector<std::string>{"20", "19", "18", "17"}));
  query.position = page.next_position;
  auto second = Search(query);
  Sent sent = Request(1);
  EXPECT_EQ(sent.params.at("until_id"), "17");
  EXPECT_FALSE(sent.params.contains("end_time"));  // until_id bounds it
  EXPECT_FALSE(sent.params.contains("next_token"));
  Ok(1, TweetsBody({"16", "15", "14", "13"}, "tok2"));
  const TweetPage& page2 = OkPage(second);
  EXPECT_EQ(IdsOf(page2.tweets),
            (std::vector<std::string>{"16", "15", "14", "13"}));
  query.position = page2.next_position;
  Search(query);
  Sent third = Request(2);
  EXPECT_EQ(third.params.at("next_token"), "tok2");
  EXPECT_EQ(third.params.at("until_id"), "17");  // the token's own query
  EXPECT_FALSE(third.params.contains("pagination_token"));
}

TEST_F(V2DialectTest, PopularSearchBelowTheMinimumSkipsWithinThePage) {
  // Relevancy order is not id order: until_id would skip 9 and 7 here.
  const std::vector<std::string> ranked = {"5", "9", "1", "7", "3",
                                           "8", "2", "6", "4", "10"};
  SearchQuery query;
  query.query = "perch";
  query.page_size = 6;
  query.ranking = SearchQuery::Ranking::kPopular;
  auto first = Search(query);
  Ok(0, TweetsBody(ranked, "p2"));
  query.position = OkPage(first).next_position;
  auto second = Search(query);
  Sent sent = Request(1);
  EXPECT_FALSE(sent.params.contains("until_id"));
  EXPECT_FALSE(sent.params.contains("next_token"));  // the first page again
  Ok(1, TweetsBody(ranked, "p2"));
  std::vector<std::string> seen = IdsOf(OkPage(first).tweets);
  for (const std::string& id : IdsOf(OkPage(second).tweets)) {
    seen.push_back(id);
  }
  EXPECT_EQ(seen, ranked);
  query.position = OkPage(second).next_position;
  Search(query);
  EXPECT_EQ(Request(2).params.at("next_token"), "p2");
}

TEST_F(V2DialectTest, InvalidQueryIsTheCallersInvalidArgument) {
  auto result = Search(Query("(perch"));
  Fail(
      0, 400,
      R"json({"errors":[{"parameters":{"query":["(perch"]},"message":"There were errors processing your request: missing ) (at position 1)"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"})json");
  absl::Status status = ErrorOf(result);
  EXPECT_THAT(status,
              ::perch::testing::IsInvalidArgumentWith(
                  {{"query",
                    "There were errors processing your request: missing "
                    ") (at position 1)"}}));
  EXPECT_EQ(ErrorReason(status), "INVALID_REQUEST");
  EXPECT_EQ(GetErrorInfo(status)->domain(), "api.twitter.com");
}

TEST_F(V2DialectTest, InvalidRequestAboutPerchsParametersStaysInternal) {
  auto result = Search(Query("perch"));
  Fail(
      0, 400,
      R"({"errors":[{"parameters":{"previous_token":["x"]},"message":"The query parameter [previous_token] is not one of [query]"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"})");
  EXPECT_THAT(ErrorOf(result), StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(ErrorReason(ErrorOf(result)), "UPSTREAM_REJECTED_REQUEST");

  auto mixed = Search(Query("perch"));
  Fail(
      1, 400,
      R"({"errors":[{"parameters":{"query":["perch"],"max_results":["3"]},"message":"m"}],"title":"Invalid Request","type":"https://api.twitter.com/2/problems/invalid-request"})");
  EXPECT_THAT(ErrorOf(mixed), StatusIs(absl::StatusCode::kInternal));
}

TEST_F(V2DialectTest, UpstreamErrorsPassThroughNamingTheRoute) {
  TimelineQuery query;
  query.user.user_id = "42";
  auto result = Timeline(query);
  Fail(
      0, 429,
      R"({"title":"Too Many Requests","type":"about:blank","status":429,"detail":"Too Many Requests"})");
  EXPECT_THAT(ErrorOf(result), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(GetErrorInfo(ErrorOf(result))->metadata().at("endpoint"),
            "/2/users/:id/tweets");
}

TEST_F(V2DialectTest, ErrorsInsideA200) {
  // The protected account's timeline.
  TimelineQuery query;
  query.user.user_id = "123";
  auto timeline = Timeline(query);
  Ok(0, kProtectedTimeline);
  EXPECT_THAT(ErrorOf(timeline), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(ErrorReason(ErrorOf(timeline)), "PROTECTED_RESOURCE");

  // A suspended account, by name.
  auto suspended = Timeline(ByName("leeseunggi"));
  Ok(1, kSuspendedUsername);
  EXPECT_THAT(ErrorOf(suspended),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ErrorReason(ErrorOf(suspended)), "USER_SUSPENDED");

  // Followers of an unknown id.
  FollowersQuery followers;
  followers.user.user_id = "93071130";
  auto missing = Followers(followers);
  Ok(2,
     R"({"errors":[{"value":"93071130","detail":"Could not find user with id: [93071130].","title":"Not Found Error","resource_type":"user","parameter":"id","resource_id":"93071130","type":"https://api.twitter.com/2/problems/resource-not-found"}]})");
  EXPECT_EQ(ErrorReason(ErrorOf(missing)), "RESOURCE_NOT_FOUND");

  // Data with partial errors (a referenced tweet gone): OK, field unset.
  auto partial = Timeline(query);
  Ok(3,
     absl::StrCat(
         R"({"data":[)",
         TweetJson("500",
                   R"(,"referenced_tweets":[{"type":"quoted","id":"499"}])"),
         R"(],"errors":[{"value":"499","detail":"Could not find tweet with referenced_tweets.id: [499].","title":"Not Found Error","resource_type":"tweet","parameter":"referenced_tweets.id","resource_id":"499","type":"https://api.twitter.com/2/problems/resource-not-found"}],"meta":{"result_count":1}})"));
  const TweetPage& page = OkPage(partial);
  ASSERT_EQ(page.tweets.size(), 1u);
  EXPECT_FALSE(page.tweets[0].has_quoted_tweet());

  // An empty page.
  auto empty = Timeline(query);
  Ok(4, R"({"meta":{"result_count":0}})");
  EXPECT_TRUE(OkPage(empty).tweets.empty());
  EXPECT_EQ(OkPage(empty).next_position, "");
}

TEST_F(V2DialectTest, FollowersPagesAndIdsOnly) {
  FollowersQuery query;
  query.user.user_id = "42";
  query.page_size = 2000;
  query.ids_only = true;
  auto result = Followers(query);
  ExpectSent(0, "/2/users/42/followers", "/2/users/:id/followers",
             {{"max_results", "1000"}, {"user.fields", kUserFields}});
  Ok(0, UsersBody({"7", "8"}, "5CS0O0C6II61EZZZ"));
  const FollowerPage& page = OkPage(result);
  EXPECT_EQ(page.user_ids, (std::vector<std::string>{"7", "8"}));
  EXPECT_TRUE(page.users.empty());

  query.ids_only = false;
  query.page_size = 20;
  query.position = page.next_position;
  auto second = Followers(query);
  EXPECT_EQ(Request(1).params.at("pagination_token"), "5CS0O0C6II61EZZZ");
  EXPECT_EQ(Request(1).params.at("max_results"), "20");
  Ok(1, UsersBody({"9"}));
  ASSERT_EQ(OkPage(second).users.size(), 1u);
  EXPECT_EQ(OkPage(second).users[0].screen_name(), "u9");
  EXPECT_TRUE(OkPage(second).user_ids.empty());
  EXPECT_EQ(OkPage(second).next_position, "");
}

constexpr char kListBody[] =
    R"({"data":{"id":"84839422","name":"Official Twitter Accounts","owner_id":"42","member_count":3,"follower_count":5,"private":false},"includes":{"users":[{"id":"42","name":"Perch","username":"perch_dev"}]}})";

// A retweet (its original in includes) and a plain tweet.
std::string ListTweetsBody() {
  return absl::StrCat(
      R"({"data":[)",
      TweetJson("601",
                R"(,"referenced_tweets":[{"type":"retweeted","id":"590"}])"),
      ",", TweetJson("600"), R"(],"includes":{"tweets":[)", TweetJson("590"),
      R"(],"users":[{"id":"42","name":"Perch","username":"perch_dev"}]},"meta":{"result_count":2,"next_token":"7140dibdnow9c7btw423i3sn9uw15y6f8lzfkzug1atrq"}})");
}

TEST_F(V2DialectTest, ListMetadataAndTweetsInParallelRetweetsFilteredHere) {
  ListQuery query;
  query.list.list_id = "84839422";
  query.with_metadata = true;
  query.include_retweets = false;
  auto result = List(query);
  ASSERT_EQ(Requests(), 2u);
  std::map<std::string, Sent> by_path;
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < 2; ++i) {
    by_path[PathArg(i)] = Request(i);
    index_of[PathArg(i)] = i;
  }
  ASSERT_TRUE(by_path.contains("/2/lists/:id"));
  ASSERT_TRUE(by_path.contains("/2/lists/:id/tweets"));
  EXPECT_EQ(by_path["/2/lists/:id"].path, "/2/lists/84839422");
  EXPECT_EQ(by_path["/2/lists/:id"].params,
            (Params{{"list.fields", kListFields},
                    {"expansions", "owner_id"},
                    {"user.fields", kUserFields}}));
  Sent tweets = by_path["/2/lists/:id/tweets"];
  EXPECT_EQ(tweets.path, "/2/lists/84839422/tweets");
  EXPECT_FALSE(tweets.params.contains("exclude"));
  EXPECT_EQ(tweets.params.at("max_results"), "20");
  EXPECT_EQ(tweets.params.at("tweet.fields"), kTweetFields);

  // Tweets first, then metadata: the answer waits for both.
  Ok(index_of["/2/lists/:id/tweets"], ListTweetsBody(),
     {{"x-rate-limit-limit", "900"},
      {"x-rate-limit-remaining", "899"},
      {"x-rate-limit-reset", "1700000900"}});
  EXPECT_FALSE(result->value.has_value());
  Ok(index_of["/2/lists/:id"], kListBody);
  const ListPage& page = OkPage(result);
  ASSERT_TRUE(page.list.has_value());
  EXPECT_EQ(page.list->id(), "84839422");
  EXPECT_EQ(page.list->slug(), "official-twitter-accounts");
  EXPECT_EQ(IdsOf(page.tweets), (std::vector<std::string>{"600"}));
  ASSERT_TRUE(page.rate_limit.has_value());
  EXPECT_EQ(page.rate_limit->limit, 900);
  EXPECT_FALSE(page.next_position.empty());
}

TEST_F(V2DialectTest, ListKeepsRetweetsWhenAskedAndPagesMembers) {
  ListQuery query;
  query.list.list_id = "84839422";
  auto tweets = List(query);
  ASSERT_EQ(Requests(), 1u);  // no metadata asked
  Ok(0, ListTweetsBody());
  EXPECT_EQ(IdsOf(OkPage(tweets).tweets),
            (std::vector<std::string>{"601", "600"}));
  EXPECT_FALSE(OkPage(tweets).list.has_value());

  query.view = ListQuery::View::kMembers;
  query.page_size = 500;
  auto members = List(query);
  ExpectSent(1, "/2/lists/84839422/members", "/2/lists/:id/members",
             {{"max_results", "100"}, {"user.fields", kUserFields}});
  Ok(1, UsersBody({"1", "2"}, "4611686018799963893"));
  EXPECT_EQ(OkPage(members).members.size(), 2u);
  query.position = OkPage(members).next_position;
  List(query);
  EXPECT_EQ(Request(2).params.at("pagination_token"), "4611686018799963893");
}

TEST_F(V2DialectTest, ListFirstErrorWinsAndCancelsTheOtherRead) {
  ListQuery query;
  query.list.list_id = "1";
  query.with_metadata = true;
  auto result = List(query);
  ASSERT_EQ(Requests(), 2u);
  const size_t metadata = PathArg(0) == "/2/lists/:id" ? 0 : 1;
  Ok(metadata,
     R"({"errors":[{"value":"1","detail":"Could not find list with id: [1].","title":"Not Found Error","resource_type":"list","parameter":"id","resource_id":"1","type":"https://api.twitter.com/2/problems/resource-not-found"}]})");
  EXPECT_THAT(ErrorOf(result), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(ErrorReason(ErrorOf(result)), "RESOURCE_NOT_FOUND");
  EXPECT_TRUE(reader_.cancelled(1 - metadata));
}

TEST_F(V2DialectTest, CancelAbortsTheLookupAndStartsNothingMore) {
  auto result = std::make_shared<Result<TweetPage>>();
  auto handle =
      dialect_->Timeline(ByName("perch_dev"), Deadline(), Into(result));
  handle->Cancel();
  EXPECT_THAT(ErrorOf(result), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_TRUE(reader_.cancelled(0));
  EXPECT_EQ(Requests(), 1u);
  handle->Cancel();
  EXPECT_EQ(result->calls, 1);
}

TEST_F(V2DialectTest, CancelAbortsBothListReads) {
  ListQuery query;
  query.list.list_id = "1";
  query.with_metadata = true;
  auto result = std::make_shared<Result<ListPage>>();
  auto handle = dialect_->List(query, Deadline(), Into(result));
  ASSERT_EQ(Requests(), 2u);
  handle->Cancel();
  EXPECT_THAT(ErrorOf(result), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_TRUE(reader_.cancelled(0));
  EXPECT_TRUE(reader_.cancelled(1));
}

std::string OwnedListsBody(
    const std::vector<std::pair<std::string, std::string>>& lists,
    absl::string_view next_token) {
  std::vector<std::string> data;
  for (const auto& [id, name] : lists) {
    data.push_back(absl::StrCat(R"({"id":")", id, R"(","name":")", name,
                                R"(","owner_id":"42"})"));
  }
  std::string meta = absl::StrCat(R"("result_count":)", lists.size());
  if (!next_token.empty()) {
    absl::StrAppend(&meta, R"(,"next_token":")", next_token, R"(")");
  }
  return absl::StrCat(R"({"data":[)", absl::StrJoin(data, ","), R"(],"meta":{)",
                      meta, "}}");
}

TEST_F(V2DialectTest, SlugIsFoundOverTwoOwnedListsPagesThenCached) {
  ListQuery query = MembersBySlug("perch_dev", "official-twitter-accounts");
  auto result = List(query);
  Ok(0, UserBody("42", "perch_dev"));
  ASSERT_EQ(Requests(), 2u);
  ExpectSent(1, "/2/users/42/owned_lists", "/2/users/:id/owned_lists",
             {{"list.fields", kListFields}, {"max_results", "100"}});
  Ok(1, OwnedListsBody({{"1", "Official Twitter"}, {"2", "Accounts"}},
                       "1354802865349435396"));
  ASSERT_EQ(Requests(), 3u);
  EXPECT_EQ(Request(2).params.at("pagination_token"), "1354802865349435396");
  Ok(2, OwnedListsBody(
            {{"3", "Cats"}, {"84839422", "Official Twitter Accounts"}}, ""));
  ASSERT_EQ(Requests(), 4u);
  EXPECT_EQ(Request(3).path, "/2/lists/84839422/members");
  Ok(3, UsersBody({"5"}));
  EXPECT_EQ(OkPage(result).members.size(), 1u);

  // Paging (and any later read of that list) resolves nothing again.
  query.list.owner_screen_name = "Perch_Dev";
  List(query);
  ASSERT_EQ(Requests(), 5u);
  EXPECT_EQ(Request(4).path, "/2/lists/84839422/members");
}

TEST_F(V2DialectTest, SlugNotAmongTheOwnersListsIsNotFound) {
  ListQuery query;
  query.list.owner_screen_name = "perch_dev";
  query.list.slug = "nope";
  auto result = List(query);
  Ok(0, UserBody("42", "perch_dev"));
  Ok(1, OwnedListsBody({{"1", "Cats"}}, ""));
  EXPECT_THAT(ErrorOf(result), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(ErrorReason(ErrorOf(result)), "RESOURCE_NOT_FOUND");
  EXPECT_EQ(Requests(), 2u);

  auto none = List(query);    // an owner with no lists at all
  ASSERT_EQ(Requests(), 3u);  // the owner is cached
  Ok(2, R"({"meta":{"result_count":0}})");
  EXPECT_EQ(ErrorReason(ErrorOf(none)), "RESOURCE_NOT_FOUND");
}

TEST_F(V2DialectTest, ConcurrentReadsOfOneSlugShareOneSearch) {
  auto first = List(MembersBySlug("perch_dev", "official-twitter-accounts"));
  auto second = List(MembersBySlug("Perch_Dev", "Official-Twitter-Accounts"));
  ASSERT_EQ(Requests(), 1u);  // the owner's id
  Ok(0, UserBody("42", "perch_dev"));
  ASSERT_EQ(Requests(), 2u);  // the owner's lists, once
  EXPECT_EQ(Request(1).path, "/2/users/42/owned_lists");
  Ok(1, OwnedListsBody({{"84839422", "Official Twitter Accounts"}}, ""));

  ASSERT_EQ(Requests(), 4u);
  EXPECT_EQ(Request(2).path, "/2/lists/84839422/members");
  EXPECT_EQ(Request(3).path, "/2/lists/84839422/members");
  Ok(2, UsersBody({"5"}));
  Ok(3, UsersBody({"6"}));
  std::set<std::string> members = {OkPage(first).members.at(0).id(),
                                   OkPage(second).members.at(0).id()};
  EXPECT_EQ(members, (std::set<std::string>{"5", "6"}));
}

TEST_F(V2DialectTest, ForeignPositionIsAnInvalidPageTokenWithoutARequest) {
  TimelineQuery query;
  query.user.user_id = "42";
  query.position = "not.a.position";
  auto result = Timeline(query);
  EXPECT_THAT(ErrorOf(result),
              ::perch::testing::IsInvalidArgumentOn({"page_token"}));
  EXPECT_EQ(Requests(), 0u);
}

}  // namespace
}  // namespace perch::upstream
