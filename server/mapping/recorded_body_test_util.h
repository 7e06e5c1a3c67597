// Test-only: reads the recorded upstream bodies that are the golden inputs
// for mapping/ (../shared/fixtures/recorded/bodies, located through the
// PERCH_SHARED_DIR variable that perch_add_test sets for ctest).
#ifndef PERCH_SERVER_MAPPING_RECORDED_BODY_TEST_UTIL_H_
#define PERCH_SERVER_MAPPING_RECORDED_BODY_TEST_UTIL_H_

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace perch::mapping::testing {

// The body file `name` (e.g. "testusertimeline.1.json"), byte for byte. A
// missing variable or file is an error naming what was looked for, so a test
// fails with the reason instead of parsing an empty string.
inline absl::StatusOr<std::string> ReadRecordedBody(absl::string_view name) {
  const char* shared = std::getenv("PERCH_SHARED_DIR");
  if (shared == nullptr || *shared == '\0') {
    return absl::FailedPreconditionError(
        "PERCH_SHARED_DIR is not set; run this test through ctest");
  }
  const std::string path =
      absl::StrCat(shared, "/fixtures/recorded/bodies/", name);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("missing fixture ", path));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace perch::mapping::testing

#endif  // PERCH_SERVER_MAPPING_RECORDED_BODY_TEST_UTIL_H_
