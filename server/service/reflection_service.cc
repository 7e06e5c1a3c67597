#include "server/service/reflection_service.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.pb.h"

namespace perch::service {
namespace {

using google::protobuf::FileDescriptor;

// `file` and then, depth first, every file it imports, each once.
void AppendWithImports(const FileDescriptor* file,
                       absl::flat_hash_set<const FileDescriptor*>& seen,
                       std::vector<std::string>& out) {
  if (!seen.insert(file).second) return;
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  // JSON names let clients (grpcurl -d, reflection-built stubs) read and
  // write the same JSON as perch's own tools.
  file->CopyJsonNameTo(&proto);
  out.push_back(proto.SerializeAsString());
  for (int i = 0; i < file->dependency_count(); ++i) {
    AppendWithImports(file->dependency(i), seen, out);
  }
}

absl::StatusOr<std::vector<std::string>> FileWithImports(
    const FileDescriptor* file, absl::string_view what) {
  if (file == nullptr)
    return absl::NotFoundError(absl::StrCat(what, " not found"));
  absl::flat_hash_set<const FileDescriptor*> seen;
  std::vector<std::string> out;
  AppendWithImports(file, seen, out);
  return out;
}

// Fills `response` for `request`. The v1 and v1alpha messages share every
// field name and number, so one template serves both versions.
template <typename Request, typename Response>
void Answer(const ReflectionCore& core, const Request& request,
            Response& response) {
  response.set_valid_host(request.host());
  *response.mutable_original_request() = request;
  absl::StatusOr<std::vector<std::string>> files;
  switch (request.message_request_case()) {
    case Request::kFileByFilename:
      files = core.FileByFilename(request.file_by_filename());
      break;
    case Request::kFileContainingSymbol:
      files = core.FileContainingSymbol(request.file_containing_symbol());
      break;
    case Request::kFileContainingExtension:
      files = core.FileContainingExtension(
          request.file_containing_extension().containing_type(),
          request.file_containing_extension().extension_number());
      break;
    case Request::kAllExtensionNumbersOfType: {
      absl::StatusOr<std::vector<int>> numbers =
          core.AllExtensionNumbers(request.all_extension_numbers_of_type());
      if (numbers.ok()) {
        auto* out = response.mutable_all_extension_numbers_response();
        out->set_base_type_name(request.all_extension_numbers_of_type());
        for (int n : *numbers) out->add_extension_number(n);
        return;
      }
      files = numbers.status();
      break;
    }
    case Request::kListServices:
      for (const std::string& name : core.services()) {
        response.mutable_list_services_response()->add_service()->set_name(
            name);
      }
      return;
    default:
      files = absl::UnimplementedError("unknown reflection request type");
      break;
  }
  if (!files.ok()) {
    auto* error = response.mutable_error_response();
    error->set_error_code(static_cast<int>(files.status().code()));
    error->set_error_message(std::string(files.status().message()));
    return;
  }
  for (std::string& file : *files) {
    response.mutable_file_descriptor_response()->add_file_descriptor_proto(
        std::move(file));
  }
}

// One reflection stream: read a request, write its answer, repeat until the
// client half-closes. Deletes itself when gRPC is done with it.
template <typename Request, typename Response>
class ReflectionReactor final
    : public grpc::ServerBidiReactor<Request, Response> {
 public:
  explicit ReflectionReactor(const ReflectionCore& core) : core_(core) {
    this->StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // The client is done sending (or the call is gone).
      this->Finish(grpc::Status::OK);
      return;
    }
    response_.Clear();
    Answer(core_, request_, response_);
    this->StartWrite(&response_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      this->Finish(grpc::Status(grpc::StatusCode::CANCELLED,
                                "reflection stream broken"));
      return;
    }
    this->StartRead(&request_);
  }

  void OnDone() override { delete this; }

 private:
  const ReflectionCore& core_;
  Request request_;
  Response response_;
};

}  // namespace

ReflectionCore::ReflectionCore(std::vector<std::string> services,
                               const google::protobuf::DescriptorPool* pool)
    : services_(std::move(services)), pool_(pool) {
  std::sort(services_.begin(), services_.end());
  services_.erase(std::unique(services_.begin(), services_.end()),
                  services_.end());
}

absl::StatusOr<std::vector<std::string>> ReflectionCore::FileByFilename(
    absl::string_view filename) const {
  return FileWithImports(pool_->FindFileByName(std::string(filename)),
                         absl::StrCat("file ", filename));
}

absl::StatusOr<std::vector<std::string>> ReflectionCore::FileContainingSymbol(
    absl::string_view symbol) const {
  return FileWithImports(pool_->FindFileContainingSymbol(std::string(symbol)),
                         absl::StrCat("symbol ", symbol));
}

absl::StatusOr<std::vector<std::string>>
ReflectionCore::FileContainingExtension(absl::string_view containing_type,
                                        int number) const {
  const google::protobuf::Descriptor* type =
      pool_->FindMessageTypeByName(std::string(containing_type));
  if (type == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("message type ", containing_type, " not found"));
  }
  const google::protobuf::FieldDescriptor* extension =
      pool_->FindExtensionByNumber(type, number);
  return FileWithImports(
      extension != nullptr ? extension->file() : nullptr,
      absl::StrCat("extension ", number, " of ", containing_type));
}

absl::StatusOr<std::vector<int>> ReflectionCore::AllExtensionNumbers(
    absl::string_view message_type) const {
  const google::protobuf::Descriptor* type =
      pool_->FindMessageTypeByName(std::string(message_type));
  if (type == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("message type ", message_type, " not found"));
  }
  std::vector<const google::protobuf::FieldDescriptor*> extensions;
  pool_->FindAllExtensions(type, &extensions);
  std::vector<int> numbers;
  numbers.reserve(extensions.size());
  for (const auto* extension : extensions)
    numbers.push_back(extension->number());
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

template <typename Version>
grpc::ServerBidiReactor<typename Version::Request, typename Version::Response>*
ReflectionService<Version>::ServerReflectionInfo(grpc::CallbackServerContext*) {
  return new ReflectionReactor<typename Version::Request,
                               typename Version::Response>(core_);
}

template class ReflectionService<ReflectionV1>;
template class ReflectionService<ReflectionV1Alpha>;

}  // namespace perch::service
