#include "server/mapping/created_at.h"

#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "tests/testing/status_matchers.h"

namespace perch::mapping {
namespace {

using ::perch::testing::StatusIs;

struct Known {
  const char* text;
  int64_t unix_seconds;
};

// Values as they appear in the recordings (and the example in UPSTREAM.md).
// The seconds were computed independently (Python's strptime).
constexpr Known kKnown[] = {
    {"Wed Oct 10 20:19:24 +0000 2018", 1539202764},  // UPSTREAM.md
    // testusertimeline.1.json [0].created_at
    {"Wed Dec 23 17:12:08 +0000 2020", 1608743528},
    // @Twitter's user.created_at (many bodies)
    {"Tue Feb 20 14:35:54 +0000 2007", 1171982154},
    // testusertimeline.0.json [0].created_at
    {"Sat Jul 13 05:33:14 +0000 2019", 1562995994},
    // testgetlist.0.json created_at
    {"Tue Feb 05 18:14:21 +0000 2013", 1360088061},
    // testcursornext.0.json [4].created_at (zero-padded day)
    {"Fri May 07 17:54:39 +0000 2021", 1620410079},
    // Not recorded: the weekdays above leave out Mon, Thu and Sun.
    {"Mon Oct 08 09:30:00 +0000 2018", 1538991000},
    {"Thu Oct 11 23:59:59 +0000 2018", 1539302399},
    {"Sun Oct 14 00:00:00 +0000 2018", 1539475200},
};

TEST(ParseCreatedAt, ParsesRecordedValuesToExactUnixSeconds) {
  for (const Known& known : kKnown) {
    absl::StatusOr<absl::Time> time = ParseCreatedAt(known.text);
    ASSERT_TRUE(time.ok()) << known.text << ": " << time.status();
    EXPECT_EQ(absl::ToUnixSeconds(*time), known.unix_seconds) << known.text;
  }
}

TEST(ParseCreatedAt, AppliesNonZeroOffsets) {
  // 20:19:24 at +0130 is 18:49:24 UTC; at -0500 it is 01:19:24 UTC next day.
  absl::StatusOr<absl::Time> ahead =
      ParseCreatedAt("Wed Oct 10 20:19:24 +0130 2018");
  ASSERT_TRUE(ahead.ok()) << ahead.status();
  EXPECT_EQ(absl::ToUnixSeconds(*ahead), 1539202764 - 90 * 60);
  absl::StatusOr<absl::Time> behind =
      ParseCreatedAt("Wed Oct 10 20:19:24 -0500 2018");
  ASSERT_TRUE(behind.ok()) << behind.status();
  EXPECT_EQ(absl::ToUnixSeconds(*behind), 1539202764 + 5 * 3600);
}

TEST(ParseCreatedAt, AcceptsLeapDay) {
  absl::StatusOr<absl::Time> time =
      ParseCreatedAt("Sat Feb 29 00:00:00 +0000 2020");
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(absl::ToUnixSeconds(*time), 1582934400);
}

TEST(ParseCreatedAt, RejectsMalformedTextWithoutEchoingIt) {
  const char* const kBad[] = {
      "",
      "garbage",
      "Wed Foo 10 20:19:24 +0000 2018",      // unknown month
      "Wed oct 10 20:19:24 +0000 2018",      // month case
      "Wed October 10 20:19:24 +0000 2018",  // long month name
      "Wed Oct 10 20:19:24 +0000",           // no year
      "Wed Oct 10 20:19 +0000 2018",         // no seconds
      "Oct 10 20:19:24 +0000 2018",          // no weekday
      "Wed Oct 10 20:19:24 2018",            // no offset
      "Wed Oct 10 20:19:24 +0000 2018 ",     // trailing space
      " Wed Oct 10 20:19:24 +0000 2018",     // leading space
      "Wed Oct  1 20:19:24 +0000 2018",      // space-padded day
      "Wed Oct 10 24:00:00 +0000 2018",      // hour out of range
      "Wed Oct 10 20:60:24 +0000 2018",      // minute out of range
      "Wed Oct 10 20:19:61 +0000 2018",      // second out of range
      "Wed Oct 32 20:19:24 +0000 2018",      // no such day
      "Fri Feb 29 20:19:24 +0000 2019",      // not a leap year
      "Thu Oct 10 20:19:24 +0000 2018",      // weekday disagrees with date
      "Wed Oct 10 20:19:24 *0000 2018",      // bad offset sign
      "Wed Oct 10 20:19:24 +00x0 2018",      // bad offset digits
      "Wed Oct 10 20:19:24 +0060 2018",      // offset minutes out of range
      "Wed Oct 1x 20:19:24 +0000 2018",      // non-digit day
      "2018-10-10T20:19:24Z",                // another layout
  };
  for (const char* text : kBad) {
    absl::StatusOr<absl::Time> time = ParseCreatedAt(text);
    ASSERT_FALSE(time.ok()) << '"' << text << '"';
    EXPECT_THAT(time, StatusIs(absl::StatusCode::kInternal));
    EXPECT_EQ(ErrorReason(time.status()), "UPSTREAM_MALFORMED_RESPONSE");
    if (*text != '\0') {
      EXPECT_EQ(time.status().message().find(text), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace perch::mapping
