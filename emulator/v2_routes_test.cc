// UPSTREAM-V2.md §3-4 for v2 reads over real HTTP: 401 about:blank for
// every bearer problem, 403 unsupported-authentication, 404 for an unknown
// route, per-endpoint windows and their headers (429 past them), the
// account's access levels and states (by Emulator API, admin endpoint and
// reset), request counters keyed by route pattern and faults on v2 paths.
#include "emulator/v2_routes.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "emulator/emulator_test_support.h"
#include "emulator/world.h"
#include "gtest/gtest.h"

namespace perch::emulator::testing {
namespace {

constexpr char kUnauthorizedBody[] =
    R"({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"})";
constexpr char kTooManyBody[] =
    R"({"title":"Too Many Requests","type":"about:blank","status":429,"detail":"Too Many Requests"})";
constexpr char kNotEnrolledBody[] =
    R"({"client_id":"27988566","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.","registration_url":"https://developer.twitter.com/en/docs/projects/overview","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"})";
constexpr char k453Body[] =
    R"({"errors":[{"code":453,"message":"You currently have access to a subset of X API V2 endpoints and limited v1.1 endpoints (e.g. media post, oauth) only. If you need access to this endpoint, you may need a different access level. You can learn more here: https://developer.x.com/en/portal/product"}]})";
constexpr char kUsernamePattern[] = "/2/users/by/username/:username";
constexpr char kTimelinePattern[] = "/2/users/:id/tweets";

class V2RoutesTest : public EmulatorTest {
 protected:
  void SetUp() override {
    StartEmulator(options_);
    token_ = ObtainToken();
    dev_ = absl::StrCat("/2/users/", emulator_->world().dev().id);
  }

  HttpResult V2(absl::string_view path) { return GetWithBearer(path, token_); }

  HttpResult PostAccount(absl::string_view body) {
    return Call("POST", "/_emulator/account", {}, std::string(body));
  }

  EmulatorOptions options_;
  std::string dev_;  // "/2/users/<perch_dev's id>"
};

TEST_F(V2RoutesTest, EveryBearerProblemIs401AboutBlank) {
  for (HttpResult result :
       {Call("GET", dev_), Call("GET", dev_, {"Authorization: Basic abc"}),
        GetWithBearer(dev_, "AAAAAAAAAAAAAAAAAAAAAnot%2Fissued%3D")}) {
    EXPECT_EQ(result.status, 401);
    EXPECT_EQ(result.body, kUnauthorizedBody);
    EXPECT_EQ(result.Header("content-type"), "application/problem+json");
  }
  emulator_->RevokeCurrentToken();
  HttpResult revoked = V2(dev_);
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(revoked.body, kUnauthorizedBody);
  EXPECT_EQ(GetWithBearer(dev_, ObtainToken()).status, 200);
}

TEST_F(V2RoutesTest, UserContextOnlyEndpointIs403UnsupportedAuthentication) {
  HttpResult me = V2("/2/users/me");
  EXPECT_EQ(me.status, 403);
  EXPECT_EQ(
      me.body,
      R"({"title":"Unsupported Authentication","detail":"Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].","type":"https://api.twitter.com/2/problems/unsupported-authentication","status":403})");
}

TEST_F(V2RoutesTest, UnknownRouteIs404) {
  EXPECT_EQ(V2("/2/users/1/likes/recent").status, 404);
  EXPECT_EQ(V2("/2/").status, 404);
}

TEST_F(V2RoutesTest, AnswersCarryV2ContentTypeAndTheAppOnlyLimits) {
  struct Row {
    std::string path;
    int limit;
  };
  const World& w = emulator_->world();
  for (const Row& row : std::vector<Row>{
           {"/2/users/by/username/perch_dev", 300},
           {dev_, 300},
           {absl::StrCat(dev_, "/tweets"), 1500},
           {"/2/tweets/search/recent?query=perch", 450},
           {absl::StrCat(dev_, "/followers"), 15},
           {absl::StrCat("/2/lists/", w.engineering().id), 75},
           {absl::StrCat("/2/lists/", w.engineering().id, "/tweets"), 900},
           {absl::StrCat("/2/lists/", w.engineering().id, "/members"), 900},
           {absl::StrCat(dev_, "/owned_lists"), 15}}) {
    HttpResult result = V2(row.path);
    EXPECT_EQ(result.status, 200) << row.path;
    EXPECT_EQ(result.Header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(HeaderInt(result, "x-rate-limit-limit"), row.limit) << row.path;
    EXPECT_EQ(HeaderInt(result, "x-rate-limit-remaining"), row.limit - 1);
    EXPECT_EQ(HeaderInt(result, "x-rate-limit-reset"),
              absl::ToUnixSeconds(clock_.Now() + absl::Minutes(15)));
  }
}

TEST_F(V2RoutesTest, PastTheWindowIs429UntilItsReset) {
  emulator_->SetRateLimit(kTimelinePattern, 2);
  const std::string timeline = absl::StrCat(dev_, "/tweets");
  EXPECT_EQ(HeaderInt(V2(timeline), "x-rate-limit-remaining"), 1);
  // Any user's timeline spends the same window.
  EXPECT_EQ(
      V2(absl::StrCat("/2/users/", emulator_->world().popular().id, "/tweets"))
          .status,
      200);
  HttpResult limited = V2(timeline);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body, kTooManyBody);
  EXPECT_EQ(HeaderInt(limited, "x-rate-limit-remaining"), 0);
  EXPECT_EQ(V2("/2/users/by/username/perch_dev").status, 200);  // other window
  clock_.Advance(absl::Minutes(15));
  EXPECT_EQ(V2(timeline).status, 200);
}

TEST_F(V2RoutesTest, InvalidRequestStillSpendsTheWindow) {
  HttpResult bad = V2(absl::StrCat(dev_, "/tweets?max_results=2"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(HeaderInt(bad, "x-rate-limit-remaining"), 1499);
}

TEST_F(V2RoutesTest, V2OnlyAccessRefusesEveryV11ReadWith453) {
  emulator_->SetAccessLevel(AccessLevel::kV2Only);
  for (const char* path :
       {kDevTimeline, "/1.1/search/tweets.json?q=perch",
        "/1.1/lists/show.json?owner_screen_name=perch_dev&slug=engineering"}) {
    HttpResult result = GetWithBearer(path, token_);
    EXPECT_EQ(result.status, 403) << path;
    EXPECT_EQ(result.body, k453Body);
  }
  EXPECT_EQ(V2(dev_).status, 200);
  // Tokens are still issued, and a bad bearer is still a bearer problem.
  EXPECT_EQ(GetWithBearer(kDevTimeline, "nope").status, 401);
  emulator_->ResetAccount();
  EXPECT_EQ(GetWithBearer(kDevTimeline, token_).status, 200);
}

TEST_F(V2RoutesTest, NotEnrolledRefusesEveryV2ReadWithClientForbidden) {
  emulator_->SetAccessLevel(AccessLevel::kNotEnrolled);
  HttpResult result = V2(absl::StrCat(dev_, "/tweets"));
  EXPECT_EQ(result.status, 403);
  EXPECT_EQ(result.body, kNotEnrolledBody);
  EXPECT_EQ(result.Header("x-rate-limit-limit"), "");
  EXPECT_EQ(GetWithBearer(kDevTimeline, token_).status, 200);  // v1.1 works
}

TEST_F(V2RoutesTest, UsageCappedIs429WithBudgetLeftAndADailyReset) {
  emulator_->SetAccountState(AccountState::kUsageCapped);
  HttpResult capped = V2(absl::StrCat(dev_, "/tweets"));
  EXPECT_EQ(capped.status, 429);
  EXPECT_TRUE(absl::StartsWith(capped.body, R"({"account_id":)"))
      << capped.body;
  EXPECT_TRUE(absl::EndsWith(
      capped.body,
      R"(,"product_name":"standard-basic","title":"UsageCapExceeded","period":"Monthly","scope":"Product","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped"})"))
      << capped.body;
  EXPECT_GT(HeaderInt(capped, "x-rate-limit-remaining"), 0);
  const int64_t reset = HeaderInt(capped, "x-app-limit-24hour-reset");
  EXPECT_GT(reset, absl::ToUnixSeconds(clock_.Now()));
  EXPECT_LE(reset, absl::ToUnixSeconds(clock_.Now()) + 86400);
  EXPECT_EQ(HeaderInt(capped, "x-app-limit-24hour-remaining"), 0);
  EXPECT_EQ(GetWithBearer(kDevTimeline, token_).status, 200);  // v1.1 works
}

TEST_F(V2RoutesTest, CreditsDepletedIs402) {
  emulator_->SetAccountState(AccountState::kCreditsDepleted);
  HttpResult result = V2(dev_);
  EXPECT_EQ(result.status, 402);
  const std::string prefix =
      R"({"title":"CreditsDepleted","detail":"Your enrolled account [)";
  ASSERT_TRUE(absl::StartsWith(result.body, prefix)) << result.body;
  const std::string account = result.body.substr(prefix.size(), 19);
  uint64_t digits = 0;
  EXPECT_TRUE(absl::SimpleAtoi(account, &digits)) << account;
  EXPECT_EQ(
      result.body,
      absl::StrCat(
          prefix, account,
          R"(] does not have any credits to fulfill this request.","type":"https://api.twitter.com/2/problems/credits"})"));
  EXPECT_EQ(result.body.size(), 185u);  // as the real one (§3.7)
  EXPECT_EQ(result.Header("x-rate-limit-limit"), "");
}

TEST_F(V2RoutesTest, AdminEndpointSwitchesTheAccountAndResetRestoresIt) {
  HttpResult shown = Call("GET", "/_emulator/account");
  EXPECT_EQ(shown.body, R"({"access":"full","state":"ok"})");
  HttpResult set = PostAccount(R"({"access":"v2_only"})");
  EXPECT_EQ(set.status, 200);
  EXPECT_EQ(set.body, R"({"access":"v2_only","state":"ok"})");
  EXPECT_EQ(GetWithBearer(kDevTimeline, token_).status, 403);
  EXPECT_EQ(PostAccount(R"({"state":"credits_depleted"})").body,
            R"({"access":"v2_only","state":"credits_depleted"})");
  EXPECT_EQ(V2(dev_).status, 402);
  for (const char* bad : {R"({"access":"gold"})", R"({"state":1})",
                          R"({"mood":"ok"})", "not json"}) {
    EXPECT_EQ(PostAccount(bad).status, 400) << bad;
  }
  EXPECT_EQ(Call("POST", "/_emulator/reset").status, 200);
  EXPECT_EQ(Call("GET", "/_emulator/account").body,
            R"({"access":"full","state":"ok"})");
  EXPECT_EQ(V2(dev_).status, 200);
  EXPECT_EQ(GetWithBearer(kDevTimeline, token_).status, 200);
}

class V2RoutesStartedNotEnrolledTest : public V2RoutesTest {
 protected:
  void SetUp() override {
    options_.access_level = AccessLevel::kNotEnrolled;
    options_.account_state = AccountState::kUsageCapped;
    V2RoutesTest::SetUp();
  }
};

TEST_F(V2RoutesStartedNotEnrolledTest, ResetReturnsToTheStartUpValues) {
  EXPECT_EQ(V2(dev_).status, 403);
  PostAccount(R"({"access":"full","state":"ok"})");
  EXPECT_EQ(V2(dev_).status, 200);
  Call("POST", "/_emulator/reset");
  EXPECT_EQ(Call("GET", "/_emulator/account").body,
            R"({"access":"not_enrolled","state":"usage_capped"})");
}

TEST_F(V2RoutesTest, CountersKeyV2RequestsByRoutePattern) {
  emulator_->ResetCounters();
  V2("/2/users/by/username/perch_dev");
  for (int i = 0; i < 3; ++i) V2(absl::StrCat(dev_, "/tweets?max_results=5"));
  V2(absl::StrCat("/2/users/", emulator_->world().popular().id, "/tweets"));
  V2("/2/users/me");
  EXPECT_EQ(emulator_->RequestCount(kUsernamePattern), 1);
  EXPECT_EQ(emulator_->RequestCount(kTimelinePattern), 4);
  EXPECT_EQ(emulator_->RequestCount("/2/users/me"), 1);
  EXPECT_EQ(emulator_->RequestCount("/2/users/by/username/perch_dev"), 0);
  HttpResult stats = Call("GET", "/_emulator/stats");
  EXPECT_TRUE(
      absl::StrContains(stats.body, R"("/2/users/by/username/:username":1)"))
      << stats.body;
  EXPECT_TRUE(absl::StrContains(stats.body, R"("/2/users/:id/tweets":4)"));
  // Nothing secret in the stats: no bearer token.
  EXPECT_FALSE(absl::StrContains(stats.body, token_));
}

TEST_F(V2RoutesTest, FaultsApplyToV2PathsAndPatterns) {
  FaultRule timeline_only;
  timeline_only.path_prefix = kTimelinePattern;
  timeline_only.status = 503;
  timeline_only.error_code = 130;
  timeline_only.error_message = "Over capacity";
  timeline_only.times = 1;
  emulator_->AddFault(timeline_only);
  EXPECT_EQ(V2("/2/users/by/username/perch_dev").status, 200);
  HttpResult faulted = V2(absl::StrCat(dev_, "/tweets"));
  EXPECT_EQ(faulted.status, 503);
  EXPECT_EQ(V2(absl::StrCat(dev_, "/tweets")).status, 200);

  FaultRule malformed;
  malformed.path_prefix = "/2/";
  malformed.malformed_body = true;
  malformed.times = 1;
  emulator_->AddFault(malformed);
  HttpResult cut = V2(dev_);
  EXPECT_EQ(cut.status, 200);
  EXPECT_FALSE(IsValidJson(cut.body));
  EXPECT_TRUE(IsValidJson(V2(dev_).body));
}

}  // namespace
}  // namespace perch::emulator::testing
