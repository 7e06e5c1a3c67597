#include "server/common/status_code_name.h"

#include "gtest/gtest.h"

namespace perch {
namespace {

// The printed names are the ones gRPC's documentation and callers' scripts
// use; each code's number is gRPC's (status_code_enum.h).
TEST(StatusCodeName, NamesEveryGrpcCode) {
  constexpr const char* kNames[] = {"OK",
                                    "CANCELLED",
                                    "UNKNOWN",
                                    "INVALID_ARGUMENT",
                                    "DEADLINE_EXCEEDED",
                                    "NOT_FOUND",
                                    "ALREADY_EXISTS",
                                    "PERMISSION_DENIED",
                                    "RESOURCE_EXHAUSTED",
                                    "FAILED_PRECONDITION",
                                    "ABORTED",
                                    "OUT_OF_RANGE",
                                    "UNIMPLEMENTED",
                                    "INTERNAL",
                                    "UNAVAILABLE",
                                    "DATA_LOSS",
                                    "UNAUTHENTICATED"};
  for (int code = 0; code < 17; ++code) {
    EXPECT_EQ(StatusCodeName(code), kNames[code]) << code;
  }
}

TEST(StatusCodeName, AnUndefinedNumberKeepsItsNumber) {
  EXPECT_EQ(StatusCodeName(17), "CODE_17");
  EXPECT_EQ(StatusCodeName(-1), "CODE_-1");
}

}  // namespace
}  // namespace perch
