#include "client/error_report.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace perch::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kServer = "localhost:50051";
constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";

google::rpc::ErrorInfo Info(
    absl::string_view reason, absl::string_view domain,
    std::vector<std::pair<std::string, std::string>> metadata = {}) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(std::string(domain));
  for (auto& [key, value] : metadata) (*info.mutable_metadata())[key] = value;
  return info;
}

// A status as perch's service edge builds it: google.rpc.Status with the
// given details, serialized into error_details.
grpc::Status RichStatus(grpc::StatusCode code, absl::string_view message,
                        std::vector<const google::protobuf::Message*> details) {
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(code));
  rich.set_message(std::string(message));
  for (const google::protobuf::Message* detail : details) {
    rich.add_details()->PackFrom(*detail);
  }
  return grpc::Status(code, std::string(message), rich.SerializeAsString());
}

TEST(ExitCodeFor, OneCodePerClass) {
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::OK), 0);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::INVALID_ARGUMENT), 2);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::OUT_OF_RANGE), 2);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::NOT_FOUND), 3);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::PERMISSION_DENIED), 4);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::UNAUTHENTICATED), 4);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::RESOURCE_EXHAUSTED), 5);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::UNAVAILABLE), 6);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::DEADLINE_EXCEEDED), 6);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::INTERNAL), 7);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::UNKNOWN), 7);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::UNIMPLEMENTED), 7);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::CANCELLED), 7);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::FAILED_PRECONDITION), 8);
}

TEST(ReportError, OkIsEmpty) {
  ErrorReport report = ReportError(grpc::Status::OK, kServer);
  EXPECT_EQ(report.text, "");
  EXPECT_EQ(report.exit_code, kExitOk);
}

TEST(ReportError, InvalidArgumentListsEachBadField) {
  google::rpc::ErrorInfo info = Info("INVALID_REQUEST", "perch.v1");
  google::rpc::BadRequest bad_request;
  auto* v = bad_request.add_field_violations();
  v->set_field("page_size");
  v->set_description("must be between 1 and 200");
  v = bad_request.add_field_violations();
  v->set_field("slug.owner_screen_name");
  v->set_description("must be 1-15 of [A-Za-z0-9_]");
  ErrorReport report =
      ReportError(RichStatus(grpc::StatusCode::INVALID_ARGUMENT,
                             "invalid request", {&info, &bad_request}),
                  kServer);
  EXPECT_EQ(report.exit_code, kExitUsage);
  EXPECT_EQ(report.text,
            "error: INVALID_ARGUMENT: invalid request\n"
            "  reason: INVALID_REQUEST (domain perch.v1)\n"
            "  field page_size: must be between 1 and 200\n"
            "  field slug.owner_screen_name: must be 1-15 of [A-Za-z0-9_]\n");
}

TEST(ReportError, NotFoundShowsUpstreamFacts) {
  google::rpc::ErrorInfo info = Info("NOT_FOUND", "api.twitter.com",
                                     {{"upstream_message", "User not found."},
                                      {"http_status", "404"},
                                      {"trace_id", kTraceId},
                                      {"upstream_code", "50"}});
  ErrorReport report = ReportError(
      RichStatus(grpc::StatusCode::NOT_FOUND, "User not found.", {&info}),
      kServer);
  EXPECT_EQ(report.exit_code, kExitNotFound);
  EXPECT_EQ(report.text,
            "error: NOT_FOUND: User not found.\n"
            "  reason: NOT_FOUND (domain api.twitter.com)\n"
            "  http_status: 404\n"
            "  upstream_code: 50\n"
            "  upstream_message: User not found.\n"
            "  trace_id: 4bf92f3577b34da6a3ce929d0e0e4736\n");
}

TEST(ReportError, V2ProblemShowsItsTypeTitleDetailAndWhereToEnrol) {
  google::rpc::ErrorInfo info =
      Info("APP_NOT_ENROLLED", "api.twitter.com",
           {{"http_status", "403"},
            {"upstream_type", "client-forbidden"},
            {"upstream_title", "Client Forbidden"},
            {"upstream_detail", "You must use keys from a Project."},
            {"required_enrollment", "Appropriate Level of API Access"},
            {"registration_url", "https://developer.x.com/en/portal"},
            {"endpoint", "/2/users/:id/tweets"}});
  ErrorReport report = ReportError(
      RichStatus(grpc::StatusCode::PERMISSION_DENIED, "not enrolled", {&info}),
      kServer);
  EXPECT_EQ(report.exit_code, kExitDenied);
  EXPECT_EQ(report.text,
            "error: PERMISSION_DENIED: not enrolled\n"
            "  reason: APP_NOT_ENROLLED (domain api.twitter.com)\n"
            "  http_status: 403\n"
            "  upstream_type: client-forbidden\n"
            "  upstream_title: Client Forbidden\n"
            "  upstream_detail: You must use keys from a Project.\n"
            "  required_enrollment: Appropriate Level of API Access\n"
            "  registration_url: https://developer.x.com/en/portal\n");
}

// The two UNAUTHENTICATEDs share a code and an exit code; the report says
// whose credentials were refused, from the domain and reason alone.
TEST(ReportError, UnauthenticatedSaysWhoseCredentialsWereRefused) {
  google::rpc::ErrorInfo caller =
      Info("CALLER_UNAUTHENTICATED", "perch.v1", {});
  ErrorReport report = ReportError(RichStatus(grpc::StatusCode::UNAUTHENTICATED,
                                              "unknown API key", {&caller}),
                                   kServer);
  EXPECT_EQ(report.exit_code, kExitDenied);
  EXPECT_EQ(report.text,
            "error: UNAUTHENTICATED: unknown API key\n"
            "  reason: CALLER_UNAUTHENTICATED (domain perch.v1)\n"
            "  refused: this caller's credentials, by perch\n");

  for (const char* app : {"APP_CREDENTIALS_REJECTED", "BEARER_TOKEN_REJECTED",
                          "UNEXPECTED_TOKEN_TYPE"}) {
    SCOPED_TRACE(app);
    google::rpc::ErrorInfo info =
        Info(app, "api.twitter.com", {{"http_status", "403"}});
    report = ReportError(
        RichStatus(grpc::StatusCode::UNAUTHENTICATED, "refused", {&info}),
        kServer);
    EXPECT_EQ(report.exit_code, kExitDenied);
    EXPECT_THAT(report.text,
                HasSubstr("  refused: perch's own app credentials, by the "
                          "upstream (this caller's were accepted"));
    EXPECT_THAT(report.text, Not(HasSubstr("this caller's credentials, by")));
  }

  // Other codes with an APP_ reason are not about authentication.
  google::rpc::ErrorInfo enrol =
      Info("APP_NOT_ENROLLED", "api.twitter.com", {});
  report = ReportError(
      RichStatus(grpc::StatusCode::PERMISSION_DENIED, "not enrolled", {&enrol}),
      kServer);
  EXPECT_THAT(report.text, Not(HasSubstr("refused:")));
}

TEST(ReportError, RateLimitedSaysWhenToRetry) {
  google::rpc::ErrorInfo info =
      Info("RATE_LIMITED", "api.twitter.com",
           {{"http_status", "429"},
            {"upstream_code", "88"},
            {"upstream_message", "Rate limit exceeded"}});
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(119);
  retry.mutable_retry_delay()->set_nanos(250000000);
  google::rpc::QuotaFailure quota;
  auto* v = quota.add_violations();
  v->set_subject("statuses/user_timeline");
  v->set_description("900 requests per 15 minutes");
  ErrorReport report =
      ReportError(RichStatus(grpc::StatusCode::RESOURCE_EXHAUSTED,
                             "Rate limit exceeded", {&info, &retry, &quota}),
                  kServer);
  EXPECT_EQ(report.exit_code, kExitRateLimited);
  EXPECT_EQ(report.text,
            "error: RESOURCE_EXHAUSTED: Rate limit exceeded\n"
            "  reason: RATE_LIMITED (domain api.twitter.com)\n"
            "  http_status: 429\n"
            "  upstream_code: 88\n"
            "  upstream_message: Rate limit exceeded\n"
            "  quota: statuses/user_timeline: 900 requests per 15 minutes\n"
            "  retry after 120s\n");
}

TEST(ReportError, ChannelFailureWithoutDetailsNamesTheServer) {
  ErrorReport report =
      ReportError(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                               "failed to connect to all addresses"),
                  kServer);
  EXPECT_EQ(report.exit_code, kExitUnavailable);
  EXPECT_EQ(report.text,
            "error: UNAVAILABLE: failed to connect to all addresses\n"
            "  server: localhost:50051\n");

  report = ReportError(
      grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"),
      kServer);
  EXPECT_EQ(report.exit_code, kExitUnavailable);
  EXPECT_THAT(report.text, HasSubstr("error: DEADLINE_EXCEEDED"));
}

// Errors with one ErrorInfo: the exit code of their class, and the lines
// the report must (and must not) hold.
struct OneInfoCase {
  std::string name;
  grpc::StatusCode code;
  std::string message;
  std::string reason;
  std::string domain;
  std::vector<std::pair<std::string, std::string>> metadata;
  ExitCode exit_code;
  std::vector<std::string> contains;
  std::vector<std::string> lacks;
};

class ReportOneInfoTest : public ::testing::TestWithParam<OneInfoCase> {};

TEST_P(ReportOneInfoTest, ClassAndLines) {
  const OneInfoCase& c = GetParam();
  google::rpc::ErrorInfo info = Info(c.reason, c.domain, c.metadata);
  ErrorReport report =
      ReportError(RichStatus(c.code, c.message, {&info}), kServer);
  EXPECT_EQ(report.exit_code, c.exit_code);
  for (const std::string& line : c.contains) {
    EXPECT_THAT(report.text, HasSubstr(line));
  }
  for (const std::string& line : c.lacks) {
    EXPECT_THAT(report.text, Not(HasSubstr(line)));
  }
}

INSTANTIATE_TEST_SUITE_P(
    ReportError, ReportOneInfoTest,
    ::testing::Values(
        // Denied and unauthenticated share an exit code.
        OneInfoCase{
            "DeniedAndUnauthenticatedShareACode_Denied",
            grpc::StatusCode::PERMISSION_DENIED,
            "protected",
            "PROTECTED_RESOURCE",
            "api.twitter.com",
            {{"http_status", "401"}, {"upstream_message", "Not authorized."}},
            kExitDenied,
            {"reason: PROTECTED_RESOURCE (domain api.twitter.com)"},
            {"upstream_code"}},
        OneInfoCase{
            "DeniedAndUnauthenticatedShareACode_Unauthenticated",
            grpc::StatusCode::UNAUTHENTICATED,
            "token rejected",
            "BEARER_TOKEN_REJECTED",
            "api.twitter.com",
            {{"http_status", "401"}, {"upstream_code", "89"}},
            kExitDenied,
            {"error: UNAUTHENTICATED: token rejected", "  upstream_code: 89\n"},
            {}},
        // perch answered, so the report does not point at the address.
        OneInfoCase{"UpstreamUnavailable",
                    grpc::StatusCode::UNAVAILABLE,
                    "over capacity",
                    "UPSTREAM_UNAVAILABLE",
                    "api.twitter.com",
                    {{"http_status", "503"}},
                    kExitUnavailable,
                    {"UPSTREAM_UNAVAILABLE"},
                    {"server:"}},
        OneInfoCase{"InternalIsAServerError",
                    grpc::StatusCode::INTERNAL,
                    "bad json",
                    "UPSTREAM_MALFORMED_RESPONSE",
                    "perch.v1",
                    {},
                    kExitServerError,
                    {"reason: UPSTREAM_MALFORMED_RESPONSE (domain perch.v1)"},
                    {}},
        OneInfoCase{"FailedPrecondition",
                    grpc::StatusCode::FAILED_PRECONDITION,
                    "not invalidated",
                    "TOKEN_NOT_INVALIDATED",
                    "api.twitter.com",
                    {{"http_status", "403"}, {"upstream_code", "99"}},
                    kExitFailedPrecondition,
                    {"error: FAILED_PRECONDITION", "  upstream_code: 99\n"},
                    {}},
        OneInfoCase{"OtherMetadataIsNotPrinted",
                    grpc::StatusCode::NOT_FOUND,
                    "nope",
                    "NOT_FOUND",
                    "api.twitter.com",
                    {{"endpoint", "lists/show"}},
                    kExitNotFound,
                    {},
                    {"lists/show"}}),
    [](const ::testing::TestParamInfo<OneInfoCase>& info) {
      return info.param.name;
    });

TEST(ReportError, UndecodableDetailsAreSaidSo) {
  ErrorReport report = ReportError(
      grpc::Status(grpc::StatusCode::INTERNAL, "boom", "\xff\xff\xff"),
      kServer);
  EXPECT_EQ(report.exit_code, kExitServerError);
  EXPECT_THAT(report.text, HasSubstr("could not be decoded"));
}

TEST(ReportError, UnknownDetailTypeIsNamed) {
  google::rpc::ErrorInfo info = Info("INTERNAL", "perch.v1");
  google::rpc::Status nested;  // not a detail type the CLI knows
  ErrorReport report = ReportError(
      RichStatus(grpc::StatusCode::INTERNAL, "", {&info, &nested}), kServer);
  EXPECT_EQ(report.text,
            "error: INTERNAL\n"
            "  reason: INTERNAL (domain perch.v1)\n"
            "  detail: type.googleapis.com/google.rpc.Status\n");
}

}  // namespace
}  // namespace perch::client
