// Test-only: what every mapping parser promises for a body that breaks the
// upstream contract (INTERNAL / UPSTREAM_MALFORMED_RESPONSE in the perch.v1
// domain, naming the JSON path), and the cut points that truncate a real body
// in the places a parser is most likely to mistake for an end.
#ifndef PERCH_SERVER_MAPPING_TESTING_MALFORMED_H_
#define PERCH_SERVER_MAPPING_TESTING_MALFORMED_H_

#include <cstddef>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"

namespace perch::mapping::testing {

// A parser under test, by name, reduced to the status it answers.
struct NamedParser {
  const char* name;
  std::function<absl::Status(absl::string_view)> parse;
};

// `Parse` (any Parse* function of mapping/) under `name`, reduced to the
// status it answers: the one way both malformed suites list their parsers.
template <auto Parse>
NamedParser StatusOf(const char* name) {
  return {name, [](absl::string_view json) { return Parse(json).status(); }};
}

inline const NamedParser* FindParser(const std::vector<NamedParser>& parsers,
                                     absl::string_view name) {
  for (const NamedParser& parser : parsers) {
    if (name == parser.name) return &parser;
  }
  return nullptr;
}

inline ::testing::AssertionResult IsMalformed(const absl::Status& status) {
  if (status.ok()) return ::testing::AssertionFailure() << "parsed OK";
  if (status.code() != absl::StatusCode::kInternal ||
      ErrorReason(status) != "UPSTREAM_MALFORMED_RESPONSE") {
    return ::testing::AssertionFailure() << "wrong error: " << status;
  }
  auto info = GetErrorInfo(status);
  if (!info.has_value() || info->domain() != "perch.v1") {
    return ::testing::AssertionFailure() << "wrong domain: " << status;
  }
  return ::testing::AssertionSuccess();
}

// Malformed, and the message names `path` (e.g. "$.data[3].created_at"
// followed by ": ", so "$.data[3].id" does not match "$.data[3].id_str").
inline ::testing::AssertionResult IsMalformedAt(const absl::Status& status,
                                                absl::string_view path) {
  ::testing::AssertionResult malformed = IsMalformed(status);
  if (!malformed) return malformed;
  if (!absl::StrContains(status.message(), absl::StrCat(path, ": "))) {
    return ::testing::AssertionFailure()
           << "does not name " << path << ": " << status;
  }
  return ::testing::AssertionSuccess();
}

// Lengths at which to cut `body`: after every bracket, brace, quote or comma,
// plus every `stride`th byte, leaving out cuts that only drop trailing
// whitespace (harmless) or nothing.
inline std::vector<size_t> TruncationCuts(absl::string_view body,
                                          size_t stride = 97) {
  const size_t meaningful = absl::StripTrailingAsciiWhitespace(body).size();
  std::vector<size_t> cuts;
  for (size_t i = 0; i + 1 < meaningful; ++i) {
    const char ch = body[i];
    if (ch == '}' || ch == ']' || ch == '"' || ch == ',' || i % stride == 0) {
      cuts.push_back(i + 1);
    }
  }
  return cuts;
}

// `parser` accepts the real body `body` (named `name` in failures) whole and
// refuses it cut at each of TruncationCuts(body, stride). Fatal failures:
// call inside ASSERT_NO_FATAL_FAILURE to stop the test at the first.
inline void ExpectEveryCutRefused(const NamedParser& parser,
                                  absl::string_view name,
                                  absl::string_view body, size_t stride = 97) {
  ASSERT_TRUE(parser.parse(body).ok()) << name;
  for (size_t cut : TruncationCuts(body, stride)) {
    ASSERT_TRUE(IsMalformed(parser.parse(body.substr(0, cut))))
        << name << " cut at " << cut << " of " << body.size();
  }
}

}  // namespace perch::mapping::testing

#endif  // PERCH_SERVER_MAPPING_TESTING_MALFORMED_H_
