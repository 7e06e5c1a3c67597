// Opaque AIP-158 page tokens. A token carries the dialect's opaque upstream
// position (a v1.1 max_id or cursor, a v2 pagination token) and a fingerprint
// of the request's other fields, so a token replayed with a different query is
// refused rather than misapplied. Stable across replicas and restarts (no
// process-local hashing).
#ifndef PERCH_SERVER_CORE_PAGE_TOKEN_H_
#define PERCH_SERVER_CORE_PAGE_TOKEN_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace perch::core {

// Fingerprint of `request` with its page_token and page_size fields cleared
// (the page size may change between pages, as AIP-158 allows).
std::string RequestFingerprint(const google::protobuf::Message& request);

// Longest position a token carries.
inline constexpr size_t kMaxPagePositionChars = 200;

// A non-empty string of at most kMaxPagePositionChars of [A-Za-z0-9_=:-]:
// what ReadDialect promises for next_position. No '.', which separates the
// token's parts.
bool IsPagePosition(absl::string_view position);

// `position` must satisfy IsPagePosition.
std::string EncodePageToken(absl::string_view fingerprint,
                            absl::string_view position);

// The position, or INVALID_ARGUMENT (BadRequest field "page_token") if the
// token is malformed or was issued for a request with other fields.
absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view fingerprint);

}  // namespace perch::core

#endif  // PERCH_SERVER_CORE_PAGE_TOKEN_H_
