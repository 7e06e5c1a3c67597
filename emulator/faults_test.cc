#include "emulator/faults.h"

#include "emulator/admin_routes.h"
#include "emulator/routes.h"
#include "gtest/gtest.h"

namespace perch::emulator {
namespace {

FaultRule StatusRule(absl::string_view prefix, int status) {
  FaultRule rule;
  rule.path_prefix = std::string(prefix);
  rule.status = status;
  return rule;
}

TEST(FaultInjector, MatchesByPathPrefix) {
  FaultInjector faults(1);
  faults.Add(StatusRule("/oauth2/", 503));
  EXPECT_TRUE(faults.Decide("/oauth2/token").outcome.has_value());
  EXPECT_FALSE(faults.Decide("/1.1/search/tweets.json").outcome.has_value());
  faults.Add(StatusRule("", 500));
  FaultDecision any = faults.Decide("/1.1/search/tweets.json");
  ASSERT_TRUE(any.outcome.has_value());
  EXPECT_EQ(any.outcome->status, 500);
}

TEST(FaultInjector, LatencySumsAndTheFirstOutcomeWins) {
  FaultInjector faults(1);
  FaultRule slow;
  slow.latency = absl::Milliseconds(100);
  faults.Add(slow);
  FaultRule first = StatusRule("", 503);
  first.latency = absl::Milliseconds(50);
  faults.Add(first);
  faults.Add(StatusRule("", 500));
  FaultDecision d = faults.Decide("/x");
  EXPECT_EQ(d.latency, absl::Milliseconds(150));
  ASSERT_TRUE(d.outcome.has_value());
  EXPECT_EQ(d.outcome->status, 503);
}

TEST(FaultInjector, TimesLimitsARuleToTheNextNRequests) {
  FaultInjector faults(1);
  FaultRule rule = StatusRule("", 503);
  rule.times = 2;
  faults.Add(rule);
  EXPECT_TRUE(faults.Decide("/a").outcome.has_value());
  EXPECT_TRUE(faults.Decide("/b").outcome.has_value());
  EXPECT_FALSE(faults.Decide("/c").outcome.has_value());
  EXPECT_EQ(faults.size(), 0u);
}

TEST(FaultInjector, ProbabilityIsSeededAndRoughlyHonoured) {
  auto run = [](uint64_t seed) {
    FaultInjector faults(seed);
    FaultRule rule = StatusRule("", 503);
    rule.probability = 0.3;
    faults.Add(rule);
    std::vector<bool> fired;
    for (int i = 0; i < 2000; ++i) {
      fired.push_back(faults.Decide("/x").outcome.has_value());
    }
    return fired;
  };
  std::vector<bool> a = run(5);
  EXPECT_EQ(a, run(5));
  EXPECT_NE(a, run(6));
  int hits = static_cast<int>(std::count(a.begin(), a.end(), true));
  EXPECT_GT(hits, 450);
  EXPECT_LT(hits, 750);
}

TEST(FaultInjector, ClearRemovesEveryRule) {
  FaultInjector faults(1);
  faults.Add(StatusRule("", 503));
  faults.Clear();
  EXPECT_FALSE(faults.Decide("/x").outcome.has_value());
}

TEST(ParseFaultRuleJson, ReadsEveryField) {
  absl::StatusOr<FaultRule> rule = ParseFaultRuleJson(
      R"({"path_prefix":"/1.1/","latency_ms":250,"probability":0.5,)"
      R"("status":503,"code":130,"message":"Over capacity","body":"<html>",)"
      R"("malformed":true,"drop":false,"token_type":"mac","times":3})");
  ASSERT_TRUE(rule.ok()) << rule.status();
  EXPECT_EQ(rule->path_prefix, "/1.1/");
  EXPECT_EQ(rule->latency, absl::Milliseconds(250));
  EXPECT_DOUBLE_EQ(rule->probability, 0.5);
  EXPECT_EQ(rule->status, 503);
  EXPECT_EQ(rule->error_code, 130);
  EXPECT_EQ(rule->error_message, "Over capacity");
  EXPECT_EQ(rule->body, "<html>");
  EXPECT_TRUE(rule->malformed_body);
  EXPECT_FALSE(rule->drop_connection);
  EXPECT_EQ(rule->token_type, "mac");
  EXPECT_EQ(rule->times, 3);
}

TEST(ParseFaultRuleJson, EmptyObjectIsANoOpRule) {
  absl::StatusOr<FaultRule> rule = ParseFaultRuleJson("{}");
  ASSERT_TRUE(rule.ok());
  EXPECT_FALSE(rule->has_outcome());
  EXPECT_EQ(rule->latency, absl::ZeroDuration());
}

TEST(ParseFaultRuleJson, RejectsBadInput) {
  for (const char* bad : {
           "",
           "[]",
           "{",
           R"({"stauts":503})",
           R"({"status":"503"})",
           R"({"status":42})",
           R"({"probability":1.5})",
           R"({"latency_ms":-1})",
           R"({"drop":1})",
           R"({"times":-2})",
           R"({"status":503} x)",
       }) {
    EXPECT_FALSE(ParseFaultRuleJson(bad).ok()) << bad;
  }
}

TEST(TruncateBody, CutsJsonShort) {
  EXPECT_EQ(TruncateBody("[]"), "[");
  EXPECT_EQ(TruncateBody(R"({"a":"bcdef"})"), R"({"a":")");
  EXPECT_EQ(TruncateBody(""), "{");
}

}  // namespace
}  // namespace perch::emulator
