// Reads the bodies of the two successful oauth2 calls (token and
// invalidate_token). Their inputs hold the secret bearer token, so no error
// from here ever carries any byte of the body; deciding what a token type or
// a token means is auth/'s job, not this file's.
#ifndef PERCH_SERVER_MAPPING_TOKEN_JSON_H_
#define PERCH_SERVER_MAPPING_TOKEN_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace perch::mapping {

// The oauth2/token success body {"token_type":"bearer","access_token":"..."}.
struct TokenGrant {
  // As sent ("" when absent); auth/ accepts only "bearer".
  std::string token_type;
  // Byte for byte as sent (JSON escapes undone, nothing else decoded).
  std::string access_token;
};

// A missing or empty access_token, a non-string token_type, or a body that
// is not a JSON object: INTERNAL, UPSTREAM_MALFORMED_RESPONSE, with a message
// naming the field but never quoting the body. Thread-safe.
absl::StatusOr<TokenGrant> ParseTokenGrant(absl::string_view json);

// The oauth2/invalidate_token success body {"access_token":"..."} -> the
// token it names. Errors as ParseTokenGrant. Thread-safe.
absl::StatusOr<std::string> ParseInvalidatedToken(absl::string_view json);

}  // namespace perch::mapping

#endif  // PERCH_SERVER_MAPPING_TOKEN_JSON_H_
