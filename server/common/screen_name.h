// The shape of an X/Twitter screen name (a handle without its '@'): 1 to 15
// of A-Z, a-z, 0-9 and '_'. One spelling of the rule for whoever checks a
// name before it goes upstream: the perch CLI's arguments and the server's
// request validation. (The emulator keeps its own: it imitates the upstream
// and shares no code with perch-server.)
#ifndef PERCH_SERVER_COMMON_SCREEN_NAME_H_
#define PERCH_SERVER_COMMON_SCREEN_NAME_H_

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace perch {

inline constexpr size_t kMaxScreenNameLength = 15;

inline bool IsScreenName(absl::string_view s) {
  return !s.empty() && s.size() <= kMaxScreenNameLength &&
         absl::c_all_of(s, [](char c) {
           return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                  c == '_';
         });
}

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_SCREEN_NAME_H_
