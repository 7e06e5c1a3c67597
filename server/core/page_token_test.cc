#include "server/core/page_token.h"

#include "gtest/gtest.h"
#include "perch/v1/read_service.pb.h"
#include "server/common/errors.h"

namespace perch::core {
namespace {

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
  EXPECT_EQ(position.status().code(), absl::StatusCode::kInvalidArgument);
  auto bad = GetBadRequest(position.status());
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "page_token");
}

TEST(PageToken, GarbageIsInvalidArgument) {
  const std::string fp = RequestFingerprint(Search("cats"));
  for (const char* token : {"!!!", "cDEuYWJjLjQy", "", "p1..1"}) {
    EXPECT_EQ(DecodePageToken(token, fp).status().code(),
              absl::StatusCode::kInvalidArgument)
        << token;
  }
  // A position that is not a number is refused even with the right prefix.
  EXPECT_FALSE(DecodePageToken(EncodePageToken(fp, "12a"), fp).ok());
  // Nor one beyond uint64.
  EXPECT_FALSE(
      DecodePageToken(EncodePageToken(fp, "99999999999999999999"), fp).ok());
}

}  // namespace
}  // namespace perch::core
