// A JSON body handed to a parser, with how much of its buffer is readable.
// simdjson reads up to SIMDJSON_PADDING bytes past the end of its input: a
// std::string with that much spare capacity (CurlMultiTransport reserves it
// when the upstream sends Content-Length) is parsed where it lies; anything
// else is first copied into a padded buffer. Either way the result is the
// same; only the copy is saved.
#ifndef PERCH_SERVER_MAPPING_JSON_TEXT_H_
#define PERCH_SERVER_MAPPING_JSON_TEXT_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace perch::mapping {

class JsonText {
 public:
  // Implicit on purpose: every parser takes a JsonText and callers pass what
  // they hold. The viewed text must outlive the parse call.
  JsonText(const std::string& text)  // NOLINT(runtime/explicit)
      : text_(text), capacity_(text.capacity()) {}
  JsonText(absl::string_view text)  // NOLINT(runtime/explicit)
      : text_(text), capacity_(text.size()) {}
  JsonText(const char* text)  // NOLINT(runtime/explicit)
      : JsonText(absl::string_view(text)) {}

  absl::string_view text() const { return text_; }
  // Bytes readable from text().data(), at least text().size().
  size_t capacity() const { return capacity_; }

 private:
  absl::string_view text_;
  size_t capacity_;
};

}  // namespace perch::mapping

#endif  // PERCH_SERVER_MAPPING_JSON_TEXT_H_
