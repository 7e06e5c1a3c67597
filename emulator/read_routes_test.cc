// UPSTREAM.md §3-4 for reads over real HTTP: the bearer check, 403/220, 404/34,
// rate-limit headers and windows, and a valid body from every endpoint
// (what each endpoint answers: world_reads_test.cc).
#include "emulator/read_routes.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "emulator/emulator_test_support.h"
#include "gtest/gtest.h"

namespace perch::emulator::testing {
namespace {

using ReadRoutesTest = ReadingEmulatorTest;

TEST_F(ReadRoutesTest, ValidBearerGets200AndJson) {
  HttpResult result = GetWithBearer(kDevTimeline, token_);
  EXPECT_EQ(result.status, 200);
  EXPECT_TRUE(absl::StartsWith(result.body, R"([{"created_at":")"))
      << result.body;
  EXPECT_TRUE(IsValidJson(result.body));
  EXPECT_EQ(result.Header("content-type"), "application/json;charset=utf-8");
}

TEST_F(ReadRoutesTest, UnknownBearerIs401Code89) {
  HttpResult result =
      GetWithBearer(kUserTimeline, "AAAAAAAAAAAAAAAAAAAAAnot%2Fissued%3D");
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(result.body, kInvalidTokenBody);
}

TEST_F(ReadRoutesTest, DecodedTokenIs401Code89) {
  // A client that "helpfully" decoded %2F and %3D sends another token.
  std::string decoded =
      absl::StrReplaceAll(token_, {{"%2F", "/"}, {"%3D", "="}, {"%2B", "+"}});
  HttpResult result = GetWithBearer(kUserTimeline, decoded);
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(result.body, kInvalidTokenBody);
}

TEST_F(ReadRoutesTest, RevokedBearerIs401Code89UntilANewTokenIsObtained) {
  emulator_->RevokeCurrentToken();
  HttpResult result = GetWithBearer(kUserTimeline, token_);
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(result.body, kInvalidTokenBody);
  std::string fresh = ObtainToken();
  EXPECT_FALSE(fresh == token_) << "revoked token was issued again";
  EXPECT_EQ(GetWithBearer(kDevTimeline, fresh).status, 200);
}

TEST_F(ReadRoutesTest, MissingOrMalformedAuthenticationIs400Code215) {
  for (std::vector<std::string> headers : std::vector<std::vector<std::string>>{
           {},
           {"Authorization: Bearer"},
           {"Authorization: Bearer "},
           {"Authorization: Token abc"},
           {kSpecBasicHeader},
       }) {
    HttpResult result = Call("GET", kUserTimeline, headers);
    EXPECT_EQ(result.status, 400);
    EXPECT_EQ(result.body, kBadAuthBody);
  }
}

TEST_F(ReadRoutesTest, HomeTimelineWithABearerIs403Code220) {
  HttpResult result = GetWithBearer("/1.1/statuses/home_timeline.json", token_);
  EXPECT_EQ(result.status, 403);
  EXPECT_EQ(result.body, kAppOnlyBody);
}

TEST_F(ReadRoutesTest, UnknownPathIs404Code34) {
  for (const char* path : {"/1.1/nope.json", "/", "/2/nope/783214"}) {
    HttpResult result = GetWithBearer(path, token_);
    EXPECT_EQ(result.status, 404) << path;
    EXPECT_EQ(result.body, kNotFoundBody) << path;
  }
  EXPECT_EQ(Call("GET", "/1.1/nope.json").status, 404);  // auth or not
}

TEST_F(ReadRoutesTest, RateLimitHeadersOnEveryRead) {
  HttpResult first = GetWithBearer(kDevTimeline, token_);
  EXPECT_EQ(HeaderInt(first, "x-rate-limit-limit"), 1500);
  EXPECT_EQ(HeaderInt(first, "x-rate-limit-remaining"), 1499);
  int64_t reset = absl::ToUnixSeconds(clock_.Now() + absl::Minutes(15));
  EXPECT_EQ(HeaderInt(first, "x-rate-limit-reset"), reset);
  clock_.Advance(absl::Minutes(3));
  HttpResult second = GetWithBearer(kDevTimeline, token_);
  EXPECT_EQ(HeaderInt(second, "x-rate-limit-remaining"), 1498);
  EXPECT_EQ(HeaderInt(second, "x-rate-limit-reset"), reset);
}

TEST_F(ReadRoutesTest, PastTheLimitIs429Code88UntilTheReset) {
  emulator_->SetRateLimit(kUserTimeline, 2);
  HttpResult a = GetWithBearer(kDevTimeline, token_);
  HttpResult b = GetWithBearer(kDevTimeline, token_);
  HttpResult c = GetWithBearer(kDevTimeline, token_);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(HeaderInt(a, "x-rate-limit-limit"), 2);
  EXPECT_EQ(HeaderInt(a, "x-rate-limit-remaining"), 1);
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(HeaderInt(b, "x-rate-limit-remaining"), 0);
  EXPECT_EQ(c.status, 429);
  EXPECT_EQ(c.body, kRateLimitBody);
  EXPECT_EQ(HeaderInt(c, "x-rate-limit-limit"), 2);
  EXPECT_EQ(HeaderInt(c, "x-rate-limit-remaining"), 0);
  EXPECT_EQ(HeaderInt(c, "x-rate-limit-reset"),
            HeaderInt(a, "x-rate-limit-reset"));
  // Windows are per endpoint.
  EXPECT_EQ(
      GetWithBearer("/1.1/lists/statuses.json?list_id=84839422", token_).status,
      200);
  clock_.Advance(absl::Minutes(15));
  HttpResult after = GetWithBearer(kDevTimeline, token_);
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(HeaderInt(after, "x-rate-limit-remaining"), 1);
}

TEST_F(ReadRoutesTest, ResetRateLimitsOpensFreshWindows) {
  emulator_->SetRateLimit(kUserTimeline, 1);
  EXPECT_EQ(GetWithBearer(kDevTimeline, token_).status, 200);
  EXPECT_EQ(GetWithBearer(kDevTimeline, token_).status, 429);
  emulator_->ResetRateLimits();
  EXPECT_EQ(GetWithBearer(kDevTimeline, token_).status, 200);
}

struct EndpointCase {
  const char* path_and_query;
  int limit;
  const char* json_starts;
};

class EveryReadEndpointTest
    : public ReadRoutesTest,
      public ::testing::WithParamInterface<EndpointCase> {};

TEST_P(EveryReadEndpointTest, AnswersValidJsonWithTheTablesLimit) {
  HttpResult result = GetWithBearer(GetParam().path_and_query, token_);
  EXPECT_EQ(result.status, 200);
  EXPECT_TRUE(IsValidJson(result.body)) << result.body;
  EXPECT_TRUE(absl::StartsWith(result.body, GetParam().json_starts))
      << result.body;
  EXPECT_EQ(HeaderInt(result, "x-rate-limit-limit"), GetParam().limit);
}

INSTANTIATE_TEST_SUITE_P(
    Section4, EveryReadEndpointTest,
    ::testing::Values(
        EndpointCase{
            "/1.1/statuses/user_timeline.json?screen_name=perch_dev&count=200",
            1500, R"([{"created_at":)"},
        EndpointCase{"/1.1/search/tweets.json?q=%23perch%20%22x%22&count=100",
                     450, R"({"statuses":[],"search_metadata":{)"},
        EndpointCase{"/1.1/search/tweets.json?q=%23perch&count=100", 450,
                     R"({"statuses":[{"created_at":)"},
        EndpointCase{"/1.1/followers/list.json?screen_name=perch_dev&cursor=-1",
                     15, R"({"users":[{"id":)"},
        EndpointCase{
            "/1.1/followers/ids.json?user_id=783214&stringify_ids=true", 15,
            R"({"ids":[")"},
        EndpointCase{"/1.1/lists/show.json?list_id=84839422", 75,
                     R"({"id":84839422,"id_str":"84839422")"},
        EndpointCase{
            "/1.1/lists/show.json?slug=engineering&owner_screen_name=perch_dev",
            75, R"({"id":)"},
        EndpointCase{"/1.1/lists/statuses.json?list_id=84839422", 900,
                     R"([{"created_at":)"},
        EndpointCase{"/1.1/lists/members.json?list_id=84839422&cursor=-1", 75,
                     R"({"users":[{"id":)"}));

TEST(AppOnlyReadLimit, MatchesTheTableAndDefaultsTo900) {
  EXPECT_EQ(AppOnlyReadLimit(kUserTimeline), 1500);
  EXPECT_EQ(AppOnlyReadLimit(kSearchTweets), 450);
  EXPECT_EQ(AppOnlyReadLimit(kFollowersList), 15);
  EXPECT_EQ(AppOnlyReadLimit(kFollowerIds), 15);
  EXPECT_EQ(AppOnlyReadLimit(kListsShow), 75);
  EXPECT_EQ(AppOnlyReadLimit(kListsStatuses), 900);
  EXPECT_EQ(AppOnlyReadLimit(kListsMembers), 75);
  EXPECT_EQ(AppOnlyReadLimit("/1.1/users/show.json"), 900);
}

TEST(ReadRoutesOverIpv6, ServesOnLoopbackV6) {
  EmulatorOptions options;
  options.listen_host = "::1";
  absl::StatusOr<std::unique_ptr<Emulator>> emulator =
      Emulator::Start(std::move(options));
  if (!emulator.ok()) GTEST_SKIP() << "no IPv6 loopback: " << emulator.status();
  EXPECT_TRUE(absl::StartsWith((*emulator)->base_url(), "http://[::1]:"));
  HttpCall call;
  call.url = absl::StrCat((*emulator)->base_url(), kUserTimeline);
  HttpResult result = Fetch(call);
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(result.body, kBadAuthBody);
}

}  // namespace
}  // namespace perch::emulator::testing
