// JSON string escaping for the small bodies perch's tools write by hand
// (emulator error and token bodies, bench results), and the ASCII-only
// variant log lines use. The emulator's v1.1 bodies use JsonWriter's
// upstream-style escaping instead.
#ifndef PERCH_SERVER_COMMON_JSON_ESCAPE_H_
#define PERCH_SERVER_COMMON_JSON_ESCAPE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace perch {

// `in` as the inside of a JSON string literal (quotes not included): quote,
// backslash and control characters escaped, everything else as is.
std::string JsonEscape(absl::string_view in);

// Appends `in` as a whole JSON string literal, quotes included, in printable
// ASCII only: quote and backslash escaped, every other byte outside 0x20-0x7e
// as \u00XX. A log value (a peer string, a certificate name) is chosen by
// whoever connects: it cannot end the line, close the string, or put bytes
// that are not UTF-8 into the log. (A non-ASCII character thus reads as its
// bytes, one \u00XX each.)
void AppendAsciiJsonString(std::string& out, absl::string_view in);

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_JSON_ESCAPE_H_
