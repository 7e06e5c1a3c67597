#include "server/common/json_fields.h"

#include "absl/strings/str_cat.h"
#include "server/common/json_escape.h"

namespace perch {

void JsonFields::Key(absl::string_view key) {
  if (!members_.empty()) members_.push_back(',');
  AppendAsciiJsonString(members_, key);
  members_.push_back(':');
}

JsonFields& JsonFields::Str(absl::string_view key, absl::string_view value) {
  Key(key);
  AppendAsciiJsonString(members_, value.substr(0, max_value_bytes_));
  return *this;
}

JsonFields& JsonFields::Int(absl::string_view key, int64_t value) {
  Key(key);
  absl::StrAppend(&members_, value);
  return *this;
}

JsonFields& JsonFields::Bool(absl::string_view key, bool value) {
  Key(key);
  members_ += value ? "true" : "false";
  return *this;
}

}  // namespace perch
