#include "server/common/json_escape.h"

#include "gtest/gtest.h"

namespace perch {
namespace {

TEST(JsonEscape, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonEscape("a\"b\\c\n\r\t\x01"), "a\\\"b\\\\c\\n\\r\\t\\u0001");
}

TEST(JsonEscape, LeavesEverythingElseAsIs) {
  EXPECT_EQ(JsonEscape("/1.1/x.json caf\xC3\xA9"), "/1.1/x.json caf\xC3\xA9");
}

TEST(AppendAsciiJsonString, QuotesAndKeepsToPrintableAscii) {
  std::string out = "x";
  AppendAsciiJsonString(out, "a\"b\\c\n\x01\x7f\xC3\xA9 ok");
  EXPECT_EQ(out, R"(x"a\"b\\c\u000a\u0001\u007f\u00c3\u00a9 ok")");
}

}  // namespace
}  // namespace perch
