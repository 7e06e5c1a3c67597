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

}  // namespace
}  // namespace perch
