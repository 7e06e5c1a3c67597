// Parses the upstream's "created_at" text: v1.1's "Wed Oct 10 20:19:24 +0000
// 2018" (the same layout on tweets, users and lists) and v2's RFC 3339.
// Strict on purpose: a value in any other shape is an error, so a mapping
// never invents a zero timestamp.
#ifndef PERCH_SERVER_MAPPING_CREATED_AT_H_
#define PERCH_SERVER_MAPPING_CREATED_AT_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace perch::mapping {

// "Www Mmm dd hh:mm:ss +zzzz yyyy" (English day and month abbreviations,
// two-digit zero-padded fields, a +/-hhmm offset) to an absolute time. The
// weekday must match the date. Anything else: INTERNAL,
// UPSTREAM_MALFORMED_RESPONSE, with a message that does not quote `text`.
// Thread-safe.
absl::StatusOr<absl::Time> ParseCreatedAt(absl::string_view text);

// "2022-10-03T17:57:11.000Z", v2's created_at: RFC 3339 with an optional
// fraction of 1-9 digits and an offset of "Z" or "+hh:mm"/"-hh:mm" into
// `out`. A time that does not exist is refused (false), never normalised.
// Thread-safe.
bool ParseIsoTime(absl::string_view text, google::protobuf::Timestamp* out);

}  // namespace perch::mapping

#endif  // PERCH_SERVER_MAPPING_CREATED_AT_H_
