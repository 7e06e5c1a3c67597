#include "server/core/read_validation.h"

#include <initializer_list>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/field_violations.h"

namespace perch::core {
namespace {

using ::perch::testing::IsInvalidArgumentOn;

// Whether `check` (one of the Check* functions) accepts the value in
// `args` (after its field name or before its limit, as the check takes
// them): true when it adds no violation.
template <typename Check, typename... Args>
bool Accepts(Check check, const Args&... args) {
  Violations v;
  check(args..., v);
  return v.empty();
}

// Checks that `check` of `field` accepts each of `accepted` and refuses
// each of `refused`.
void ExpectVerdicts(void (*check)(absl::string_view, absl::string_view,
                                  Violations&),
                    absl::string_view field,
                    std::initializer_list<absl::string_view> accepted,
                    std::initializer_list<absl::string_view> refused) {
  for (absl::string_view value : accepted) {
    EXPECT_TRUE(Accepts(check, field, value)) << value;
  }
  for (absl::string_view value : refused) {
    EXPECT_FALSE(Accepts(check, field, value)) << value;
  }
}

TEST(ReadValidation, ScreenName) {
  ExpectVerdicts(CheckScreenName, "screen_name",
                 {"jack", "A_1", "fifteen_chars_x"},
                 {"", "sixteen_chars_xx", "@jack", "ja ck", "j\xC3\xA9"});
}

TEST(ReadValidation, Id) {
  ExpectVerdicts(CheckId, "user_id", {"783214", "9223372036854775807"},
                 {"9223372036854775808",
                  "18446744073709551615",  // a uint64, but not an X id
                  "00000000000000000001",  // 20 digits
                  "-1", "+1", "1e5", ""});
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
  ExpectVerdicts(CheckDate, "until", {"2024-02-29"},
                 {"2023-02-29", "2023-2-1", "yesterday"});
  EXPECT_TRUE(Accepts(CheckLang, "en"));
  EXPECT_FALSE(Accepts(CheckLang, "EN"));
}

TEST(ReadValidation, ToStatusNamesEveryField) {
  Violations v;
  CheckPageSize(999, 200, v);
  CheckScreenName("screen_name", "", v);
  absl::Status s = ToStatus(v);
  EXPECT_THAT(s, IsInvalidArgumentOn({"page_size", "screen_name"}));
  EXPECT_TRUE(ToStatus({}).ok());
}

}  // namespace
}  // namespace perch::core
