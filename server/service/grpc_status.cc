#include "server/service/grpc_status.h"

#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "google/rpc/status.pb.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"

namespace perch::service {
namespace {

// Reason for an error that no layer explained (should not happen; a test of
// the full error table guards it).
absl::string_view DefaultReason(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kDeadlineExceeded:
      return reasons::kDeadlineExceeded;
    case absl::StatusCode::kCancelled:
      return reasons::kCancelled;
    case absl::StatusCode::kUnavailable:
      return reasons::kUnavailable;
    case absl::StatusCode::kInvalidArgument:
      return reasons::kInvalidRequest;
    default:
      return reasons::kInternal;
  }
}

}  // namespace

absl::Status CallerVisibleStatus(const absl::Status& status,
                                 absl::string_view trace_id) {
  if (status.ok()) return status;
  absl::Status error = status;
  if (error.code() == absl::StatusCode::kUnknown) {
    error = absl::Status(absl::StatusCode::kInternal, status.message());
    status.ForEachPayload([&](absl::string_view url, const absl::Cord& value) {
      error.SetPayload(url, value);
    });
  }
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(error);
  if (!info.has_value()) {
    info.emplace();
    info->set_reason(std::string(DefaultReason(error.code())));
    info->set_domain(std::string(kPerchDomain));
  }
  if (!trace_id.empty()) {
    (*info->mutable_metadata())["trace_id"] = std::string(trace_id);
  }
  error.SetPayload(kErrorInfoTypeUrl, absl::Cord(info->SerializeAsString()));
  return error;
}

grpc::Status ToGrpcStatus(const absl::Status& status,
                          absl::string_view trace_id) {
  if (status.ok()) return grpc::Status::OK;
  const absl::Status error = CallerVisibleStatus(status, trace_id);

  google::rpc::Status rich;
  rich.set_code(static_cast<int>(error.code()));
  rich.set_message(std::string(error.message()));
  // ErrorInfo first, so clients that read only details[0] find the reason.
  auto add = [&rich](absl::string_view url, const absl::Cord& value) {
    auto* any = rich.add_details();
    any->set_type_url(std::string(url));
    any->set_value(std::string(value));
  };
  add(kErrorInfoTypeUrl, *error.GetPayload(kErrorInfoTypeUrl));
  error.ForEachPayload([&](absl::string_view url, const absl::Cord& value) {
    if (url != kErrorInfoTypeUrl) add(url, value);
  });
  return grpc::Status(static_cast<grpc::StatusCode>(error.code()),
                      std::string(error.message()), rich.SerializeAsString());
}

}  // namespace perch::service
