#include "emulator/token_authority.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

// Tokens are compared with == inside EXPECT_TRUE so that a failure never
// prints one.

namespace perch::emulator {
namespace {

TEST(TokenAuthority, SameTokenUntilRevokedThenANewOne) {
  TokenAuthority tokens(7);
  std::string first = tokens.IssueOrGet();
  EXPECT_TRUE(tokens.IssueOrGet() == first);
  EXPECT_TRUE(tokens.IsCurrent(first));
  tokens.Revoke();
  EXPECT_FALSE(tokens.IsCurrent(first));
  std::string second = tokens.IssueOrGet();
  EXPECT_FALSE(second == first);
  EXPECT_TRUE(tokens.IsCurrent(second));
  EXPECT_EQ(tokens.tokens_issued(), 2);
}

TEST(TokenAuthority, InvalidateIfCurrentOnlyMatchesTheLiveToken) {
  TokenAuthority tokens(7);
  EXPECT_FALSE(tokens.InvalidateIfCurrent("anything"));  // none issued yet
  std::string token = tokens.IssueOrGet();
  EXPECT_FALSE(tokens.InvalidateIfCurrent(token + "x"));
  EXPECT_TRUE(tokens.IsCurrent(token));
  EXPECT_TRUE(tokens.InvalidateIfCurrent(token));
  EXPECT_FALSE(tokens.InvalidateIfCurrent(token));  // already revoked
}

TEST(TokenAuthority, EachAppHasTokensOfItsOwnAndUsesAreCounted) {
  TokenAuthority tokens(7, 2);
  std::string first = tokens.IssueOrGet(0);
  std::string second = tokens.IssueOrGet(1);
  EXPECT_FALSE(first == second);
  EXPECT_TRUE(TokenAuthority(7).IssueOrGet() == first);  // app 0: unchanged
  EXPECT_TRUE(tokens.IsCurrent(first));
  EXPECT_TRUE(tokens.IsCurrent(second));
  EXPECT_TRUE(tokens.IsCurrent(second));
  // An app invalidates its own token only.
  EXPECT_FALSE(tokens.InvalidateIfCurrent(second, 0));
  EXPECT_TRUE(tokens.InvalidateIfCurrent(second, 1));
  EXPECT_FALSE(tokens.IsCurrent(second));
  EXPECT_TRUE(tokens.IsCurrent(first));
  EXPECT_EQ(tokens.tokens_issued(), 2);
  const std::vector<TokenAuthority::AppStats> stats = tokens.app_stats();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].tokens_issued, 1);
  EXPECT_EQ(stats[0].token_uses, 2);
  EXPECT_EQ(stats[1].tokens_issued, 1);
  EXPECT_EQ(stats[1].token_uses, 2);
}

TEST(MakeToken, LooksLikeTheUpstreamsAndIsDeterministic) {
  for (uint64_t seed : {0ULL, 1ULL, 42ULL}) {
    for (int64_t generation = 0; generation < 50; ++generation) {
      std::string token = MakeToken(seed, generation);
      EXPECT_TRUE(absl::StartsWith(token, "AAAAAAAAAAAAAAAAAAAAA"));
      EXPECT_TRUE(absl::StrContains(token, "%2F"));
      EXPECT_TRUE(absl::StrContains(token, "%3D"));
      EXPECT_GE(token.size(), 100u);
      EXPECT_TRUE(token == MakeToken(seed, generation));
      EXPECT_FALSE(token == MakeToken(seed, generation + 1));
    }
  }
  EXPECT_FALSE(MakeToken(1, 0) == MakeToken(2, 0));
}

}  // namespace
}  // namespace perch::emulator
