#include "emulator/codec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace perch::emulator {
namespace {

TEST(PercentDecode, DecodesEscapesAndKeepsPlus) {
  absl::StatusOr<std::string> out = PercentDecode("a%2Fb%3d+c");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "a/b=+c");
}

TEST(PercentDecode, RejectsBadEscapes) {
  EXPECT_FALSE(PercentDecode("50%off").ok());
  EXPECT_FALSE(PercentDecode("end%4").ok());
  EXPECT_FALSE(PercentDecode("end%").ok());
}

TEST(FormDecode, PlusIsSpace) {
  absl::StatusOr<std::string> out = FormDecode("a+b%2B");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "a b+");
}

TEST(ParseForm, SplitsAndDecodesInOrder) {
  absl::StatusOr<FormFields> fields =
      ParseForm("grant_type=client_credentials&&x&token=a%252Fb");
  ASSERT_TRUE(fields.ok());
  EXPECT_THAT(*fields,
              ::testing::ElementsAre(
                  ::testing::Pair("grant_type", "client_credentials"),
                  ::testing::Pair("x", ""), ::testing::Pair("token", "a%2Fb")));
  ASSERT_NE(FindField(*fields, "token"), nullptr);
  EXPECT_EQ(FindField(*fields, "missing"), nullptr);
}

TEST(PercentEncode, EncodesEverythingButUnreserved) {
  EXPECT_EQ(PercentEncode("aZ09-._~ /%:+="), "aZ09-._~%20%2F%25%3A%2B%3D");
}

}  // namespace
}  // namespace perch::emulator
