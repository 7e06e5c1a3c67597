#include "client/commands.h"

#include <deque>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace perch::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

// Scripted answers for one RPC, and the requests it saw.
template <typename Request, typename Response>
struct Script {
  std::deque<std::pair<grpc::Status, Response>> answers;
  std::vector<Request> requests;

  void Answer(Response response) {
    answers.emplace_back(grpc::Status::OK, std::move(response));
  }
  void Fail(grpc::Status status) {
    answers.emplace_back(std::move(status), Response());
  }
  grpc::Status Call(const Request& request, Response* response) {
    requests.push_back(request);
    if (answers.empty()) {
      return grpc::Status(grpc::StatusCode::INTERNAL, "unscripted call");
    }
    auto [status, answer] = std::move(answers.front());
    answers.pop_front();
    *response = std::move(answer);
    return status;
  }
};

// A Connection that answers from scripts, in memory.
class FakeConnection : public Connection {
 public:
  grpc::Status GetTimeline(const perch::v1::GetTimelineRequest& request,
                           perch::v1::GetTimelineResponse* response) override {
    return timeline.Call(request, response);
  }
  grpc::Status Search(const perch::v1::SearchRequest& request,
                      perch::v1::SearchResponse* response) override {
    return search.Call(request, response);
  }
  grpc::Status GetFollowers(
      const perch::v1::GetFollowersRequest& request,
      perch::v1::GetFollowersResponse* response) override {
    return followers.Call(request, response);
  }
  grpc::Status GetList(const perch::v1::GetListRequest& request,
                       perch::v1::GetListResponse* response) override {
    return list.Call(request, response);
  }
  grpc::Status Obtain(const perch::v1::ObtainRequest& request,
                      perch::v1::ObtainResponse* response) override {
    return obtain.Call(request, response);
  }
  grpc::Status Invalidate(const perch::v1::InvalidateRequest& request,
                          perch::v1::InvalidateResponse* response) override {
    return invalidate.Call(request, response);
  }
  grpc::Status Check(const grpc::health::v1::HealthCheckRequest& request,
                     grpc::health::v1::HealthCheckResponse* response) override {
    return health.Call(request, response);
  }

  Script<perch::v1::GetTimelineRequest, perch::v1::GetTimelineResponse>
      timeline;
  Script<perch::v1::SearchRequest, perch::v1::SearchResponse> search;
  Script<perch::v1::GetFollowersRequest, perch::v1::GetFollowersResponse>
      followers;
  Script<perch::v1::GetListRequest, perch::v1::GetListResponse> list;
  Script<perch::v1::ObtainRequest, perch::v1::ObtainResponse> obtain;
  Script<perch::v1::InvalidateRequest, perch::v1::InvalidateResponse>
      invalidate;
  Script<grpc::health::v1::HealthCheckRequest,
         grpc::health::v1::HealthCheckResponse>
      health;
};

// 2024-05-01T12:34:56Z
constexpr int64_t kMay1 = 1714566896;

CliArgs Args(std::vector<std::string> argv) {
  absl::StatusOr<CliArgs> parsed = ParseArgs(argv, "");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : CliArgs();
}

perch::v1::GetTimelineResponse TimelinePage(std::vector<std::string> ids,
                                            absl::string_view next_page_token) {
  perch::v1::GetTimelineResponse page;
  for (const std::string& id : ids) {
    perch::v1::Tweet* tweet = page.add_tweets();
    tweet->set_id(id);
    tweet->set_text(absl::StrCat("tweet ", id));
    tweet->mutable_created_at()->set_seconds(kMay1);
    tweet->mutable_author()->set_screen_name("jack");
  }
  page.set_next_page_token(std::string(next_page_token));
  page.mutable_rate_limit()->set_limit(900);
  page.mutable_rate_limit()->set_remaining(899);
  page.mutable_rate_limit()->mutable_reset_time()->set_seconds(kMay1);
  return page;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

grpc::Status RateLimited() {
  google::rpc::ErrorInfo info;
  info.set_reason("RATE_LIMITED");
  info.set_domain("api.twitter.com");
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(60);
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  rich.add_details()->PackFrom(info);
  rich.add_details()->PackFrom(retry);
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      "Rate limit exceeded", rich.SerializeAsString());
}

class CommandsTest : public ::testing::Test {
 protected:
  ExitCode Run(std::vector<std::string> argv) {
    return RunCommand(Args(std::move(argv)), connection_, out_, err_);
  }

  FakeConnection connection_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CommandsTest, HelpPrintsUsage) {
  EXPECT_EQ(Run({"--help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("Exit codes:"));
}

TEST_F(CommandsTest, TimelineOnePageWithFooterAndNextToken) {
  connection_.timeline.Answer(TimelinePage({"2", "1"}, "next-tok"));
  EXPECT_EQ(Run({"timeline", "@jack", "--page_size=2"}), kExitOk);
  ASSERT_EQ(connection_.timeline.requests.size(), 1u);
  EXPECT_EQ(connection_.timeline.requests[0].screen_name(), "jack");
  EXPECT_EQ(connection_.timeline.requests[0].page_size(), 2);
  EXPECT_THAT(Lines(out_.str()),
              ElementsAre(StartsWith("ID "),
                          "2                    2024-05-01T12:34:56Z  @jack    "
                          "         tweet 2",
                          "1                    2024-05-01T12:34:56Z  @jack    "
                          "         tweet 1",
                          "rate limit: 899/900, resets 12:34:56Z",
                          "next page: next-tok"));
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CommandsTest, AllFollowsTokensWithOneHeaderAndProgressOnStderr) {
  connection_.timeline.Answer(TimelinePage({"5", "4"}, "p2"));
  connection_.timeline.Answer(TimelinePage({"3", "2"}, "p3"));
  connection_.timeline.Answer(TimelinePage({"1"}, ""));
  EXPECT_EQ(Run({"timeline", "12", "--all", "--page_token=p1"}), kExitOk);

  std::vector<std::string> tokens;
  for (const auto& r : connection_.timeline.requests) {
    EXPECT_EQ(r.user_id(), "12");
    tokens.push_back(r.page_token());
  }
  EXPECT_THAT(tokens, ElementsAre("p1", "p2", "p3"));
  std::vector<std::string> lines = Lines(out_.str());
  ASSERT_EQ(lines.size(), 7u) << out_.str();
  EXPECT_THAT(lines[0], StartsWith("ID "));
  EXPECT_THAT(lines[5], StartsWith("1 "));
  EXPECT_EQ(lines[6], "rate limit: 899/900, resets 12:34:56Z");
  EXPECT_THAT(out_.str(), Not(HasSubstr("next page")));
  EXPECT_EQ(err_.str(),
            "page 1: 2 tweets (2 so far)\n"
            "page 2: 2 tweets (4 so far)\n"
            "page 3: 1 tweets (5 so far)\n");
}

TEST_F(CommandsTest, AllStopsAtAnErrorKeepingPrintedPages) {
  connection_.timeline.Answer(TimelinePage({"2"}, "p2"));
  connection_.timeline.Fail(RateLimited());
  EXPECT_EQ(Run({"timeline", "@jack", "--all"}), kExitRateLimited);
  EXPECT_THAT(out_.str(), HasSubstr("tweet 2"));
  EXPECT_THAT(err_.str(), HasSubstr("page 1: 1 tweets (1 so far)\n"
                                    "error: RESOURCE_EXHAUSTED"));
  EXPECT_THAT(err_.str(), HasSubstr("  retry after 60s\n"));
}

TEST_F(CommandsTest, AllRefusesARepeatedPageToken) {
  connection_.timeline.Answer(TimelinePage({"2"}, "same"));
  connection_.timeline.Answer(TimelinePage({"1"}, "same"));
  EXPECT_EQ(Run({"timeline", "@jack", "--all"}), kExitLocalFailure);
  EXPECT_EQ(connection_.timeline.requests.size(), 2u);
  EXPECT_THAT(err_.str(), HasSubstr("page token it was given"));
}

TEST_F(CommandsTest, JsonPrintsOneObjectPerPage) {
  connection_.timeline.Answer(TimelinePage({"2"}, "p2"));
  connection_.timeline.Answer(TimelinePage({"1"}, ""));
  EXPECT_EQ(Run({"timeline", "@jack", "--all", "--json"}), kExitOk);
  std::vector<std::string> lines = Lines(out_.str());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], StartsWith("{"));
  EXPECT_THAT(lines[0], HasSubstr("\"nextPageToken\":\"p2\""));
  EXPECT_THAT(lines[1], HasSubstr("\"id\":\"1\""));
  EXPECT_THAT(out_.str(), Not(HasSubstr("rate limit:")));
  EXPECT_THAT(err_.str(), HasSubstr("page 2: 1 tweets (2 so far)"));
}

TEST_F(CommandsTest, EmptyResultSaysSo) {
  perch::v1::SearchResponse empty;
  connection_.search.Answer(empty);
  EXPECT_EQ(Run({"search", "nothing matches", "--result_type=recent"}),
            kExitOk);
  ASSERT_EQ(connection_.search.requests.size(), 1u);
  EXPECT_EQ(connection_.search.requests[0].query(), "nothing matches");
  EXPECT_EQ(connection_.search.requests[0].result_type(),
            perch::v1::SearchRequest::RESULT_TYPE_RECENT);
  EXPECT_EQ(out_.str(), "(no tweets)\n");
}

TEST_F(CommandsTest, FollowerIdsOnePerLine) {
  perch::v1::GetFollowersResponse page;
  page.add_user_ids("11");
  page.add_user_ids("22");
  connection_.followers.Answer(page);
  EXPECT_EQ(Run({"followers", "@jack", "--ids"}), kExitOk);
  EXPECT_TRUE(connection_.followers.requests[0].ids_only());
  EXPECT_EQ(out_.str(), "ID\n11\n22\n");
}

TEST_F(CommandsTest, FollowersAsUsers) {
  perch::v1::GetFollowersResponse page;
  perch::v1::User* user = page.add_users();
  user->set_id("11");
  user->set_screen_name("ann");
  user->set_name("Ann");
  user->set_followers_count(5);
  connection_.followers.Answer(page);
  EXPECT_EQ(Run({"followers", "jack"}), kExitOk);
  EXPECT_THAT(Lines(out_.str()),
              ElementsAre(StartsWith("ID "),
                          "11                   @ann                       5  "
                          "Ann"));
}

TEST_F(CommandsTest, ListMembersHeaderLineOnFirstPageOnly) {
  perch::v1::GetListResponse first;
  first.mutable_list()->set_id("9");
  first.mutable_list()->set_name("Friends");
  first.mutable_list()->set_member_count(2);
  first.add_members()->set_screen_name("ann");
  first.set_next_page_token("m2");
  perch::v1::GetListResponse second;
  second.add_members()->set_screen_name("bob");
  connection_.list.Answer(first);
  connection_.list.Answer(second);
  EXPECT_EQ(Run({"list", "jack/friends", "--members", "--all"}), kExitOk);
  ASSERT_EQ(connection_.list.requests.size(), 2u);
  EXPECT_EQ(connection_.list.requests[0].view(),
            perch::v1::GetListRequest::VIEW_MEMBERS);
  EXPECT_EQ(connection_.list.requests[1].slug().slug(), "friends");
  std::vector<std::string> lines = Lines(out_.str());
  ASSERT_EQ(lines.size(), 4u) << out_.str();
  EXPECT_EQ(lines[0], "list 9 \"Friends\": 2 members, 0 subscribers");
  EXPECT_THAT(lines[1], StartsWith("ID "));
  EXPECT_THAT(lines[2], HasSubstr("@ann"));
  EXPECT_THAT(lines[3], HasSubstr("@bob"));
  EXPECT_EQ(err_.str(),
            "page 1: 1 members (1 so far)\npage 2: 1 members (2 so far)\n");
}

TEST_F(CommandsTest, TokenObtainAndInvalidate) {
  perch::v1::ObtainResponse obtained;
  obtained.set_token_type("bearer");
  obtained.set_token_fingerprint("abcdef012345");
  connection_.obtain.Answer(obtained);
  EXPECT_EQ(Run({"token", "obtain"}), kExitOk);
  EXPECT_EQ(out_.str(),
            "token: bearer, fingerprint abcdef012345, obtained -\n");

  out_.str("");
  google::rpc::ErrorInfo info;
  info.set_reason("TOKEN_NOT_INVALIDATED");
  info.set_domain("api.twitter.com");
  google::rpc::Status rich;
  rich.add_details()->PackFrom(info);
  connection_.invalidate.Fail(
      grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "not invalidated",
                   rich.SerializeAsString()));
  EXPECT_EQ(Run({"token", "invalidate"}), kExitFailedPrecondition);
  EXPECT_EQ(out_.str(), "");
  EXPECT_THAT(err_.str(), HasSubstr("reason: TOKEN_NOT_INVALIDATED"));
}

TEST_F(CommandsTest, HealthExitsZeroOnlyForServing) {
  grpc::health::v1::HealthCheckResponse serving;
  serving.set_status(grpc::health::v1::HealthCheckResponse::SERVING);
  connection_.health.Answer(serving);
  EXPECT_EQ(Run({"health"}), kExitOk);
  EXPECT_EQ(out_.str(), "SERVING\n");

  out_.str("");
  grpc::health::v1::HealthCheckResponse not_serving;
  not_serving.set_status(grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  connection_.health.Answer(not_serving);
  EXPECT_EQ(Run({"health", "perch.v1.ReadService"}), kExitUnavailable);
  EXPECT_EQ(connection_.health.requests[1].service(), "perch.v1.ReadService");
  EXPECT_EQ(out_.str(), "NOT_SERVING\n");
  EXPECT_THAT(err_.str(), IsEmpty());
}

TEST_F(CommandsTest, HealthUnreachableIsUnavailable) {
  connection_.health.Fail(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                       "failed to connect to all addresses"));
  EXPECT_EQ(Run({"health", "--server=localhost:1"}), kExitUnavailable);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(),
            "error: UNAVAILABLE: failed to connect to all addresses\n"
            "  server: localhost:1\n");
}

}  // namespace
}  // namespace perch::client
