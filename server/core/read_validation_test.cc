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

// Whether `check` (a Check* function with its field and limits bound)
// accepts a value: true when it adds no violation.
template <typename Value, typename Check>
bool Accepts(Check check, const Value& value) {
  Violations v;
  check(value, v);
  return v.empty();
}

TEST(ReadValidation, ScreenName) {
  auto ok = [](absl::string_view s) {
    return Accepts([](absl::string_view s,
                      Violations& v) { CheckScreenName("screen_name", s, v); },
                   s);
  };
  EXPECT_TRUE(ok("jack"));
  EXPECT_TRUE(ok("A_1"));
  EXPECT_TRUE(ok("fifteen_chars_x"));
  EXPECT_FALSE(ok(""));
  EXPECT_FALSE(ok("sixteen_chars_xx"));
  EXPECT_FALSE(ok("@jack"));
  EXPECT_FALSE(ok("ja ck"));
  EXPECT_FALSE(ok("j\xC3\xA9"));
}

TEST(ReadValidation, Id) {
  auto ok = [](absl::string_view s) {
    return Accepts(
        [](absl::string_view s, Violations& v) { CheckId("user_id", s, v); },
        s);
  };
  EXPECT_TRUE(ok("783214"));
  EXPECT_TRUE(ok("9223372036854775807"));
  EXPECT_FALSE(ok("9223372036854775808"));
  EXPECT_FALSE(ok("18446744073709551615"));  // a uint64, but not an X id
  EXPECT_FALSE(ok("00000000000000000001"));  // 20 digits
  EXPECT_FALSE(ok("-1"));
  EXPECT_FALSE(ok("+1"));
  EXPECT_FALSE(ok("1e5"));
  EXPECT_FALSE(ok(""));
}

TEST(ReadValidation, PageSizeQueryDateLang) {
  auto page_size_ok = [](int size) {
    return Accepts([](int n, Violations& v) { CheckPageSize(n, 200, v); },
                   size);
  };
  EXPECT_TRUE(page_size_ok(0));
  EXPECT_TRUE(page_size_ok(200));
  EXPECT_FALSE(page_size_ok(201));
  EXPECT_FALSE(page_size_ok(-1));

  auto query_ok = [](const std::string& q) { return Accepts(CheckQuery, q); };
  EXPECT_FALSE(query_ok(""));
  EXPECT_TRUE(query_ok(std::string(500, 'x')));
  EXPECT_FALSE(query_ok(std::string(501, 'x')));
  // 500 two-byte characters are 500 characters, not 1000.
  std::string accents;
  for (int i = 0; i < 500; ++i) accents += "\xC3\xA9";
  EXPECT_TRUE(query_ok(accents));
  EXPECT_FALSE(query_ok("\xFF"));

  auto date_ok = [](absl::string_view date) {
    return Accepts(
        [](absl::string_view d, Violations& v) { CheckDate("until", d, v); },
        date);
  };
  EXPECT_TRUE(date_ok("2024-02-29"));
  EXPECT_FALSE(date_ok("2023-02-29"));
  EXPECT_FALSE(date_ok("2023-2-1"));
  EXPECT_FALSE(date_ok("yesterday"));

  auto lang_ok = [](absl::string_view lang) {
    return Accepts(CheckLang, lang);
  };
  EXPECT_TRUE(lang_ok("en"));
  EXPECT_FALSE(lang_ok("EN"));
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
