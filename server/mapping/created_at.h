// Parses the upstream's "created_at" text ("Wed Oct 10 20:19:24 +0000 2018",
// the same layout on tweets, users and lists). Strict on purpose: a value in
// any other shape is an error, so a mapping never invents a zero timestamp.
#ifndef PERCH_SERVER_MAPPING_CREATED_AT_H_
#define PERCH_SERVER_MAPPING_CREATED_AT_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace perch::mapping {

// "Www Mmm dd hh:mm:ss +zzzz yyyy" (English day and month abbreviations,
// two-digit zero-padded fields, a +/-hhmm offset) to an absolute time. The
// weekday must match the date. Anything else: INTERNAL,
// UPSTREAM_MALFORMED_RESPONSE, with a message that does not quote `text`.
// Thread-safe.
absl::StatusOr<absl::Time> ParseCreatedAt(absl::string_view text);

}  // namespace perch::mapping

#endif  // PERCH_SERVER_MAPPING_CREATED_AT_H_
