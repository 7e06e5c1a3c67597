// Server reflection as a client with no .proto files sees it: everything it
// learns comes from grpc.reflection (v1, and v1alpha must answer the same).
// It lists every service, describes every method and message from the
// reflected descriptors alone, calls a method with JSON input and decodes
// the error details perch attaches.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "tests/integration/perch_harness.h"
#include "tests/testing/status_matchers.h"

namespace perch::testing {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptorProto;
using google::protobuf::Message;

// One open reflection stream of either version; requests are asked in turn.
template <typename Reflection, typename Request, typename Response>
class ReflectionStream {
 public:
  explicit ReflectionStream(std::shared_ptr<grpc::Channel> channel)
      : stub_(Reflection::NewStub(std::move(channel))) {
    context_.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    stream_ = stub_->ServerReflectionInfo(&context_);
  }
  ~ReflectionStream() {
    stream_->WritesDone();
    EXPECT_TRUE(stream_->Finish().ok());
  }

  Response Ask(const Request& request) {
    Response response;
    EXPECT_TRUE(stream_->Write(request));
    EXPECT_TRUE(stream_->Read(&response));
    return response;
  }
  Response ListServices() {
    Request r;
    r.set_list_services("*");
    return Ask(r);
  }
  Response FileContainingSymbol(const std::string& symbol) {
    Request r;
    r.set_file_containing_symbol(symbol);
    return Ask(r);
  }

 private:
  std::unique_ptr<typename Reflection::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<Request, Response>> stream_;
};

using V1Stream =
    ReflectionStream<grpc::reflection::v1::ServerReflection,
                     grpc::reflection::v1::ServerReflectionRequest,
                     grpc::reflection::v1::ServerReflectionResponse>;
using V1AlphaStream =
    ReflectionStream<grpc::reflection::v1alpha::ServerReflection,
                     grpc::reflection::v1alpha::ServerReflectionRequest,
                     grpc::reflection::v1alpha::ServerReflectionResponse>;

// Descriptors known only through reflection: a pool that starts empty.
class ReflectedPool {
 public:
  explicit ReflectedPool(V1Stream& stream) : stream_(stream) {}

  // Asks for the file holding `symbol` and builds it with its imports;
  // fails the test if the answer is an error or an import is missing.
  void Load(const std::string& symbol) {
    auto response = stream_.FileContainingSymbol(symbol);
    ASSERT_FALSE(response.has_error_response())
        << symbol << ": " << response.error_response().error_message();
    const auto& files = response.file_descriptor_response();
    ASSERT_GT(files.file_descriptor_proto_size(), 0) << symbol;
    // The file asked for comes first, its imports after: build backwards.
    for (int i = files.file_descriptor_proto_size() - 1; i >= 0; --i) {
      FileDescriptorProto file;
      ASSERT_TRUE(file.ParseFromString(files.file_descriptor_proto(i)));
      if (pool_.FindFileByName(file.name()) != nullptr) continue;
      ASSERT_NE(pool_.BuildFile(file), nullptr)
          << file.name() << " (for " << symbol << ") lacks an import";
    }
  }

  const Descriptor* Message(const std::string& name) {
    if (pool_.FindMessageTypeByName(name) == nullptr) Load(name);
    return pool_.FindMessageTypeByName(name);
  }

  const DescriptorPool& pool() const { return pool_; }

 private:
  V1Stream& stream_;
  DescriptorPool pool_;
};

// Every message type declared in `descriptor`, nested ones included.
void ForEachMessage(const Descriptor* descriptor,
                    const std::function<void(const Descriptor*)>& f) {
  f(descriptor);
  for (int i = 0; i < descriptor->nested_type_count(); ++i) {
    ForEachMessage(descriptor->nested_type(i), f);
  }
}

TEST(Reflection, DescribesEveryServiceMethodAndMessageFromReflectionAlone) {
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  V1Stream stream(h->channel());
  ReflectedPool pool(stream);

  std::vector<std::string> services;
  const auto listed = stream.ListServices();
  for (const auto& s : listed.list_services_response().service()) {
    services.push_back(s.name());
  }
  ASSERT_EQ(services,
            (std::vector<std::string>{
                "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                "grpc.reflection.v1alpha.ServerReflection",
                "perch.v1.ReadService", "perch.v1.TokenService"}));

  int methods = 0;
  for (const std::string& name : services) {
    pool.Load(name);
    const auto* service = pool.pool().FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      const auto* method = service->method(i);
      auto by_method = stream.FileContainingSymbol(method->full_name());
      EXPECT_FALSE(by_method.has_error_response()) << method->full_name();
      EXPECT_NE(method->input_type(), nullptr);
      EXPECT_NE(method->output_type(), nullptr);
      ++methods;
    }
  }
  // Token 2, Read 4, Health 2, reflection 1 + 1.
  EXPECT_EQ(methods, 10);

  // Every message in every file reflection sent is itself findable, in the
  // file that declares it.
  std::vector<const google::protobuf::FileDescriptor*> files;
  for (const std::string& name : services) {
    files.push_back(pool.pool().FindServiceByName(name)->file());
  }
  absl::flat_hash_set<std::string> seen;
  int messages = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    if (!seen.insert(files[i]->name()).second) continue;
    for (int d = 0; d < files[i]->dependency_count(); ++d) {
      files.push_back(files[i]->dependency(d));
    }
    for (int m = 0; m < files[i]->message_type_count(); ++m) {
      ForEachMessage(files[i]->message_type(m), [&](const Descriptor* d) {
        auto response = stream.FileContainingSymbol(d->full_name());
        ASSERT_FALSE(response.has_error_response()) << d->full_name();
        FileDescriptorProto first;
        ASSERT_TRUE(first.ParseFromString(
            response.file_descriptor_response().file_descriptor_proto(0)));
        EXPECT_EQ(first.name(), d->file()->name()) << d->full_name();
        ++messages;
      });
    }
  }
  EXPECT_GT(messages, 20);
  EXPECT_TRUE(seen.contains("google/protobuf/timestamp.proto"));
}

TEST(Reflection, V1AlphaAnswersExactlyAsV1) {
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  V1Stream v1(h->channel());
  V1AlphaStream v1alpha(h->channel());
  EXPECT_EQ(
      v1.ListServices().list_services_response().SerializeAsString(),
      v1alpha.ListServices().list_services_response().SerializeAsString());
  for (const char* symbol :
       {"perch.v1.ReadService", "perch.v1.TokenService.Obtain",
        "google.rpc.Status", "google.rpc.ErrorInfo", "grpc.health.v1.Health",
        "perch.v1.NoSuchThing"}) {
    auto a = v1.FileContainingSymbol(symbol);
    auto b = v1alpha.FileContainingSymbol(symbol);
    EXPECT_EQ(a.file_descriptor_response().SerializeAsString(),
              b.file_descriptor_response().SerializeAsString())
        << symbol;
    EXPECT_EQ(a.error_response().SerializeAsString(),
              b.error_response().SerializeAsString())
        << symbol;
  }
}

// Calls `method` with `request`, as grpcurl does: bytes in, bytes out.
grpc::Status CallGeneric(grpc::Channel& channel, const std::string& method,
                         const Message& request, Message& response) {
  grpc::GenericStub stub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  std::string bytes = request.SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer in(&slice, 1), out;
  auto context = ContextWithTimeout();
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(context.get(), method, grpc::StubOptions(), &in, &out,
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (status.ok()) {
    std::vector<grpc::Slice> slices;
    EXPECT_TRUE(out.Dump(&slices).ok());
    std::string reply;
    for (const auto& s : slices) reply.append(s.begin(), s.end());
    EXPECT_TRUE(response.ParseFromString(reply));
  }
  return status;
}

TEST(Reflection, CallsWithJsonAndDecodesErrorDetailsFromReflectionAlone) {
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  V1Stream stream(h->channel());
  ReflectedPool pool(stream);
  pool.Load("perch.v1.ReadService");
  const auto* method =
      pool.pool().FindMethodByName("perch.v1.ReadService.GetTimeline");
  ASSERT_NE(method, nullptr);

  google::protobuf::DynamicMessageFactory factory(&pool.pool());
  std::unique_ptr<Message> request(
      factory.GetPrototype(method->input_type())->New());
  std::unique_ptr<Message> response(
      factory.GetPrototype(method->output_type())->New());
  // '@' is not part of a screen name: perch refuses before going upstream.
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(
          R"({"screenName": "@perch_dev", "pageSize": 5})", request.get())
          .ok());
  grpc::Status status = CallGeneric(
      *h->channel(), "/perch.v1.ReadService/GetTimeline", *request, *response);
  ASSERT_THAT(status, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));

  // grpc-status-details-bin is a google.rpc.Status; its Any details name
  // their types, which reflection resolves.
  const Descriptor* status_type = pool.Message("google.rpc.Status");
  ASSERT_NE(status_type, nullptr);
  std::unique_ptr<Message> rich(factory.GetPrototype(status_type)->New());
  ASSERT_TRUE(rich->ParseFromString(status.error_details()));
  const auto* details = status_type->FindFieldByName("details");
  const auto* reflection = rich->GetReflection();
  std::vector<std::string> types;
  std::string reason;
  for (int i = 0; i < reflection->FieldSize(*rich, details); ++i) {
    const Message& any = reflection->GetRepeatedMessage(*rich, details, i);
    const auto* any_reflection = any.GetReflection();
    const std::string type_url = any_reflection->GetString(
        any, any.GetDescriptor()->FindFieldByName("type_url"));
    const std::string type = type_url.substr(type_url.rfind('/') + 1);
    types.push_back(type);
    const Descriptor* detail_type = pool.Message(type);
    ASSERT_NE(detail_type, nullptr) << type;
    std::unique_ptr<Message> detail(factory.GetPrototype(detail_type)->New());
    ASSERT_TRUE(detail->ParseFromString(any_reflection->GetString(
        any, any.GetDescriptor()->FindFieldByName("value"))));
    if (type == "google.rpc.ErrorInfo") {
      reason = detail->GetReflection()->GetString(
          *detail, detail_type->FindFieldByName("reason"));
    }
  }
  EXPECT_EQ(types, (std::vector<std::string>{"google.rpc.ErrorInfo",
                                             "google.rpc.BadRequest"}));
  EXPECT_EQ(reason, "INVALID_REQUEST");

  // And the JSON a grpcurl user would see.
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(*rich, &json).ok());
  EXPECT_TRUE(absl::StrContains(json, R"("field":"screen_name")")) << json;
}

}  // namespace
}  // namespace perch::testing
