#include "server/service/grpc_status.h"

#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "tests/testing/status_matchers.h"

namespace perch::service {
namespace {

using ::perch::testing::StatusIs;

google::rpc::Status Details(const grpc::Status& s) {
  google::rpc::Status rich;
  EXPECT_TRUE(rich.ParseFromString(s.error_details()));
  return rich;
}

TEST(ToGrpcStatus, OkStaysOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(ToGrpcStatus, CarriesEveryDetailWithErrorInfoFirst) {
  absl::Status s =
      MakeError(absl::StatusCode::kResourceExhausted, "slow down",
                "RATE_LIMITED", kUpstreamDomain, {{"http_status", "429"}});
  AttachRetryInfo(s, absl::Seconds(7));
  AttachQuotaFailure(s, "/1.1/search/tweets.json", "exhausted");
  grpc::Status g = ToGrpcStatus(s);
  EXPECT_THAT(g, StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED, "slow down"));
  google::rpc::Status rich = Details(g);
  EXPECT_THAT(
      absl::Status(static_cast<absl::StatusCode>(rich.code()), rich.message()),
      StatusIs(absl::StatusCode::kResourceExhausted, "slow down"));
  ASSERT_EQ(rich.details_size(), 3);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rich.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "RATE_LIMITED");
  EXPECT_EQ(info.metadata().at("http_status"), "429");
  int retry = 0, quota = 0;
  for (const auto& any : rich.details()) {
    retry += any.Is<google::rpc::RetryInfo>();
    quota += any.Is<google::rpc::QuotaFailure>();
  }
  EXPECT_EQ(retry, 1);
  EXPECT_EQ(quota, 1);
}

TEST(ToGrpcStatus, UnknownBecomesInternalAndGetsAnErrorInfo) {
  grpc::Status g = ToGrpcStatus(absl::UnknownError("oops"));
  EXPECT_THAT(g, StatusIs(grpc::StatusCode::INTERNAL));
  google::rpc::Status rich = Details(g);
  ASSERT_EQ(rich.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rich.details(0).UnpackTo(&info));
  EXPECT_EQ(info.domain(), "perch.v1");
  EXPECT_EQ(info.reason(), "INTERNAL");
}

TEST(ToGrpcStatus, TheTraceIdRidesInTheErrorInfoMetadata) {
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  for (const absl::Status& s :
       {MakeError(absl::StatusCode::kNotFound, "no such user", "USER_NOT_FOUND",
                  kUpstreamDomain, {{"http_status", "404"}}),
        absl::UnavailableError("no details")}) {
    google::rpc::Status rich = Details(ToGrpcStatus(s, trace_id));
    ASSERT_GE(rich.details_size(), 1);
    google::rpc::ErrorInfo info;
    ASSERT_TRUE(rich.details(0).UnpackTo(&info));
    EXPECT_EQ(info.metadata().at("trace_id"), trace_id) << s;
    EXPECT_EQ(ErrorReason(CallerVisibleStatus(s, trace_id)), info.reason());
  }
  google::rpc::ErrorInfo kept;
  ASSERT_TRUE(Details(ToGrpcStatus(MakeError(absl::StatusCode::kNotFound, "x",
                                             "USER_NOT_FOUND", kUpstreamDomain,
                                             {{"http_status", "404"}}),
                                   trace_id))
                  .details(0)
                  .UnpackTo(&kept));
  EXPECT_EQ(kept.metadata().at("http_status"), "404");
  EXPECT_EQ(kept.reason(), "USER_NOT_FOUND");
}

}  // namespace
}  // namespace perch::service
