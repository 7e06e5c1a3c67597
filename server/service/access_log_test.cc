#include "server/service/access_log.h"

#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/common/log.h"
#include "simdjson.h"

namespace perch::service {
namespace {

CallRecord Record() {
  CallRecord r;
  r.method = security::Method::kSearch;
  r.caller = "reports";
  r.peer = "ipv4:127.0.0.1:5000";
  r.code = absl::StatusCode::kResourceExhausted;
  r.reason = "RATE_LIMITED";
  r.duration = absl::Microseconds(12345);
  r.upstream_requests = 2;
  r.coalesced = false;
  r.from_cache = true;
  r.page_size = 50;
  r.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  r.span_id = "00f067aa0ba902b7";
  return r;
}

TEST(AccessLog, EveryFieldInOrder) {
  EXPECT_EQ(AccessLogFields(Record()).members(),
            R"("method":"perch.v1.ReadService/Search","caller":"reports",)"
            R"("peer":"ipv4:127.0.0.1:5000","code":"RESOURCE_EXHAUSTED",)"
            R"("reason":"RATE_LIMITED","duration_us":12345,)"
            R"("upstream_requests":2,"coalesced":false,"from_cache":true,)"
            R"("page_size":50,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736",)"
            R"("span_id":"00f067aa0ba902b7")");
}

// The line a JSON log gets parses as one object with every field typed; a
// hostile peer string stays inside its value.
TEST(AccessLog, TheJsonLineParsesWithTypedFields) {
  CallRecord r = Record();
  r.peer = "ipv6:[::1]:1\"}\n{\"code\":\"OK\xff";
  const std::string line =
      FormatEventLine(LogFormat::kJson, absl::Now(), LogLevel::kInfo, "access",
                      absl::FromUnixSeconds(1700000000), AccessLogFields(r));
  ASSERT_EQ(line.find('\n'), line.size() - 1);
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  ASSERT_EQ(parser.parse(line).get(o), simdjson::SUCCESS) << line;
  auto str = [&](const char* key) {
    std::string_view v;
    EXPECT_EQ(o[key].get(v), simdjson::SUCCESS) << key;
    return std::string(v);
  };
  auto num = [&](const char* key) {
    int64_t v = -1;
    EXPECT_EQ(o[key].get(v), simdjson::SUCCESS) << key;
    return v;
  };
  auto flag = [&](const char* key) {
    bool v = false;
    EXPECT_EQ(o[key].get(v), simdjson::SUCCESS) << key;
    return v;
  };
  EXPECT_EQ(str("time"), "2023-11-14T22:13:20.000000Z");
  EXPECT_EQ(str("level"), "INFO");
  EXPECT_EQ(str("type"), "access");
  EXPECT_EQ(str("method"), "perch.v1.ReadService/Search");
  EXPECT_EQ(str("caller"), "reports");
  EXPECT_EQ(str("peer"), "ipv6:[::1]:1\"}\n{\"code\":\"OK\xc3\xbf");
  EXPECT_EQ(str("code"), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(str("reason"), "RATE_LIMITED");
  EXPECT_EQ(num("duration_us"), 12345);
  EXPECT_EQ(num("upstream_requests"), 2);
  EXPECT_FALSE(flag("coalesced"));
  EXPECT_TRUE(flag("from_cache"));
  EXPECT_EQ(num("page_size"), 50);
  EXPECT_EQ(str("trace_id"), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(str("span_id"), "00f067aa0ba902b7");
  EXPECT_EQ(o.size(), 15u);
}

}  // namespace
}  // namespace perch::service
