#include "server/service/reflection_service.h"

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/text_format.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "perch/v1/read_service.pb.h"
#include "perch/v1/token_service.pb.h"
#include "tests/testing/status_matchers.h"

namespace perch::service {
namespace {

using ::perch::testing::StatusIs;

using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptorProto;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Links perch's files into the generated pool, as the server's services do:
// a static library's generated code is linked only where it is referenced.
class LinkPerchFiles : public ::testing::Environment {
 public:
  void SetUp() override {
    v1::GetTimelineRequest::descriptor();
    v1::ObtainRequest::descriptor();
    google::rpc::Status::descriptor();
    google::rpc::ErrorInfo::descriptor();
  }
};
::testing::Environment* const kLinkPerchFiles =
    ::testing::AddGlobalTestEnvironment(new LinkPerchFiles);

std::vector<std::string> Names(const std::vector<std::string>& files) {
  std::vector<std::string> names;
  for (const std::string& bytes : files) {
    FileDescriptorProto file;
    EXPECT_TRUE(file.ParseFromString(bytes));
    names.push_back(file.name());
  }
  return names;
}

// Builds `files` into a pool that starts empty: fails unless every import
// arrived before or with its importer, as a reflection client needs.
void BuildInFreshPool(const std::vector<std::string>& files,
                      DescriptorPool& pool) {
  // Imports come after their importers: build in reverse.
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    FileDescriptorProto file;
    ASSERT_TRUE(file.ParseFromString(*it));
    ASSERT_NE(pool.BuildFile(file), nullptr) << file.name();
  }
}

TEST(ReflectionCore, ListsItsServicesSortedOnce) {
  ReflectionCore core({"b.S", "a.S", "b.S"});
  EXPECT_THAT(core.services(), ElementsAre("a.S", "b.S"));
}

TEST(ReflectionCore, SymbolComesWithEveryTransitiveImportOnce) {
  ReflectionCore core({});
  auto files = core.FileContainingSymbol("perch.v1.ReadService");
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(Names(*files), ElementsAre("perch/v1/read_service.proto",
                                         "perch/v1/resources.proto",
                                         "google/protobuf/timestamp.proto"));

  DescriptorPool pool;
  BuildInFreshPool(*files, pool);
  const auto* method = pool.FindMethodByName("perch.v1.ReadService.GetList");
  ASSERT_NE(method, nullptr);
  EXPECT_EQ(method->input_type()->full_name(), "perch.v1.GetListRequest");
  EXPECT_NE(pool.FindMessageTypeByName("perch.v1.Tweet"), nullptr);
}

TEST(ReflectionCore, FindsNestedSymbolsMethodsAndFields) {
  ReflectionCore core({});
  for (const char* symbol :
       {"perch.v1.SearchRequest.ResultType", "perch.v1.ReadService.Search",
        "perch.v1.SearchRequest.query", "perch.v1.ListSlug"}) {
    auto files = core.FileContainingSymbol(symbol);
    ASSERT_TRUE(files.ok()) << symbol << ": " << files.status();
    EXPECT_EQ(Names(*files).front(), "perch/v1/read_service.proto") << symbol;
  }
}

TEST(ReflectionCore, ServesErrorDetailsAndWellKnownTypes) {
  // A client decodes grpc-status-details-bin with these and nothing local.
  ReflectionCore core({});
  auto status = core.FileContainingSymbol("google.rpc.Status");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_THAT(Names(*status), ElementsAre("google/rpc/status.proto",
                                          "google/protobuf/any.proto"));
  auto details = core.FileByFilename("google/rpc/error_details.proto");
  ASSERT_TRUE(details.ok()) << details.status();
  EXPECT_THAT(Names(*details), ElementsAre("google/rpc/error_details.proto",
                                           "google/protobuf/duration.proto"));
}

TEST(ReflectionCore, SendsJsonNames) {
  ReflectionCore core({});
  auto files = core.FileByFilename("perch/v1/read_service.proto");
  ASSERT_TRUE(files.ok());
  FileDescriptorProto file;
  ASSERT_TRUE(file.ParseFromString(files->front()));
  for (const auto& message : file.message_type()) {
    if (message.name() != "GetTimelineRequest") continue;
    EXPECT_EQ(message.field(0).json_name(), "screenName");
  }
}

TEST(ReflectionCore, UnknownNamesAreNotFound) {
  ReflectionCore core({});
  EXPECT_THAT(core.FileContainingSymbol("perch.v1.NoSuch").status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(core.FileByFilename("perch/v1/no_such.proto").status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(core.FileContainingExtension("perch.v1.NoSuch", 1).status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(core.FileContainingExtension("perch.v1.Tweet", 100).status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(core.AllExtensionNumbers("perch.v1.NoSuch").status(),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(ReflectionCore, PerchMessagesHaveNoExtensions) {
  ReflectionCore core({});
  auto numbers = core.AllExtensionNumbers("perch.v1.Tweet");
  ASSERT_TRUE(numbers.ok()) << numbers.status();
  EXPECT_THAT(*numbers, IsEmpty());
}

// perch declares no extensions, so these use a pool of their own.
class ReflectionCoreExtensions : public ::testing::Test {
 protected:
  void SetUp() override {
    FileDescriptorProto base, extending;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
        R"pb(name: "t/base.proto"
             package: "t"
             syntax: "proto2"
             message_type {
               name: "Base"
               extension_range { start: 100 end: 200 }
             })pb",
        &base));
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
        R"pb(name: "t/extending.proto"
             package: "t"
             syntax: "proto2"
             dependency: "t/base.proto"
             extension {
               name: "b"
               number: 150
               label: LABEL_OPTIONAL
               type: TYPE_INT32
               extendee: ".t.Base"
             }
             extension {
               name: "a"
               number: 120
               label: LABEL_OPTIONAL
               type: TYPE_INT32
               extendee: ".t.Base"
             })pb",
        &extending));
    ASSERT_NE(pool_.BuildFile(base), nullptr);
    ASSERT_NE(pool_.BuildFile(extending), nullptr);
  }
  DescriptorPool pool_;
};

TEST_F(ReflectionCoreExtensions, AnswersExtensionQueries) {
  ReflectionCore core({}, &pool_);
  auto numbers = core.AllExtensionNumbers("t.Base");
  ASSERT_TRUE(numbers.ok());
  EXPECT_THAT(*numbers, ElementsAre(120, 150));
  auto files = core.FileContainingExtension("t.Base", 150);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(Names(*files), ElementsAre("t/extending.proto", "t/base.proto"));
  EXPECT_THAT(Names(*core.FileContainingSymbol("t.a")),
              ElementsAre("t/extending.proto", "t/base.proto"));
}

// A reflection error as a status: its code and message.
template <typename Response>
absl::Status ErrorOf(const Response& response) {
  return absl::Status(
      static_cast<absl::StatusCode>(response.error_response().error_code()),
      response.error_response().error_message());
}

// Both protocol versions, over a real server on loopback.
class ReflectionServices : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&v1_);
    builder.RegisterService(&v1alpha_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials());
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  // Sends `requests` on one stream of `Version`; returns the answers in
  // order.
  template <typename Version>
  std::vector<typename Version::Response> Exchange(
      const std::vector<typename Version::Request>& requests) {
    auto stub = Version::Api::NewStub(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    auto stream = stub->ServerReflectionInfo(&context);
    std::vector<typename Version::Response> responses;
    for (const typename Version::Request& request : requests) {
      EXPECT_TRUE(stream->Write(request));
      typename Version::Response response;
      EXPECT_TRUE(stream->Read(&response));
      responses.push_back(response);
    }
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
    return responses;
  }

  ReflectionCore core_{
      {"perch.v1.ReadService", "grpc.reflection.v1.ServerReflection"}};
  ReflectionV1Service v1_{core_};
  ReflectionV1AlphaService v1alpha_{core_};
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// v1alpha answers every kind of request as v1 does.
template <typename Version>
class EachReflectionVersion : public ReflectionServices {};

struct VersionName {
  template <typename Version>
  static std::string GetName(int) {
    return std::is_same_v<Version, ReflectionV1> ? "V1" : "V1Alpha";
  }
};
using Versions = ::testing::Types<ReflectionV1, ReflectionV1Alpha>;
TYPED_TEST_SUITE(EachReflectionVersion, Versions, VersionName);

TYPED_TEST(EachReflectionVersion, AnswersEachRequestOnOneStream) {
  std::vector<typename TypeParam::Request> requests(5);
  requests[0].set_list_services("*");
  requests[1].set_file_containing_symbol("perch.v1.ReadService");
  requests[1].set_host("perch.example");
  requests[2].set_file_containing_symbol("perch.v1.NoSuch");
  requests[3].set_file_by_filename("perch/v1/token_service.proto");
  requests[4].set_all_extension_numbers_of_type("perch.v1.Tweet");
  auto responses = this->template Exchange<TypeParam>(requests);
  ASSERT_EQ(responses.size(), 5u);
  ASSERT_EQ(responses[0].list_services_response().service_size(), 2);
  EXPECT_EQ(responses[0].list_services_response().service(0).name(),
            "grpc.reflection.v1.ServerReflection");
  EXPECT_EQ(responses[1].valid_host(), "perch.example");
  EXPECT_EQ(responses[1].original_request().file_containing_symbol(),
            "perch.v1.ReadService");
  EXPECT_EQ(
      responses[1].file_descriptor_response().file_descriptor_proto_size(), 3);
  EXPECT_THAT(ErrorOf(responses[2]), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(
      responses[3].file_descriptor_response().file_descriptor_proto_size(),
      2);  // token_service.proto, timestamp.proto
  EXPECT_EQ(responses[4].all_extension_numbers_response().base_type_name(),
            "perch.v1.Tweet");
  EXPECT_FALSE(responses[4].has_error_response());
}

TEST_F(ReflectionServices, UnsetRequestIsUnimplemented) {
  auto responses = Exchange<ReflectionV1>({{}});
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_THAT(ErrorOf(responses[0]),
              StatusIs(absl::StatusCode::kUnimplemented));
}

}  // namespace
}  // namespace perch::service
