#include "server/auth/token_fingerprint.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"

namespace perch::auth {

std::string TokenFingerprint(absl::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), 6));
}

}  // namespace perch::auth
