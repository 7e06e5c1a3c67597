// The members of one JSON object, built field by field for a structured log
// line ("key":value,... without the braces). Values are strings (ASCII-only
// escaping, json_escape.h), integers or booleans; keys are the caller's
// constants.
#ifndef PERCH_SERVER_COMMON_JSON_FIELDS_H_
#define PERCH_SERVER_COMMON_JSON_FIELDS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace perch {

class JsonFields {
 public:
  // String values longer than `max_value_bytes` are cut to that length, so
  // a line stays bounded whatever a caller chose to send.
  explicit JsonFields(size_t max_value_bytes = 256)
      : max_value_bytes_(max_value_bytes) {}

  // Distinct names, so a string literal never becomes a bool.
  JsonFields& Str(absl::string_view key, absl::string_view value);
  JsonFields& Int(absl::string_view key, int64_t value);
  JsonFields& Bool(absl::string_view key, bool value);

  // "k":v,... in the order added; "" when empty.
  const std::string& members() const { return members_; }

 private:
  void Key(absl::string_view key);

  const size_t max_value_bytes_;
  std::string members_;
};

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_JSON_FIELDS_H_
