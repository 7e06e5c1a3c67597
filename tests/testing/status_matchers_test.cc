#include "tests/testing/status_matchers.h"

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace perch::testing {
namespace {

using ::testing::AllOf;
using ::testing::DescribeMatcher;
using ::testing::HasSubstr;
using ::testing::Matcher;
using ::testing::Not;

// What a failing EXPECT_THAT would print after "Actual: ...": the matcher's
// explanation of why `value` does not match.
template <typename T, typename M>
std::string Explain(const M& matcher, const T& value) {
  ::testing::StringMatchResultListener listener;
  Matcher<const T&>(matcher).MatchAndExplain(value, &listener);
  return listener.str();
}

TEST(StatusIs, MatchesCodeOfAbslStatus) {
  EXPECT_THAT(absl::NotFoundError("no user"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(absl::NotFoundError("no user"),
              Not(StatusIs(absl::StatusCode::kUnavailable)));
  EXPECT_THAT(absl::OkStatus(), StatusIs(absl::StatusCode::kOk));
}

TEST(StatusIs, MatchesCodeAndMessage) {
  const absl::Status s = absl::UnavailableError("upstream 503");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable, "upstream 503"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("503")));
  EXPECT_THAT(s, Not(StatusIs(absl::StatusCode::kUnavailable, "upstream")));
  EXPECT_THAT(s, Not(StatusIs(absl::StatusCode::kInternal, HasSubstr("503"))));
}

TEST(StatusIs, MatchesStatusOrByItsStatus) {
  absl::StatusOr<int> failed = absl::InvalidArgumentError("count");
  absl::StatusOr<int> value = 7;
  EXPECT_THAT(failed, StatusIs(absl::StatusCode::kInvalidArgument, "count"));
  EXPECT_THAT(value, StatusIs(absl::StatusCode::kOk));
  EXPECT_THAT(value, Not(StatusIs(absl::StatusCode::kInvalidArgument)));
}

TEST(StatusIs, MatchesGrpcStatusWithEitherKindOfCode) {
  const grpc::Status s(grpc::StatusCode::PERMISSION_DENIED, "not yours");
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::PERMISSION_DENIED, "not yours"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(s, Not(StatusIs(grpc::StatusCode::NOT_FOUND)));
  EXPECT_THAT(grpc::Status::OK, StatusIs(grpc::StatusCode::OK));
}

TEST(IsOk, MatchesOnlySuccess) {
  EXPECT_THAT(absl::OkStatus(), IsOk());
  EXPECT_THAT(absl::StatusOr<std::string>("x"), IsOk());
  EXPECT_THAT(grpc::Status::OK, IsOk());
  EXPECT_THAT(absl::CancelledError(), Not(IsOk()));
  EXPECT_THAT(absl::StatusOr<int>(absl::InternalError("x")), Not(IsOk()));
  EXPECT_THAT(grpc::Status(grpc::StatusCode::CANCELLED, ""), Not(IsOk()));
}

TEST(StatusIs, DescriptionNamesExpectedCodeAndMessage) {
  EXPECT_EQ(DescribeMatcher<absl::Status>(
                StatusIs(absl::StatusCode::kNotFound, HasSubstr("user"))),
            "has code NOT_FOUND and a message that has substring \"user\"");
  EXPECT_EQ(DescribeMatcher<absl::Status>(StatusIs(absl::StatusCode::kNotFound),
                                          /*negation=*/true),
            "has a code other than NOT_FOUND");
  EXPECT_EQ(DescribeMatcher<grpc::Status>(IsOk()), "is OK");
}

TEST(StatusIs, MismatchExplainsActualCodeAndMessage) {
  EXPECT_EQ(Explain(StatusIs(absl::StatusCode::kNotFound),
                    absl::UnavailableError("upstream 503")),
            "whose status is UNAVAILABLE: \"upstream 503\"");
  EXPECT_EQ(Explain(StatusIs(grpc::StatusCode::NOT_FOUND),
                    grpc::Status(grpc::StatusCode::INTERNAL, "bad json")),
            "whose status is INTERNAL: \"bad json\"");
  EXPECT_EQ(Explain(IsOk(), absl::StatusOr<int>(absl::AbortedError("gone"))),
            "whose status is ABORTED: \"gone\"");
}

// The whole message a failing EXPECT_THAT(value, matcher) prints.
template <typename T, typename M>
std::string FailureOf(const T& value, const M& matcher) {
  ::testing::TestPartResultArray failures;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::
            INTERCEPT_ONLY_CURRENT_THREAD,
        &failures);
    EXPECT_THAT(value, matcher);
  }
  return failures.size() == 1 ? failures.GetTestPartResult(0).message()
                              : "no failure";
}

// What a failing assertion prints: the expected code and message matcher,
// and the actual status's code and message, for each kind of status.
TEST(StatusIs, FailingAssertionPrintsExpectedAndActual) {
  EXPECT_THAT(
      FailureOf(absl::UnavailableError("upstream 503"),
                StatusIs(absl::StatusCode::kNotFound, HasSubstr("user"))),
      AllOf(HasSubstr("Expected: has code NOT_FOUND and a message "
                      "that has substring \"user\""),
            HasSubstr("Actual: UNAVAILABLE: upstream 503"),
            HasSubstr("whose status is UNAVAILABLE: \"upstream "
                      "503\"")));
  EXPECT_THAT(FailureOf(grpc::Status(grpc::StatusCode::INTERNAL, "bad json"),
                        StatusIs(grpc::StatusCode::NOT_FOUND)),
              AllOf(HasSubstr("Expected: has code NOT_FOUND\n"),
                    HasSubstr("Actual: INTERNAL: \"bad json\"")));
  EXPECT_THAT(
      FailureOf(absl::StatusOr<int>(absl::AbortedError("gone")), IsOk()),
      AllOf(HasSubstr("Expected: is OK\n"),
            HasSubstr("Actual: ABORTED: gone")));
  EXPECT_THAT(
      FailureOf(absl::StatusOr<int>(3), StatusIs(absl::StatusCode::kNotFound)),
      HasSubstr("Actual: OK holding 3"));
  EXPECT_EQ(FailureOf(absl::NotFoundError("x"),
                      StatusIs(absl::StatusCode::kNotFound)),
            "no failure");
}

}  // namespace
}  // namespace perch::testing
