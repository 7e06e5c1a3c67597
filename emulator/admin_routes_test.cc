// The /_emulator/ control endpoints over real HTTP, and the rule that they
// are neither counted nor faulted.
#include "emulator/admin_routes.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "emulator/emulator_test_support.h"
#include "gtest/gtest.h"

namespace perch::emulator::testing {
namespace {

using AdminRoutesTest = StartedEmulatorTest;

TEST_F(AdminRoutesTest, PostedFaultRuleApplies) {
  HttpResult added =
      Call("POST", "/_emulator/faults", {"Content-Type: application/json"},
           R"({"path_prefix":"/oauth2/","status":500,"code":131,)"
           R"("message":"Internal error","times":1})");
  EXPECT_EQ(added.status, 200);
  EXPECT_EQ(added.body, R"({"faults":1})");
  HttpResult faulted = PostToken();
  EXPECT_EQ(faulted.status, 500);
  EXPECT_EQ(faulted.body,
            R"({"errors":[{"code":131,"message":"Internal error"}]})");
  EXPECT_EQ(PostToken().status, 200);  // times: 1
}

TEST_F(AdminRoutesTest, PostedLatencyAndDrop) {
  EXPECT_EQ(Call("POST", "/_emulator/faults", {},
                 R"({"latency_ms":200,"drop":true,"times":1})")
                .status,
            200);
  HttpResult dropped = PostToken();
  EXPECT_EQ(dropped.curl_code, CURLE_GOT_NOTHING);
  EXPECT_GE(dropped.elapsed, absl::Milliseconds(180));
}

TEST_F(AdminRoutesTest, DeleteClearsFaults) {
  Call("POST", "/_emulator/faults", {}, R"({"status":503})");
  EXPECT_EQ(PostToken().status, 503);
  HttpResult cleared = Call("DELETE", "/_emulator/faults");
  EXPECT_EQ(cleared.status, 200);
  EXPECT_EQ(cleared.body, R"({"faults":0})");
  EXPECT_EQ(PostToken().status, 200);
}

TEST_F(AdminRoutesTest, BadRulesAre400) {
  for (const char* body :
       {"", "not json", R"({"stauts":503})", R"({"probability":7})"}) {
    HttpResult result = Call("POST", "/_emulator/faults", {}, body);
    EXPECT_EQ(result.status, 400) << body;
    EXPECT_TRUE(absl::StartsWith(result.body, R"({"error":")")) << body;
  }
  EXPECT_EQ(PostToken().status, 200);  // nothing was added
}

TEST_F(AdminRoutesTest, RevokeInvalidatesTheToken) {
  std::string token = ObtainToken();
  HttpResult revoked = Call("POST", "/_emulator/revoke");
  EXPECT_EQ(revoked.status, 200);
  EXPECT_EQ(GetWithBearer(kUserTimeline, token).status, 401);
  EXPECT_FALSE(ObtainToken() == token) << "revoked token was issued again";
}

TEST_F(AdminRoutesTest, StatsCountRequestsButNotAdminOnes) {
  ObtainToken();
  ObtainToken();
  Call("GET", kUserTimeline);
  HttpResult stats = Call("GET", "/_emulator/stats");
  EXPECT_EQ(stats.status, 200);
  EXPECT_TRUE(IsValidJson(stats.body)) << stats.body;
  EXPECT_EQ(stats.body, R"({"requests":{"/1.1/statuses/user_timeline.json":1,)"
                        R"("/oauth2/token":2},"tokens_issued":1,"revocations":0,)"
                        R"("faults":0,"apps":[{"tokens_issued":1,"token_uses":0}]})");
  EXPECT_EQ(emulator_->RequestCount("/_emulator/stats"), 0);
  EXPECT_EQ(emulator_->RequestCounts().size(), 2u);
}

TEST_F(AdminRoutesTest, AdminIsNeverFaulted) {
  FaultRule drop_everything;
  drop_everything.drop_connection = true;
  emulator_->AddFault(drop_everything);
  EXPECT_EQ(Call("GET", "/_emulator/stats").status, 200);
  EXPECT_EQ(Call("DELETE", "/_emulator/faults").status, 200);
  EXPECT_EQ(PostToken().status, 200);
}

TEST_F(AdminRoutesTest, RateLimitOverrideAndReset) {
  std::string token = ObtainToken();
  HttpResult set =
      Call("POST", "/_emulator/rate_limits", {},
           absl::StrCat(R"({"path":")", kUserTimeline, R"(","limit":1})"));
  EXPECT_EQ(set.status, 200);
  EXPECT_EQ(GetWithBearer(kDevTimeline, token).status, 200);
  EXPECT_EQ(GetWithBearer(kDevTimeline, token).status, 429);
  EXPECT_EQ(Call("POST", "/_emulator/reset").status, 200);
  EXPECT_EQ(emulator_->RequestCount(kUserTimeline), 0);
  EXPECT_EQ(GetWithBearer(kDevTimeline, token).status, 200);
  EXPECT_EQ(Call("POST", "/_emulator/rate_limits", {}, R"({"limit":1})").status,
            400);
}

TEST_F(AdminRoutesTest, UnknownAdminPathIs404) {
  EXPECT_EQ(Call("GET", "/_emulator/nope").status, 404);
  EXPECT_EQ(Call("GET", "/_emulator/faults").status, 404);
}

}  // namespace
}  // namespace perch::emulator::testing
