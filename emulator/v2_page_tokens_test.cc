// Page tokens decode to what they were minted from, look like the real
// ones of their endpoint (UPSTREAM-V2.md §1.2), and refuse to decode when
// altered or presented to another endpoint.
#include "emulator/v2_page_tokens.h"

#include <set>
#include <string>

#include "absl/algorithm/container.h"
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

bool DigitsOrLower(absl::string_view token) {
  return absl::c_all_of(token, [](char c) {
    return absl::ascii_isdigit(c) || absl::ascii_islower(c);
  });
}

bool DigitsOrUpper(absl::string_view token) {
  return absl::c_all_of(token, [](char c) {
    return absl::ascii_isdigit(c) || absl::ascii_isupper(c);
  });
}

// What the real tokens of each shape look like: their length, and their
// fixed part and alphabet.
struct RealLook {
  TokenShape shape;
  size_t size;
  bool (*fits)(absl::string_view token);
};

constexpr RealLook kRealLooks[] = {
    {TokenShape::kTweets, 45,
     [](absl::string_view t) {
       return absl::StartsWith(t, "7140dibdnow9c7btw") && DigitsOrLower(t);
     }},
    {TokenShape::kSearch, 45,
     [](absl::string_view t) {
       return absl::StartsWith(t, "b26v89c19zqg8o3f");
     }},
    {TokenShape::kFollowers, 16,
     [](absl::string_view t) {
       return absl::EndsWith(t, "1EZZZ") && DigitsOrUpper(t);
     }},
    {TokenShape::kInt64, 19,
     [](absl::string_view t) {
       int64_t n = 0;
       return absl::SimpleAtoi(t, &n) && n >= int64_t{1} << 62;
     }},
};

TEST(V2PageTokens, ShapedLikeTheRealOnes) {
  std::set<std::string> seen;
  for (const RealLook& look : kRealLooks) {
    for (const PagePosition& p : Positions(look.shape)) {
      const std::string token = EncodePageToken(look.shape, p);
      EXPECT_EQ(token.size(), look.size) << token;
      EXPECT_TRUE(look.fits(token)) << token;
      seen.insert(token);
    }
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
