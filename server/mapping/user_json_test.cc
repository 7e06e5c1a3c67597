#include "server/mapping/user_json.h"

#include <string>

#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "server/mapping/testing/recorded_body.h"

namespace perch::mapping {
namespace {

using ::perch::mapping::testing::ReadRecordedBody;
using ::perch::v1::User;

absl::StatusOr<User> ParseRecorded(absl::string_view name) {
  absl::StatusOr<std::string> body = ReadRecordedBody(name);
  if (!body.ok()) return body.status();
  return ParseUser(*body);
}

// users/show.json?screen_name=Twitter and ?user_id=783214 (2021-02-10).
// Each body embeds the user's latest "status", which a User ignores.
TEST(ParseUser, RecordedUsersShowOfTwitter) {
  for (const char* name : {"testgetuser.0.json", "testgetuser.1.json",
                           "testcachedresult.1.json"}) {
    absl::StatusOr<User> user = ParseRecorded(name);
    ASSERT_TRUE(user.ok()) << name << ": " << user.status();
    EXPECT_EQ(user->id(), "783214") << name;
    EXPECT_EQ(user->screen_name(), "Twitter");
    EXPECT_EQ(user->name(), "Twitter");
    EXPECT_EQ(user->description(), "What's happening?!");
    EXPECT_EQ(user->location(), "everywhere");
    EXPECT_EQ(user->url(), "https://t.co/TAXQpsHa5X");
    EXPECT_EQ(user->created_at().seconds(), 1171982154);
    EXPECT_EQ(user->following_count(), 0);
    EXPECT_EQ(user->tweet_count(), 14045);
    EXPECT_TRUE(user->verified());
    EXPECT_FALSE(user->protected_());
    EXPECT_EQ(user->profile_image_url(),
              "https://pbs.twimg.com/profile_images/1354479643882004483/"
              "Btnfm47p_normal.jpg");
  }
  absl::StatusOr<User> by_name = ParseRecorded("testgetuser.0.json");
  absl::StatusOr<User> by_id = ParseRecorded("testgetuser.1.json");
  ASSERT_TRUE(by_name.ok() && by_id.ok());
  EXPECT_EQ(by_name->followers_count(), 59112688);
  EXPECT_EQ(by_name->listed_count(), 87117);
  EXPECT_EQ(by_id->followers_count(), 59112521);
  EXPECT_EQ(by_id->listed_count(), 87113);
}

// users/show.json?screen_name=TweepyDev, twice (2021 and 2019).
TEST(ParseUser, RecordedUsersShowOfTestAccount) {
  absl::StatusOr<User> later = ParseRecorded("testcachedresult.0.json");
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->id(), "1072250532645998596");
  EXPECT_EQ(later->screen_name(), "TweepyDev");
  EXPECT_EQ(later->name(), "Tweepy Testing");
  EXPECT_EQ(later->description(), "Account used to test Tweepy");
  EXPECT_EQ(later->location(), "");
  EXPECT_EQ(later->url(), "https://t.co/XRfax6xExn");
  EXPECT_EQ(later->created_at().seconds(), 1544479423);
  EXPECT_EQ(later->followers_count(), 2);
  EXPECT_EQ(later->following_count(), 7);
  EXPECT_EQ(later->tweet_count(), 5);
  EXPECT_FALSE(later->verified());

  absl::StatusOr<User> earlier = ParseRecorded("testme.1.json");
  ASSERT_TRUE(earlier.ok()) << earlier.status();
  EXPECT_EQ(earlier->id(), "1072250532645998596");
  EXPECT_EQ(earlier->followers_count(), 1);
  EXPECT_EQ(earlier->tweet_count(), 10);
  EXPECT_EQ(earlier->profile_image_url(),
            "https://abs.twimg.com/sticky/default_profile_images/"
            "default_profile_normal.png");
}

TEST(ParseUser, RejectsMissingIdAndWrongTypes) {
  for (const char* body : {
           R"({"id":783214,"screen_name":"Twitter"})",
           R"({"id_str":783214})",
           R"({"id_str":"78a"})",
           R"({"id_str":"783214","followers_count":"many"})",
           R"({"id_str":"783214","verified":"yes"})",
           R"({"id_str":"783214","created_at":"Tue Feb 20 14:35:54 2007"})",
           R"([{"id_str":"783214"}])",
       }) {
    absl::StatusOr<User> user = ParseUser(body);
    ASSERT_FALSE(user.ok()) << body;
    EXPECT_EQ(ErrorReason(user.status()), "UPSTREAM_MALFORMED_RESPONSE");
  }
}

}  // namespace
}  // namespace perch::mapping
