// Test-only: reads the recorded upstream bodies that are the golden inputs
// for mapping/ (../shared/fixtures/recorded/bodies and recorded-v2, located
// through the PERCH_SHARED_DIR variable that perch_add_test sets for ctest).
#ifndef PERCH_SERVER_MAPPING_TESTING_RECORDED_BODY_H_
#define PERCH_SERVER_MAPPING_TESTING_RECORDED_BODY_H_

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace perch::mapping::testing {

// The file at `path` under ../shared/fixtures (e.g.
// "recorded-v2/twarc-csv/users.jsonl"), byte for byte. A missing variable or
// file is an error naming what was looked for, so a test fails with the
// reason instead of parsing an empty string.
inline absl::StatusOr<std::string> ReadSharedFixture(absl::string_view path) {
  const char* shared = std::getenv("PERCH_SHARED_DIR");
  if (shared == nullptr || *shared == '\0') {
    return absl::FailedPreconditionError(
        "PERCH_SHARED_DIR is not set; run this test through ctest");
  }
  const std::string full_path = absl::StrCat(shared, "/fixtures/", path);
  std::ifstream in(full_path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("missing fixture ", full_path));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// The body file `name` in recorded/bodies (e.g. "testusertimeline.1.json").
inline absl::StatusOr<std::string> ReadRecordedBody(absl::string_view name) {
  return ReadSharedFixture(absl::StrCat("recorded/bodies/", name));
}

// `parse` applied to a fixture as ReadRecordedBody or ReadV2Body gave it:
// the read's error, or the parser's answer (which copies what it keeps, so
// the body need not outlive the call).
template <typename Parse>
auto ParseFixture(const absl::StatusOr<std::string>& body, Parse parse)
    -> decltype(parse(*body)) {
  if (!body.ok()) return body.status();
  return parse(*body);
}

}  // namespace perch::mapping::testing

#endif  // PERCH_SERVER_MAPPING_TESTING_RECORDED_BODY_H_
