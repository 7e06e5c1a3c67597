// The one place where perch's absl::Status becomes a grpc::Status. Details
// ride along as google.rpc.Status in grpc-status-details-bin, so every
// client decodes ErrorInfo/RetryInfo/BadRequest/QuotaFailure.
#ifndef PERCH_SERVER_SERVICE_GRPC_STATUS_H_
#define PERCH_SERVER_SERVICE_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace perch::service {

// The error as the caller gets it. OK stays OK. An error keeps its code,
// except UNKNOWN, which perch never returns (it becomes INTERNAL). It holds
// exactly one ErrorInfo: the status's own, or one in domain perch.v1 whose
// reason is the code's name when a layer below attached none; with
// `trace_id` (the call's W3C trace id) in its metadata under "trace_id"
// unless empty.
absl::Status CallerVisibleStatus(const absl::Status& status,
                                 absl::string_view trace_id = {});

// CallerVisibleStatus(status, trace_id) as a grpc::Status, its details as
// google.rpc.Status (ErrorInfo first).
grpc::Status ToGrpcStatus(const absl::Status& status,
                          absl::string_view trace_id = {});

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_GRPC_STATUS_H_
