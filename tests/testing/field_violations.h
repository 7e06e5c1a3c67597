// gMock matchers for the INVALID_ARGUMENT perch answers a request it refuses
// (server/common/errors.h: MakeInvalidArgument): its google.rpc.BadRequest
// names each field at fault. A test states every field it expects, in order,
// and a failure prints the code and the violations the status had.
#ifndef PERCH_TESTS_TESTING_FIELD_VIOLATIONS_H_
#define PERCH_TESTS_TESTING_FIELD_VIOLATIONS_H_

#include <gmock/gmock.h>

#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"
#include "server/common/errors.h"

namespace perch::testing {

// (field, description) of each violation, in order.
using FieldDescriptions = std::vector<std::pair<std::string, std::string>>;

namespace internal {

class InvalidArgumentMatcher
    : public ::testing::MatcherInterface<const absl::Status&> {
 public:
  // `with_descriptions` false: only the fields of `expected` are compared.
  InvalidArgumentMatcher(FieldDescriptions expected, bool with_descriptions)
      : expected_(std::move(expected)), with_descriptions_(with_descriptions) {}

  bool MatchAndExplain(
      const absl::Status& status,
      ::testing::MatchResultListener* listener) const override {
    if (status.code() != absl::StatusCode::kInvalidArgument) {
      *listener << "whose code is " << absl::StatusCodeToString(status.code());
      return false;
    }
    std::optional<google::rpc::BadRequest> bad = GetBadRequest(status);
    if (!bad.has_value()) {
      *listener << "which has no BadRequest";
      return false;
    }
    FieldDescriptions actual;
    for (const auto& v : bad->field_violations()) {
      actual.emplace_back(v.field(), v.description());
    }
    *listener << "whose violations are " << ::testing::PrintToString(actual);
    if (actual.size() != expected_.size()) return false;
    for (size_t i = 0; i < actual.size(); ++i) {
      if (actual[i].first != expected_[i].first) return false;
      if (with_descriptions_ && actual[i].second != expected_[i].second) {
        return false;
      }
    }
    return true;
  }

  void DescribeTo(std::ostream* os) const override {
    *os << "is INVALID_ARGUMENT with a BadRequest on exactly ";
    if (with_descriptions_) {
      *os << ::testing::PrintToString(expected_);
      return;
    }
    std::vector<std::string> fields;
    for (const auto& [field, description] : expected_) fields.push_back(field);
    *os << ::testing::PrintToString(fields);
  }

 private:
  FieldDescriptions expected_;
  bool with_descriptions_;
};

}  // namespace internal

// An INVALID_ARGUMENT whose BadRequest names exactly `fields`, in order,
// whatever their descriptions.
inline ::testing::Matcher<const absl::Status&> IsInvalidArgumentOn(
    const std::vector<std::string>& fields) {
  FieldDescriptions expected;
  for (const std::string& field : fields) expected.emplace_back(field, "");
  return ::testing::MakeMatcher(
      new internal::InvalidArgumentMatcher(std::move(expected), false));
}

// An INVALID_ARGUMENT whose BadRequest holds exactly `violations`, in order.
inline ::testing::Matcher<const absl::Status&> IsInvalidArgumentWith(
    FieldDescriptions violations) {
  return ::testing::MakeMatcher(
      new internal::InvalidArgumentMatcher(std::move(violations), true));
}

}  // namespace perch::testing

#endif  // PERCH_TESTS_TESTING_FIELD_VIOLATIONS_H_
