// The canonical name of a status code ("RESOURCE_EXHAUSTED"), for the tools
// that print the gRPC codes they received: the perch CLI's error report and
// the load and soak tallies. gRPC's codes and Abseil's share their numbers
// (absl/status/status.h), so Abseil's one table names both.
#ifndef PERCH_SERVER_COMMON_STATUS_CODE_NAME_H_
#define PERCH_SERVER_COMMON_STATUS_CODE_NAME_H_

#include <string>

namespace perch {

// The name of `code` (a grpc::StatusCode or an absl::StatusCode as its
// number); "CODE_<n>" for a number neither defines, so a tally still tells
// two unknown codes apart.
std::string StatusCodeName(int code);

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_STATUS_CODE_NAME_H_
