#include "server/core/read_validation.h"

#include <functional>

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace perch::core {
namespace {

using ::perch::testing::StatusIs;

Violations Violated(const std::function<void(Violations&)>& check) {
  Violations v;
  check(v);
  return v;
}

TEST(ReadValidation, ScreenName) {
  auto ok = [](absl::string_view s) {
    return Violated(
               [&](Violations& v) { CheckScreenName("screen_name", s, v); })
        .empty();
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
    return Violated([&](Violations& v) { CheckId("user_id", s, v); }).empty();
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
  EXPECT_TRUE(
      Violated([](Violations& v) { CheckPageSize(0, 200, v); }).empty());
  EXPECT_TRUE(
      Violated([](Violations& v) { CheckPageSize(200, 200, v); }).empty());
  EXPECT_FALSE(
      Violated([](Violations& v) { CheckPageSize(201, 200, v); }).empty());
  EXPECT_FALSE(
      Violated([](Violations& v) { CheckPageSize(-1, 200, v); }).empty());
  EXPECT_FALSE(Violated([](Violations& v) { CheckQuery("", v); }).empty());
  EXPECT_TRUE(Violated([](Violations& v) {
                CheckQuery(std::string(500, 'x'), v);
              }).empty());
  EXPECT_FALSE(Violated([](Violations& v) {
                 CheckQuery(std::string(501, 'x'), v);
               }).empty());
  // 500 two-byte characters are 500 characters, not 1000.
  std::string accents;
  for (int i = 0; i < 500; ++i) accents += "\xC3\xA9";
  EXPECT_TRUE(Violated([&](Violations& v) { CheckQuery(accents, v); }).empty());
  EXPECT_FALSE(Violated([](Violations& v) { CheckQuery("\xFF", v); }).empty());
  EXPECT_TRUE(Violated([](Violations& v) {
                CheckDate("until", "2024-02-29", v);
              }).empty());
  EXPECT_FALSE(Violated([](Violations& v) {
                 CheckDate("until", "2023-02-29", v);
               }).empty());
  EXPECT_FALSE(Violated([](Violations& v) {
                 CheckDate("until", "2023-2-1", v);
               }).empty());
  EXPECT_FALSE(Violated([](Violations& v) {
                 CheckDate("until", "yesterday", v);
               }).empty());
  EXPECT_TRUE(Violated([](Violations& v) { CheckLang("en", v); }).empty());
  EXPECT_FALSE(Violated([](Violations& v) { CheckLang("EN", v); }).empty());
}

TEST(ReadValidation, ToStatusNamesEveryField) {
  Violations v;
  CheckPageSize(999, 200, v);
  CheckScreenName("screen_name", "", v);
  absl::Status s = ToStatus(v);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  auto bad = GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations_size(), 2);
  EXPECT_TRUE(ToStatus({}).ok());
}

}  // namespace
}  // namespace perch::core
