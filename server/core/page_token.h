// Opaque AIP-158 page tokens. A token carries the upstream position (a
// max_id or a cursor) and a fingerprint of the request's other fields, so a
// token replayed with a different query is refused rather than misapplied.
// Stable across replicas and restarts (no process-local hashing).
#ifndef PERCH_SERVER_CORE_PAGE_TOKEN_H_
#define PERCH_SERVER_CORE_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace perch::core {

// Fingerprint of `request` with its page_token and page_size fields cleared
// (the page size may change between pages, as AIP-158 allows).
std::string RequestFingerprint(const google::protobuf::Message& request);

// `position` is a decimal upstream max_id or cursor.
std::string EncodePageToken(absl::string_view fingerprint,
                            absl::string_view position);

// The position, or INVALID_ARGUMENT (BadRequest field "page_token") if the
// token is malformed or was issued for a request with other fields.
absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view fingerprint);

}  // namespace perch::core

#endif  // PERCH_SERVER_CORE_PAGE_TOKEN_H_
