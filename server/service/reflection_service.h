// gRPC server reflection, grpc.reflection.v1 and its wire-identical
// predecessor v1alpha, answered by one core from a descriptor pool (the
// generated pool: every file linked into perch, google.rpc details and
// well-known types included). Each file is sent with everything it imports,
// so a client with no .proto files can build descriptors and decode replies.
// It does not discover services: it lists the names it is given.
#ifndef PERCH_SERVER_SERVICE_REFLECTION_SERVICE_H_
#define PERCH_SERVER_SERVICE_REFLECTION_SERVICE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace perch::service {

// The answers to reflection requests, independent of the protocol version.
// Immutable after construction; thread-safe.
class ReflectionCore {
 public:
  // `services`: full names of every service the server exposes (listed
  // sorted). `pool` must outlive the core.
  explicit ReflectionCore(
      std::vector<std::string> services,
      const google::protobuf::DescriptorPool* pool =
          google::protobuf::DescriptorPool::generated_pool());

  const std::vector<std::string>& services() const { return services_; }

  // Each returns serialized FileDescriptorProtos: the file asked for first,
  // then every file it imports, transitively, each once; NOT_FOUND if there
  // is no such file, symbol, type or extension.
  absl::StatusOr<std::vector<std::string>> FileByFilename(
      absl::string_view filename) const;
  // `symbol`: a fully-qualified message, enum, service, method, field, enum
  // value or extension name.
  absl::StatusOr<std::vector<std::string>> FileContainingSymbol(
      absl::string_view symbol) const;
  absl::StatusOr<std::vector<std::string>> FileContainingExtension(
      absl::string_view containing_type, int number) const;

  // The field numbers of every known extension of `message_type`; NOT_FOUND
  // if there is no such message.
  absl::StatusOr<std::vector<int>> AllExtensionNumbers(
      absl::string_view message_type) const;

 private:
  std::vector<std::string> services_;
  const google::protobuf::DescriptorPool* pool_;
};

// The two protocol versions: v1alpha's messages share every field name and
// number with v1's. Older clients (and Debian's gRPC 1.51 tools) know only
// v1alpha.
struct ReflectionV1 {
  using Api = grpc::reflection::v1::ServerReflection;
  using Request = grpc::reflection::v1::ServerReflectionRequest;
  using Response = grpc::reflection::v1::ServerReflectionResponse;
};
struct ReflectionV1Alpha {
  using Api = grpc::reflection::v1alpha::ServerReflection;
  using Request = grpc::reflection::v1alpha::ServerReflectionRequest;
  using Response = grpc::reflection::v1alpha::ServerReflectionResponse;
};

// ServerReflection of one `Version` over `core`, which must outlive it. Its
// handler is defined, and instantiated for both versions, in
// reflection_service.cc.
template <typename Version>
class ReflectionService final : public Version::Api::CallbackService {
 public:
  explicit ReflectionService(const ReflectionCore& core) : core_(core) {}

  grpc::ServerBidiReactor<typename Version::Request,
                          typename Version::Response>*
  ServerReflectionInfo(grpc::CallbackServerContext* context) override;

 private:
  const ReflectionCore& core_;
};

using ReflectionV1Service = ReflectionService<ReflectionV1>;
using ReflectionV1AlphaService = ReflectionService<ReflectionV1Alpha>;

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_REFLECTION_SERVICE_H_
