#include "server/core/page_token.h"

#include "gtest/gtest.h"
#include "perch/v1/read_service.pb.h"
#include "server/common/errors.h"
#include "tests/testing/field_violations.h"
#include "tests/testing/status_matchers.h"

namespace perch::core {
namespace {

using ::perch::testing::IsInvalidArgumentOn;
using ::perch::testing::StatusIs;

v1::SearchRequest Search(std::string query) {
  v1::SearchRequest r;
  r.set_query(std::move(query));
  r.set_lang("en");
  return r;
}

TEST(PageToken, RoundTripsThePosition) {
  const std::string fp = RequestFingerprint(Search("cats"));
  auto position =
      DecodePageToken(EncodePageToken(fp, "1149557488447975428"), fp);
  ASSERT_TRUE(position.ok()) << position.status();
  EXPECT_EQ(*position, "1149557488447975428");
}

TEST(PageToken, FingerprintIgnoresPageSizeAndTokenButNotTheQuery) {
  v1::SearchRequest a = Search("cats");
  v1::SearchRequest b = a;
  b.set_page_size(77);
  b.set_page_token("whatever");
  EXPECT_EQ(RequestFingerprint(a), RequestFingerprint(b));
  EXPECT_NE(RequestFingerprint(a), RequestFingerprint(Search("dogs")));
}

TEST(PageToken, TokenReplayedWithAnotherQueryIsInvalidArgument) {
  const std::string token =
      EncodePageToken(RequestFingerprint(Search("cats")), "42");
  auto position = DecodePageToken(token, RequestFingerprint(Search("dogs")));
  EXPECT_THAT(position.status(), IsInvalidArgumentOn({"page_token"}));
}

TEST(PageToken, GarbageIsInvalidArgument) {
  const std::string fp = RequestFingerprint(Search("cats"));
  for (const char* token : {"!!!", "cDEuYWJjLjQy", "", "p1..1"}) {
    EXPECT_THAT(DecodePageToken(token, fp).status(),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << token;
  }
}

// Positions are opaque to core: a v1.1 max_id or cursor, a v2 next_token,
// a dialect's own composite; any of [A-Za-z0-9_=:-] round-trips.
TEST(PageToken, AnyOpaquePositionOfTheAllowedAlphabetRoundTrips) {
  const std::string fp = RequestFingerprint(Search("cats"));
  const std::string longest(kMaxPagePositionChars, 'z');
  for (const std::string& position :
       {std::string("1149557488447975428"), std::string("-1"),
        std::string("7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i"),
        std::string("u:2244994945:b26v89c19zqg8o3fpzbkk7lhaxgl4"),
        std::string("QURBRkFBR0FBQT0_-=="), longest}) {
    auto decoded = DecodePageToken(EncodePageToken(fp, position), fp);
    ASSERT_TRUE(decoded.ok()) << position << ": " << decoded.status();
    EXPECT_EQ(*decoded, position);
  }
}

// A token is only base64: a caller can forge one with the right fingerprint.
// What it carries must still be a position a dialect could have minted.
TEST(PageToken, ForgedPositionsOutsideTheAlphabetOrTooLongAreRefused) {
  const std::string fp = RequestFingerprint(Search("cats"));
  for (const std::string& position :
       {std::string("12.5"), std::string("a b"), std::string("a/b"),
        std::string("a+b"), std::string("a&max_id=1"),
        std::string("caf\xc3\xa9"),
        std::string(kMaxPagePositionChars + 1, 'z')}) {
    auto decoded = DecodePageToken(EncodePageToken(fp, position), fp);
    EXPECT_THAT(decoded.status(), IsInvalidArgumentOn({"page_token"}))
        << position;
  }
}

TEST(PageToken, IsPagePositionStatesTheAlphabet) {
  EXPECT_TRUE(IsPagePosition("aZ09_=:-"));
  EXPECT_FALSE(IsPagePosition(""));
  EXPECT_FALSE(IsPagePosition("."));
  EXPECT_FALSE(IsPagePosition("%2C"));
  EXPECT_TRUE(IsPagePosition(std::string(kMaxPagePositionChars, '1')));
  EXPECT_FALSE(IsPagePosition(std::string(kMaxPagePositionChars + 1, '1')));
}

}  // namespace
}  // namespace perch::core
