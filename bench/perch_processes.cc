#include "bench/perch_processes.h"

#include <openssl/sha.h>

#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace perch::bench {

absl::StatusOr<std::string> NewApiKey(absl::string_view prefix) {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  unsigned char raw[24];
  urandom.read(reinterpret_cast<char*>(raw), sizeof(raw));
  if (!urandom) return absl::InternalError("cannot read /dev/urandom");
  return absl::StrCat(prefix, "-",
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(raw), sizeof(raw))));
}

std::string Sha256Hex(absl::string_view key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace perch::bench
