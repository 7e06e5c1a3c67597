// Percent-encoding for URLs and form bodies, the one flavour Twitter's docs
// ask for everywhere (RFC 3986 unreserved set kept, all else %XX).
#ifndef PERCH_SERVER_COMMON_PERCENT_ENCODING_H_
#define PERCH_SERVER_COMMON_PERCENT_ENCODING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace perch {

// Encodes every byte except ALPHA / DIGIT / "-" / "." / "_" / "~" as %XX
// (upper-case hex).
std::string PercentEncode(absl::string_view text);

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_PERCENT_ENCODING_H_
