// gMock matchers for statuses: StatusIs(code), StatusIs(code, message) and
// IsOk(), for absl::Status, absl::StatusOr<T> and grpc::Status alike, so a
// test states the code it expects and a failure prints the whole status
// (code and message) instead of two bare enum values.
#ifndef PERCH_TESTS_TESTING_STATUS_MATCHERS_H_
#define PERCH_TESTS_TESTING_STATUS_MATCHERS_H_

#include <gmock/gmock.h>
#include <grpcpp/support/status.h>

#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"

namespace perch::testing {
namespace internal {

// What the matchers compare: every status type reduces to these two.
struct StatusParts {
  absl::StatusCode code;
  std::string message;
};

inline StatusParts PartsOf(const absl::Status& s) {
  return {s.code(), std::string(s.message())};
}
template <typename T>
StatusParts PartsOf(const absl::StatusOr<T>& s) {
  return PartsOf(s.status());
}
// gRPC's and Abseil's codes are both google.rpc.Code, number for number, so
// one name table (Abseil's) prints either and either kind of code matches.
inline StatusParts PartsOf(const grpc::Status& s) {
  return {static_cast<absl::StatusCode>(s.error_code()), s.error_message()};
}

inline absl::StatusCode AsAbslCode(absl::StatusCode code) { return code; }
inline absl::StatusCode AsAbslCode(grpc::StatusCode code) {
  return static_cast<absl::StatusCode>(code);
}

inline std::string Describe(const StatusParts& parts) {
  return absl::StrCat(absl::StatusCodeToString(parts.code), ": \"",
                      parts.message, "\"");
}

class StatusIsMatcher {
 public:
  // No `message`: any message matches.
  StatusIsMatcher(
      absl::StatusCode code,
      absl::optional<::testing::Matcher<const std::string&>> message)
      : code_(code), message_(std::move(message)) {}

  template <typename S>
  bool MatchAndExplain(const S& status,
                       ::testing::MatchResultListener* listener) const {
    const StatusParts actual = PartsOf(status);
    *listener << "whose status is " << Describe(actual);
    if (actual.code != code_) return false;
    if (!message_.has_value()) return true;
    ::testing::StringMatchResultListener message_listener;
    if (!message_->MatchAndExplain(actual.message, &message_listener)) {
      const std::string why = message_listener.str();
      if (!why.empty()) *listener << ", and whose message " << why;
      return false;
    }
    return true;
  }

  void DescribeTo(std::ostream* os) const {
    *os << "has code " << absl::StatusCodeToString(code_);
    if (!message_.has_value()) return;
    *os << " and a message that ";
    message_->DescribeTo(os);
  }
  void DescribeNegationTo(std::ostream* os) const {
    *os << "has a code other than " << absl::StatusCodeToString(code_);
    if (!message_.has_value()) return;
    *os << " or a message that ";
    message_->DescribeNegationTo(os);
  }

 private:
  absl::StatusCode code_;
  absl::optional<::testing::Matcher<const std::string&>> message_;
};

class IsOkMatcher {
 public:
  template <typename S>
  bool MatchAndExplain(const S& status,
                       ::testing::MatchResultListener* listener) const {
    const StatusParts actual = PartsOf(status);
    if (actual.code == absl::StatusCode::kOk) return true;
    *listener << "whose status is " << Describe(actual);
    return false;
  }
  void DescribeTo(std::ostream* os) const { *os << "is OK"; }
  void DescribeNegationTo(std::ostream* os) const { *os << "is not OK"; }
};

}  // namespace internal

// Matches a status whose code is `code` (absl::StatusCode or
// grpc::StatusCode), whatever its message.
template <typename Code>
::testing::PolymorphicMatcher<internal::StatusIsMatcher> StatusIs(Code code) {
  return ::testing::MakePolymorphicMatcher(
      internal::StatusIsMatcher(internal::AsAbslCode(code), absl::nullopt));
}

// Matches a status whose code is `code` and whose message matches `message`
// (a matcher such as HasSubstr("x"), or a string for equality).
template <typename Code, typename MessageMatcher>
::testing::PolymorphicMatcher<internal::StatusIsMatcher> StatusIs(
    Code code, MessageMatcher&& message) {
  return ::testing::MakePolymorphicMatcher(
      internal::StatusIsMatcher(internal::AsAbslCode(code),
                                ::testing::SafeMatcherCast<const std::string&>(
                                    std::forward<MessageMatcher>(message))));
}

// Matches an OK status, or a StatusOr holding a value.
inline ::testing::PolymorphicMatcher<internal::IsOkMatcher> IsOk() {
  return ::testing::MakePolymorphicMatcher(internal::IsOkMatcher());
}

}  // namespace perch::testing

// gtest finds a printer by argument-dependent lookup; neither type has one in
// the versions we build against (Abseil 20220623, gRPC 1.51), so a failing
// matcher's "Actual:" line would otherwise be a dump of bytes.
namespace grpc {
inline void PrintTo(const Status& status, std::ostream* os) {
  *os << perch::testing::internal::Describe(
      perch::testing::internal::PartsOf(status));
}
}  // namespace grpc
namespace absl {
template <typename T>
void PrintTo(const StatusOr<T>& status_or, std::ostream* os) {
  if (status_or.ok()) {
    *os << "OK holding " << ::testing::PrintToString(*status_or);
  } else {
    *os << status_or.status();
  }
}
}  // namespace absl

#endif  // PERCH_TESTS_TESTING_STATUS_MATCHERS_H_
