// Byte-level encodings the upstream contract relies on: percent-encoding
// (RFC 1738 / RFC 3986), HTML-form encoding (application/x-www-form-urlencoded)
// and JSON string escaping. Pure functions; no HTTP or routing here.
#ifndef PERCH_EMULATOR_CODEC_H_
#define PERCH_EMULATOR_CODEC_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace perch::emulator {

// Decodes every "%XX"; any other byte (including '+') stays as it is.
// INVALID_ARGUMENT on a '%' not followed by two hex digits.
absl::StatusOr<std::string> PercentDecode(absl::string_view in);

// PercentDecode, but '+' means a space first (form encoding).
absl::StatusOr<std::string> FormDecode(absl::string_view in);

// Encodes every byte outside ALPHA / DIGIT / "-._~" as "%XX" (upper-case hex).
std::string PercentEncode(absl::string_view in);

using FormFields = std::vector<std::pair<std::string, std::string>>;

// Splits "a=1&b=2" into decoded pairs in order; empty pieces are skipped and
// a piece without '=' has an empty value. INVALID_ARGUMENT on a bad escape.
absl::StatusOr<FormFields> ParseForm(absl::string_view in);

// The value of the first field called `name`, or nullptr.
const std::string* FindField(const FormFields& fields, absl::string_view name);

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_CODEC_H_
