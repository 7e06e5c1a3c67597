// Reading a perch-server's --log_format=json output in tests: every line
// must be one JSON object with "time" and "level", and either a "message"
// or a "type" ("audit", "access").
#ifndef PERCH_TESTS_INTEGRATION_JSON_LOG_H_
#define PERCH_TESTS_INTEGRATION_JSON_LOG_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "simdjson.h"

namespace perch::testing {

struct JsonLogLine {
  std::string type;  // "" for a plain message
  std::string text;
};

// Fails the current test for each line that is not such an object.
inline std::vector<JsonLogLine> ParseJsonLogLines(const std::string& output) {
  std::vector<JsonLogLine> lines;
  simdjson::dom::parser parser;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (line.empty()) continue;
    JsonLogLine parsed;
    parsed.text = std::string(line);
    simdjson::dom::object o;
    if (parser.parse(parsed.text).get(o) != simdjson::SUCCESS) {
      ADD_FAILURE() << "not a JSON object: " << parsed.text;
      continue;
    }
    std::string_view time, level, type, message;
    EXPECT_EQ(o["time"].get(time), simdjson::SUCCESS) << parsed.text;
    EXPECT_EQ(o["level"].get(level), simdjson::SUCCESS) << parsed.text;
    if (o["type"].get(type) == simdjson::SUCCESS) {
      parsed.type = std::string(type);
    } else {
      EXPECT_EQ(o["message"].get(message), simdjson::SUCCESS) << parsed.text;
    }
    lines.push_back(std::move(parsed));
  }
  return lines;
}

}  // namespace perch::testing

#endif  // PERCH_TESTS_INTEGRATION_JSON_LOG_H_
