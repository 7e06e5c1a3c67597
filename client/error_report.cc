#include "client/error_report.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "server/common/status_code_name.h"

namespace perch::client {
namespace {

// The ErrorInfo metadata keys worth a line of their own, in print order:
// v1.1 errors carry a code and message, v2 errors a problem type, title and
// detail (and, for an app not enrolled, where to enrol); every error has the
// trace id, last, which finds the call in perch's logs. Other keys are not
// printed: the report names only what docs/api.md promises.
constexpr absl::string_view kMetadataKeys[] = {
    "http_status",         "upstream_code",    "upstream_message",
    "upstream_type",       "upstream_title",   "upstream_detail",
    "required_enrollment", "registration_url", "trace_id"};

// Whole seconds, rounded up: waiting that long is always long enough.
int64_t CeilSeconds(const google::protobuf::Duration& d) {
  if (d.seconds() < 0 || (d.seconds() == 0 && d.nanos() <= 0)) return 0;
  return d.seconds() + (d.nanos() > 0 ? 1 : 0);
}

void AppendErrorInfo(const google::rpc::ErrorInfo& info, std::string& out) {
  absl::StrAppend(&out, "  reason: ", info.reason(), " (domain ", info.domain(),
                  ")\n");
  for (absl::string_view key : kMetadataKeys) {
    auto it = info.metadata().find(std::string(key));
    if (it != info.metadata().end()) {
      absl::StrAppend(&out, "  ", key, ": ", it->second, "\n");
    }
  }
}

// UNAUTHENTICATED is about one of two parties (docs/api.md, "Telling them
// apart"); the reason and domain say which, and so who must act. "" when
// neither matches (an error not from perch).
absl::string_view WhoWasRefused(const google::rpc::ErrorInfo& info) {
  if (info.domain() == "perch.v1" &&
      info.reason() == "CALLER_UNAUTHENTICATED") {
    return "  refused: this caller's credentials, by perch\n";
  }
  if (info.domain() == "api.twitter.com") {
    return "  refused: perch's own app credentials, by the upstream (this "
           "caller's were accepted; perch's operator must act)\n";
  }
  return "";
}

}  // namespace

ExitCode ExitCodeFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return kExitOk;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return kExitUsage;
    case grpc::StatusCode::NOT_FOUND:
      return kExitNotFound;
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      return kExitDenied;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return kExitRateLimited;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return kExitUnavailable;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return kExitFailedPrecondition;
    default:
      return kExitServerError;
  }
}

ErrorReport ReportError(const grpc::Status& status, absl::string_view server) {
  ErrorReport report;
  report.exit_code = ExitCodeFor(status.error_code());
  if (status.ok()) return report;

  std::string& out = report.text;
  absl::StrAppend(&out, "error: ", perch::StatusCodeName(status.error_code()));
  if (!status.error_message().empty()) {
    absl::StrAppend(&out, ": ", status.error_message());
  }
  out += "\n";

  bool saw_error_info = false;
  std::string fields;
  std::string quota;
  std::string retry;
  std::string other;
  if (!status.error_details().empty()) {
    google::rpc::Status rich;
    if (!rich.ParseFromString(status.error_details())) {
      out += "  (error details could not be decoded)\n";
    }
    for (const google::protobuf::Any& any : rich.details()) {
      google::rpc::ErrorInfo info;
      google::rpc::BadRequest bad_request;
      google::rpc::QuotaFailure quota_failure;
      google::rpc::RetryInfo retry_info;
      if (any.Is<google::rpc::ErrorInfo>() && any.UnpackTo(&info)) {
        AppendErrorInfo(info, out);
        if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
          absl::StrAppend(&out, WhoWasRefused(info));
        }
        saw_error_info = true;
      } else if (any.Is<google::rpc::BadRequest>() &&
                 any.UnpackTo(&bad_request)) {
        for (const auto& v : bad_request.field_violations()) {
          absl::StrAppend(&fields, "  field ", v.field(), ": ", v.description(),
                          "\n");
        }
      } else if (any.Is<google::rpc::QuotaFailure>() &&
                 any.UnpackTo(&quota_failure)) {
        for (const auto& v : quota_failure.violations()) {
          absl::StrAppend(&quota, "  quota: ", v.subject(), ": ",
                          v.description(), "\n");
        }
      } else if (any.Is<google::rpc::RetryInfo>() &&
                 any.UnpackTo(&retry_info)) {
        absl::StrAppend(&retry, "  retry after ",
                        CeilSeconds(retry_info.retry_delay()), "s\n");
      } else {
        absl::StrAppend(&other, "  detail: ", any.type_url(), "\n");
      }
    }
  }
  absl::StrAppend(&out, fields, quota, retry, other);
  if (!saw_error_info && !server.empty()) {
    absl::StrAppend(&out, "  server: ", server, "\n");
  }
  return report;
}

}  // namespace perch::client
