// gMock matcher for the google.rpc.BadRequest an INVALID_ARGUMENT carries
// (server/common/errors.h): HasFieldViolations(m) matches an absl::Status
// whose BadRequest's (field, description) pairs match `m`, e.g.
// ElementsAre(Key("page_token")), so a test states every field it expects
// and a failure prints the violations the status had.
#ifndef PERCH_TESTS_TESTING_FIELD_VIOLATIONS_H_
#define PERCH_TESTS_TESTING_FIELD_VIOLATIONS_H_

#include <gmock/gmock.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"
#include "server/common/errors.h"

namespace perch::testing {

// (field, description) of each violation, in order.
using FieldDescriptions = std::vector<std::pair<std::string, std::string>>;

MATCHER_P(HasFieldViolations, violations,
          "has a BadRequest whose (field, description) pairs " +
              ::testing::DescribeMatcher<FieldDescriptions>(violations,
                                                            negation)) {
  const absl::Status& status = arg;
  std::optional<google::rpc::BadRequest> bad = GetBadRequest(status);
  if (!bad.has_value()) {
    *result_listener << "which has no BadRequest (" << status << ")";
    return false;
  }
  FieldDescriptions pairs;
  for (const auto& v : bad->field_violations()) {
    pairs.emplace_back(v.field(), v.description());
  }
  *result_listener << "whose pairs are " << ::testing::PrintToString(pairs);
  return ::testing::Matches(violations)(pairs);
}

}  // namespace perch::testing

#endif  // PERCH_TESTS_TESTING_FIELD_VIOLATIONS_H_
