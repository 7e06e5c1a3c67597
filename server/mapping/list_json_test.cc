#include "server/mapping/list_json.h"

#include <string>

#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "server/mapping/testing/recorded_body.h"
#include "tests/testing/status_matchers.h"

namespace perch::mapping {
namespace {

using ::perch::mapping::testing::ParseFixture;
using ::perch::mapping::testing::ReadRecordedBody;
using ::perch::v1::TwitterList;

// lists/show.json?owner_screen_name=Twitter&slug=Official-Twitter-Accounts
TEST(ParseTwitterList, RecordedListShow) {
  absl::StatusOr<TwitterList> list =
      ParseFixture(ReadRecordedBody("testgetlist.0.json"), ParseTwitterList);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->id(), "84839422");
  EXPECT_EQ(list->name(), "Official Twitter Accounts");
  EXPECT_EQ(list->slug(), "official-twitter-accounts");
  EXPECT_EQ(list->full_name(), "@Twitter/official-twitter-accounts");
  EXPECT_EQ(list->description(), "Accounts managed by Twitter, Inc.");
  EXPECT_EQ(list->mode(), TwitterList::MODE_PUBLIC);
  EXPECT_EQ(list->member_count(), 130);
  EXPECT_EQ(list->subscriber_count(), 763);
  EXPECT_EQ(list->created_at().seconds(), 1360088061);  // Feb 05 2013
  const perch::v1::User& owner = list->owner();
  EXPECT_EQ(owner.id(), "783214");
  EXPECT_EQ(owner.screen_name(), "Twitter");
  EXPECT_EQ(owner.location(), "Everywhere");
  EXPECT_EQ(owner.followers_count(), 56335782);
  EXPECT_EQ(owner.following_count(), 140);
  EXPECT_EQ(owner.listed_count(), 90877);
  EXPECT_EQ(owner.tweet_count(), 10829);
  EXPECT_EQ(owner.created_at().seconds(), 1171982154);
  EXPECT_TRUE(owner.verified());
}

TEST(ParseTwitterList, PrivateAndUnknownModes) {
  absl::StatusOr<TwitterList> priv =
      ParseTwitterList(R"({"id_str":"1","mode":"private"})");
  ASSERT_TRUE(priv.ok()) << priv.status();
  EXPECT_EQ(priv->mode(), TwitterList::MODE_PRIVATE);
  absl::StatusOr<TwitterList> other =
      ParseTwitterList(R"({"mode":"secret","id_str":"2"})");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->mode(), TwitterList::MODE_UNSPECIFIED);
}

TEST(ParseTwitterList, RejectsWrongShapes) {
  for (const char* body : {
           R"([{"id_str":"84839422"}])",
           R"({"id":84839422,"name":"no id_str"})",
           R"({"id_str":"84839422","created_at":"yesterday"})",
           R"({"id_str":"84839422","user":{"screen_name":"no id"}})",
           R"({"id_str":"84839422","member_count":"130"})",
       }) {
    absl::StatusOr<TwitterList> list = ParseTwitterList(body);
    ASSERT_FALSE(list.ok()) << body;
    EXPECT_THAT(list, ::perch::testing::StatusIs(absl::StatusCode::kInternal));
    EXPECT_EQ(ErrorReason(list.status()), "UPSTREAM_MALFORMED_RESPONSE");
  }
}

}  // namespace
}  // namespace perch::mapping
