// The one place where perch's absl::Status becomes a grpc::Status. Details
// ride along as google.rpc.Status in grpc-status-details-bin, so every
// client decodes ErrorInfo/RetryInfo/BadRequest/QuotaFailure.
#ifndef PERCH_SERVER_SERVICE_GRPC_STATUS_H_
#define PERCH_SERVER_SERVICE_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace perch::service {

// OK stays OK. An error keeps its code, except UNKNOWN, which perch never
// returns (it becomes INTERNAL). The details always hold exactly one
// ErrorInfo: the status's own, or one in domain perch.v1 whose reason is the
// code's name when a layer below attached none.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_GRPC_STATUS_H_
