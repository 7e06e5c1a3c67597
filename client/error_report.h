// Turns a failed grpc::Status into the text the perch CLI prints on stderr
// and the process exit code. Pure: decodes google.rpc.Status from
// error_details() (ErrorInfo, RetryInfo, BadRequest, QuotaFailure) and
// formats it; printing is the caller's.
#ifndef PERCH_CLIENT_ERROR_REPORT_H_
#define PERCH_CLIENT_ERROR_REPORT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "client/exit_codes.h"
#include "grpcpp/support/status.h"

namespace perch::client {

struct ErrorReport {
  // Lines ending in '\n'; empty for an OK status.
  std::string text;
  ExitCode exit_code = kExitOk;
};

// The exit code class of a gRPC code (see exit_codes.h).
ExitCode ExitCodeFor(grpc::StatusCode code);

// The report for `status`. `server` is the address that was called; it is
// named when the error carries no ErrorInfo, i.e. when it came from the
// channel (nothing listening, deadline) rather than from perch.
//
//   error: RESOURCE_EXHAUSTED: Rate limit exceeded
//     reason: RATE_LIMITED (domain api.twitter.com)
//     http_status: 429
//     upstream_code: 88
//     upstream_message: Rate limit exceeded
//     quota: statuses/user_timeline: 900 requests per 15 minutes
//     retry after 120s
ErrorReport ReportError(const grpc::Status& status, absl::string_view server);

}  // namespace perch::client

#endif  // PERCH_CLIENT_ERROR_REPORT_H_
