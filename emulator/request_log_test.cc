#include "emulator/request_log.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace perch::emulator {
namespace {

Request Get(const std::string& traceparent) {
  Request r;
  r.method = "GET";
  r.path = "/2/users/1/tweets";
  if (!traceparent.empty()) r.headers.emplace_back("Traceparent", traceparent);
  return r;
}

TEST(RequestLog, KeepsTheLastTraceparentsReceivedOnly) {
  RequestLog log;
  log.Record(Get(""), "/2/users/:id/tweets");
  EXPECT_TRUE(log.Recent().empty());
  for (size_t i = 0; i <= RequestLog::kKept; ++i) {
    // Unsampled: kept, not logged.
    log.Record(Get(absl::StrCat("00-4bf92f3577b34da6a3ce929d0e0e4736-",
                                absl::Dec(i, absl::kZeroPad16), "-00")),
               "/2/users/:id/tweets");
  }
  const std::vector<TracedRequest> recent = log.Recent();
  ASSERT_EQ(recent.size(), RequestLog::kKept);
  EXPECT_EQ(recent.front().traceparent,
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000001-00");
  EXPECT_EQ(recent.back().method, "GET");
  EXPECT_EQ(recent.back().path, "/2/users/:id/tweets");
}

}  // namespace
}  // namespace perch::emulator
