// The one early-return helper this Abseil lacks.
#ifndef PERCH_SERVER_COMMON_STATUS_MACROS_H_
#define PERCH_SERVER_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"

#define PERCH_RETURN_IF_ERROR(expr)            \
  do {                                         \
    ::absl::Status perch_status_ = (expr);     \
    if (!perch_status_.ok()) return perch_status_; \
  } while (0)

#endif  // PERCH_SERVER_COMMON_STATUS_MACROS_H_
