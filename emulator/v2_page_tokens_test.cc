// Page tokens decode to what they were minted from, look like the real
// ones of their endpoint (UPSTREAM-V2.md §1.2), and refuse to decode when
// altered or presented to another endpoint.
#include "emulator/v2_page_tokens.h"

#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "gtest/gtest.h"

namespace perch::emulator {
namespace {

constexpr TokenShape kShapes[] = {TokenShape::kTweets, TokenShape::kSearch,
                                  TokenShape::kFollowers, TokenShape::kInt64};

std::vector<PagePosition> Positions(TokenShape shape) {
  const bool offsets =
      shape == TokenShape::kFollowers || shape == TokenShape::kInt64;
  std::vector<PagePosition> out;
  for (uint64_t value : {uint64_t{0}, uint64_t{1}, uint64_t{99},
                         uint64_t{1796790808301888005}, MaxTokenValue(shape)}) {
    if (value > MaxTokenValue(shape)) continue;
    for (bool previous : {false, true}) {
      for (bool by_offset : {false, true}) {
        if (offsets && !by_offset) continue;
        out.push_back({previous, by_offset, value});
      }
    }
  }
  return out;
}

TEST(V2PageTokens, EveryPositionRoundTrips) {
  for (TokenShape shape : kShapes) {
    for (const PagePosition& p : Positions(shape)) {
      const std::string token = EncodePageToken(shape, p);
      std::optional<PagePosition> back = DecodePageToken(shape, token);
      ASSERT_TRUE(back.has_value()) << token;
      EXPECT_EQ(*back, p) << token;
    }
  }
}

TEST(V2PageTokens, ShapedLikeTheRealOnes) {
  std::set<std::string> seen;
  for (const PagePosition& p : Positions(TokenShape::kTweets)) {
    const std::string token = EncodePageToken(TokenShape::kTweets, p);
    EXPECT_EQ(token.size(), 45u);
    EXPECT_TRUE(absl::StartsWith(token, "7140dibdnow9c7btw")) << token;
    for (char c : token) {
      EXPECT_TRUE(absl::ascii_isdigit(c) || absl::ascii_islower(c)) << token;
    }
    seen.insert(token);
  }
  for (const PagePosition& p : Positions(TokenShape::kSearch)) {
    const std::string token = EncodePageToken(TokenShape::kSearch, p);
    EXPECT_EQ(token.size(), 45u);
    EXPECT_TRUE(absl::StartsWith(token, "b26v89c19zqg8o3f")) << token;
    seen.insert(token);
  }
  for (const PagePosition& p : Positions(TokenShape::kFollowers)) {
    const std::string token = EncodePageToken(TokenShape::kFollowers, p);
    EXPECT_EQ(token.size(), 16u);
    EXPECT_TRUE(absl::EndsWith(token, "1EZZZ")) << token;
    for (char c : token) {
      EXPECT_TRUE(absl::ascii_isdigit(c) || absl::ascii_isupper(c)) << token;
    }
    seen.insert(token);
  }
  for (const PagePosition& p : Positions(TokenShape::kInt64)) {
    const std::string token = EncodePageToken(TokenShape::kInt64, p);
    int64_t n = 0;
    EXPECT_TRUE(absl::SimpleAtoi(token, &n)) << token;
    EXPECT_GE(n, int64_t{1} << 62);
    EXPECT_EQ(token.size(), 19u);
    seen.insert(token);
  }
  // Distinct positions, distinct tokens.
  size_t positions = 0;
  for (TokenShape shape : kShapes) positions += Positions(shape).size();
  EXPECT_EQ(seen.size(), positions);
}

TEST(V2PageTokens, AlteredOrForeignTokensDoNotDecode) {
  const PagePosition p{false, false, 1796790808301888005};
  const std::string token = EncodePageToken(TokenShape::kTweets, p);
  EXPECT_FALSE(DecodePageToken(TokenShape::kSearch, token).has_value());
  EXPECT_FALSE(DecodePageToken(TokenShape::kFollowers, token).has_value());
  EXPECT_FALSE(DecodePageToken(TokenShape::kInt64, token).has_value());
  for (size_t i = 17; i < token.size(); ++i) {
    std::string altered = token;
    altered[i] = altered[i] == 'z' ? 'y' : 'z';
    EXPECT_FALSE(DecodePageToken(TokenShape::kTweets, altered).has_value())
        << altered;
  }
  EXPECT_FALSE(
      DecodePageToken(TokenShape::kTweets, token.substr(0, 44)).has_value());
  const std::string followers =
      EncodePageToken(TokenShape::kFollowers, {false, true, 20});
  std::string altered = followers;
  altered[3] = altered[3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(DecodePageToken(TokenShape::kFollowers, altered).has_value());
  for (const char* bad :
       {"", "-1", "4611686018427387903", "+4611686018427387904",
        "04611686018427387904", "9223372036854775807"}) {
    EXPECT_FALSE(DecodePageToken(TokenShape::kInt64, bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace perch::emulator
