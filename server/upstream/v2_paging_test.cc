#include "server/upstream/v2_paging.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "tests/testing/field_violations.h"
#include "tests/testing/status_matchers.h"

namespace perch::upstream {
namespace {

using ::perch::testing::IsInvalidArgumentOn;
using ::perch::testing::StatusIs;

bool InPositionAlphabet(absl::string_view text) {
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '_' || c == '=' ||
                    c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void ExpectRoundTrip(const V2Position& in) {
  absl::StatusOr<std::string> text = EncodeV2Position(in);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_FALSE(text->empty());
  EXPECT_LE(text->size(), 200u);
  EXPECT_TRUE(InPositionAlphabet(*text)) << *text;
  absl::StatusOr<V2Position> out = DecodeV2Position(*text);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->token, in.token);
  EXPECT_EQ(out->until_id, in.until_id);
  EXPECT_EQ(out->skip, in.skip);
}

TEST(V2Position, RealTokenShapesRoundTripInThePositionAlphabet) {
  // Timeline/search, followers and list-members tokens (UPSTREAM-V2.md 1.2).
  ExpectRoundTrip({"7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peex", "", 0});
  ExpectRoundTrip({"5CS0O0C6II61EZZZ", "", 0});
  ExpectRoundTrip({"4611686018799963893", "", 0});
  ExpectRoundTrip({"", "1577730467436138524", 0});
  ExpectRoundTrip({"b26v89c19zqg8o3fpzbn1e0ffhxjiofzw6po136rvbnul",
                   "1577730467436138524", 0});
  ExpectRoundTrip({"b26v89c19zqg8o3fpzbn1e0ffhxjiofzw6po136rvbnul", "", 30});
  ExpectRoundTrip({"", "", 3});
  // A future token with characters outside the alphabet still fits.
  ExpectRoundTrip({"a.b/c+d=e f:g", "", 0});
}

TEST(V2Position, FirstPageIsEmptyBothWays) {
  EXPECT_EQ(*EncodeV2Position({}), "");
  absl::StatusOr<V2Position> first = DecodeV2Position("");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->token, "");
  EXPECT_EQ(first->until_id, "");
  EXPECT_EQ(first->skip, 0);
}

TEST(V2Position, TooLongATokenIsTheUpstreamsFault) {
  absl::StatusOr<std::string> text =
      EncodeV2Position({std::string(150, 'x'), "", 0});
  EXPECT_THAT(text.status(), StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(ErrorReason(text.status()), "UPSTREAM_MALFORMED_RESPONSE");
}

TEST(V2Position, ForeignPositionsAreInvalidPageTokens) {
  for (absl::string_view text :
       {"x", "::", "1:2", "1:2:3:4", "abc::", "12345678901234567890::", ":0:",
        ":x:", ":1234567:", "::!!", "1..2::"}) {
    absl::StatusOr<V2Position> position = DecodeV2Position(text);
    EXPECT_THAT(position.status(), IsInvalidArgumentOn({"page_token"})) << text;
  }
}

TEST(AskFor, ClampsToTheEndpointRange) {
  EXPECT_EQ(AskFor(3, 5, 100), 5);
  EXPECT_EQ(AskFor(20, 5, 100), 20);
  EXPECT_EQ(AskFor(200, 5, 100), 100);
}

std::vector<std::string> Ids(int from, int to) {  // descending, inclusive
  std::vector<std::string> ids;
  for (int id = from; id >= to; --id) ids.push_back(std::to_string(id));
  return ids;
}

absl::string_view Self(const std::string& id) { return id; }

TEST(CutPage, BelowTheMinimumResumesAfterTheLastReturnedId) {
  std::vector<std::string> items = Ids(110, 101);  // 10 asked for 3
  absl::StatusOr<std::string> next =
      CutPage(items, V2Position{}, 3, "tok", /*resume_by_id=*/true, Self);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(items, Ids(110, 108));
  absl::StatusOr<V2Position> at = DecodeV2Position(*next);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->until_id, "108");
  EXPECT_EQ(at->token, "");  // the token continues a query that was cut
  EXPECT_EQ(at->skip, 0);
}

TEST(CutPage, AllFitContinuesWithTheTokenInTheSameUntilQuery) {
  std::vector<std::string> items = Ids(107, 103);
  V2Position at;
  at.until_id = "108";
  absl::StatusOr<std::string> next = CutPage(items, at, 5, "tok", true, Self);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(items.size(), 5u);
  absl::StatusOr<V2Position> following = DecodeV2Position(*next);
  EXPECT_EQ(following->until_id, "108");
  EXPECT_EQ(following->token, "tok");
}

TEST(CutPage, LastPageIsEmptyPosition) {
  std::vector<std::string> items = Ids(3, 1);
  EXPECT_EQ(*CutPage(items, V2Position{}, 5, "", true, Self), "");
  std::vector<std::string> none;
  EXPECT_EQ(*CutPage(none, V2Position{}, 5, "", true, Self), "");
}

TEST(CutPage, NotInIdOrderSkipsWhatWasReturnedOnTheSamePage) {
  // Relevancy order: ids are not descending.
  const std::vector<std::string> upstream = {"5", "9", "1", "7", "3",
                                             "8", "2", "6", "4", "10"};
  V2Position at;
  at.token = "p2";
  std::vector<std::string> seen;
  for (int round = 0; round < 10; ++round) {
    std::vector<std::string> items = upstream;
    absl::StatusOr<std::string> next =
        CutPage(items, at, 4, "p3", /*resume_by_id=*/false, Self);
    ASSERT_TRUE(next.ok());
    seen.insert(seen.end(), items.begin(), items.end());
    absl::StatusOr<V2Position> following = DecodeV2Position(*next);
    ASSERT_TRUE(following.ok());
    at = *following;
    if (at.token == "p3") break;
    EXPECT_EQ(at.token, "p2");  // the same upstream page again
  }
  EXPECT_EQ(seen, upstream);  // every item once, in order
  EXPECT_EQ(at.skip, 0);
}

TEST(FirstIdOfDay, BoundsTheDaysSnowflakes) {
  // 1577730467436138524 was created 2022-10-05T18:40:30.908Z.
  absl::StatusOr<std::string> day = FirstIdOfDay("2022-10-05");
  absl::StatusOr<std::string> next_day = FirstIdOfDay("2022-10-06");
  ASSERT_TRUE(day.ok());
  ASSERT_TRUE(next_day.ok());
  uint64_t first = 0, next_first = 0;
  ASSERT_TRUE(absl::SimpleAtoi(*day, &first));
  ASSERT_TRUE(absl::SimpleAtoi(*next_day, &next_first));
  EXPECT_EQ(first, 1577448480568246272u);
  EXPECT_LE(first, 1577730467436138524u);
  EXPECT_GT(next_first, 1577730467436138524u);
  EXPECT_THAT(FirstIdOfDay("2022-13-01").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace perch::upstream
