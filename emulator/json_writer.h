// Writes JSON the way the upstream serialises its bodies: compact, members in
// the order written, integers written from their 64-bit value, never through
// a double, and strings escaped as each dialect does: v1.1 escapes "/", '<',
// '>' and every non-ASCII code point (\uXXXX, UTF-16 surrogate pairs); v2
// sends the Basic Multilingual Plane as raw UTF-8 and escapes only controls
// and the code points beyond it (as surrogate pairs, upper-case hex).
#ifndef PERCH_EMULATOR_JSON_WRITER_H_
#define PERCH_EMULATOR_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace perch::emulator {

enum class JsonDialect { kV1, kV2 };

// `utf8` as a quoted JSON string in `dialect`'s escaping. Invalid UTF-8
// becomes U+FFFD.
void AppendJsonString(JsonDialect dialect, absl::string_view utf8,
                      std::string* out);

// Not thread-safe; one writer per body. Misuse (a value without a key in an
// object, unbalanced ends) is a programming error and is not detected.
class JsonWriter {
 public:
  explicit JsonWriter(JsonDialect dialect = JsonDialect::kV1)
      : dialect_(dialect) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(absl::string_view key);
  JsonWriter& String(absl::string_view value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // A complete JSON value, copied as is (e.g. "0.012").
  JsonWriter& Raw(absl::string_view json);

  // Key and value in one call.
  JsonWriter& Field(absl::string_view key, absl::string_view value) {
    return Key(key).String(value);
  }
  JsonWriter& Field(absl::string_view key, const char* value) {
    return Key(key).String(value);
  }

  std::string Release() { return std::move(out_); }

 private:
  void BeforeValue();
  // A container's bracket, with the comma bookkeeping of its items.
  JsonWriter& Open(char bracket);
  JsonWriter& Close(char bracket);
  void AppendString(absl::string_view utf8);

  JsonDialect dialect_;
  std::string out_;
  std::vector<bool> has_items_;  // one per open container
  bool after_key_ = false;
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_JSON_WRITER_H_
