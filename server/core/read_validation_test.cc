#include "server/core/read_validation.h"

#include "gtest/gtest.h"
#include "tests/testing/field_violations.h"
#include "tests/testing/status_matchers.h"

namespace perch::core {
namespace {

using ::perch::testing::HasFieldViolations;
using ::perch::testing::StatusIs;
using ::testing::AllOf;
using ::testing::SizeIs;

// Whether `check` (one of the Check* functions) accepts the value in
// `args` (after its field name or before its limit, as the check takes
// them): true when it adds no violation.
template <typename Check, typename... Args>
bool Accepts(Check check, const Args&... args) {
  Violations v;
  check(args..., v);
  return v.empty();
}

TEST(ReadValidation, ScreenName) {
  EXPECT_TRUE(Accepts(CheckScreenName, "screen_name", "jack"));
  EXPECT_TRUE(Accepts(CheckScreenName, "screen_name", "A_1"));
  EXPECT_TRUE(Accepts(CheckScreenName, "screen_name", "fifteen_chars_x"));
  EXPECT_FALSE(Accepts(CheckScreenName, "screen_name", ""));
  EXPECT_FALSE(Accepts(CheckScreenName, "screen_name", "sixteen_chars_xx"));
  EXPECT_FALSE(Accepts(CheckScreenName, "screen_name", "@jack"));
  EXPECT_FALSE(Accepts(CheckScreenName, "screen_name", "ja ck"));
  EXPECT_FALSE(Accepts(CheckScreenName, "screen_name", "j\xC3\xA9"));
}

TEST(ReadValidation, Id) {
  EXPECT_TRUE(Accepts(CheckId, "user_id", "783214"));
  EXPECT_TRUE(Accepts(CheckId, "user_id", "9223372036854775807"));
  EXPECT_FALSE(Accepts(CheckId, "user_id", "9223372036854775808"));
  // A uint64, but not an X id.
  EXPECT_FALSE(Accepts(CheckId, "user_id", "18446744073709551615"));
  // 20 digits.
  EXPECT_FALSE(Accepts(CheckId, "user_id", "00000000000000000001"));
  EXPECT_FALSE(Accepts(CheckId, "user_id", "-1"));
  EXPECT_FALSE(Accepts(CheckId, "user_id", "+1"));
  EXPECT_FALSE(Accepts(CheckId, "user_id", "1e5"));
  EXPECT_FALSE(Accepts(CheckId, "user_id", ""));
}

TEST(ReadValidation, PageSizeQueryDateLang) {
  EXPECT_TRUE(Accepts(CheckPageSize, 0, 200));
  EXPECT_TRUE(Accepts(CheckPageSize, 200, 200));
  EXPECT_FALSE(Accepts(CheckPageSize, 201, 200));
  EXPECT_FALSE(Accepts(CheckPageSize, -1, 200));
  EXPECT_FALSE(Accepts(CheckQuery, ""));
  EXPECT_TRUE(Accepts(CheckQuery, std::string(500, 'x')));
  EXPECT_FALSE(Accepts(CheckQuery, std::string(501, 'x')));
  // 500 two-byte characters are 500 characters, not 1000.
  std::string accents;
  for (int i = 0; i < 500; ++i) accents += "\xC3\xA9";
  EXPECT_TRUE(Accepts(CheckQuery, accents));
  EXPECT_FALSE(Accepts(CheckQuery, "\xFF"));
  EXPECT_TRUE(Accepts(CheckDate, "until", "2024-02-29"));
  EXPECT_FALSE(Accepts(CheckDate, "until", "2023-02-29"));
  EXPECT_FALSE(Accepts(CheckDate, "until", "2023-2-1"));
  EXPECT_FALSE(Accepts(CheckDate, "until", "yesterday"));
  EXPECT_TRUE(Accepts(CheckLang, "en"));
  EXPECT_FALSE(Accepts(CheckLang, "EN"));
}

TEST(ReadValidation, ToStatusNamesEveryField) {
  Violations v;
  CheckPageSize(999, 200, v);
  CheckScreenName("screen_name", "", v);
  absl::Status s = ToStatus(v);
  EXPECT_THAT(s, AllOf(StatusIs(absl::StatusCode::kInvalidArgument),
                       HasFieldViolations(SizeIs(2))));
  EXPECT_TRUE(ToStatus({}).ok());
}

}  // namespace
}  // namespace perch::core
