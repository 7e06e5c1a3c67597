// How perch names a token without revealing it: the first 12 hex characters
// of its SHA-256. Safe for logs, responses and audit lines.
#ifndef PERCH_SERVER_AUTH_TOKEN_FINGERPRINT_H_
#define PERCH_SERVER_AUTH_TOKEN_FINGERPRINT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace perch::auth {

std::string TokenFingerprint(absl::string_view token);

}  // namespace perch::auth

#endif  // PERCH_SERVER_AUTH_TOKEN_FINGERPRINT_H_
