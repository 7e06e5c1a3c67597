// JSON string escaping for the small bodies perch's tools write by hand
// (emulator error and token bodies, bench results). The emulator's v1.1
// bodies use JsonWriter's upstream-style escaping instead, and the audit log
// its own ASCII-only variant.
#ifndef PERCH_SERVER_COMMON_JSON_ESCAPE_H_
#define PERCH_SERVER_COMMON_JSON_ESCAPE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace perch {

// `in` as the inside of a JSON string literal (quotes not included): quote,
// backslash and control characters escaped, everything else as is.
std::string JsonEscape(absl::string_view in);

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_JSON_ESCAPE_H_
