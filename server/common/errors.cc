#include "server/common/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/duration.pb.h"
#include "server/common/error_reasons.h"

namespace perch {
namespace {

template <typename Message>
std::optional<Message> GetPayload(const absl::Status& status,
                                  absl::string_view type_url) {
  auto payload = status.GetPayload(type_url);
  if (!payload.has_value()) return std::nullopt;
  Message message;
  if (!message.ParseFromString(std::string(*payload))) return std::nullopt;
  return message;
}

}  // namespace

absl::Status MakeError(
    absl::StatusCode code, absl::string_view message, absl::string_view reason,
    absl::string_view domain,
    std::vector<std::pair<std::string, std::string>> metadata) {
  absl::Status status(code, message);
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(std::string(domain));
  for (auto& [key, value] : metadata) {
    (*info.mutable_metadata())[key] = std::move(value);
  }
  status.SetPayload(kErrorInfoTypeUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

absl::Status MakeInvalidArgument(std::vector<FieldViolation> violations) {
  std::string message = "invalid request:";
  google::rpc::BadRequest bad_request;
  for (size_t i = 0; i < violations.size(); ++i) {
    absl::StrAppend(&message, i == 0 ? " " : "; ", violations[i].field, ": ",
                    violations[i].description);
    auto* v = bad_request.add_field_violations();
    v->set_field(violations[i].field);
    v->set_description(violations[i].description);
  }
  absl::Status status = MakeError(absl::StatusCode::kInvalidArgument, message,
                                  reasons::kInvalidRequest, kPerchDomain);
  status.SetPayload(kBadRequestTypeUrl,
                    absl::Cord(bad_request.SerializeAsString()));
  return status;
}

void AttachRetryInfo(absl::Status& status, absl::Duration retry_delay) {
  if (status.ok()) return;
  if (retry_delay < absl::ZeroDuration()) retry_delay = absl::ZeroDuration();
  google::rpc::RetryInfo info;
  const int64_t seconds = absl::ToInt64Seconds(retry_delay);
  info.mutable_retry_delay()->set_seconds(seconds);
  info.mutable_retry_delay()->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(retry_delay - absl::Seconds(seconds))));
  status.SetPayload(kRetryInfoTypeUrl, absl::Cord(info.SerializeAsString()));
}

void AttachQuotaFailure(absl::Status& status, absl::string_view subject,
                        absl::string_view description) {
  if (status.ok()) return;
  google::rpc::QuotaFailure failure;
  auto* v = failure.add_violations();
  v->set_subject(std::string(subject));
  v->set_description(std::string(description));
  status.SetPayload(kQuotaFailureTypeUrl,
                    absl::Cord(failure.SerializeAsString()));
}

std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status) {
  return GetPayload<google::rpc::ErrorInfo>(status, kErrorInfoTypeUrl);
}
std::optional<google::rpc::RetryInfo> GetRetryInfo(const absl::Status& status) {
  return GetPayload<google::rpc::RetryInfo>(status, kRetryInfoTypeUrl);
}
std::optional<google::rpc::BadRequest> GetBadRequest(
    const absl::Status& status) {
  return GetPayload<google::rpc::BadRequest>(status, kBadRequestTypeUrl);
}

std::string ErrorReason(const absl::Status& status) {
  auto info = GetErrorInfo(status);
  return info.has_value() ? info->reason() : std::string();
}

}  // namespace perch
