// Maps the v1.1 list object (lists/show) to perch.v1.TwitterList. The list's
// tweets and members come from tweet_json.h and page_json.h.
#ifndef PERCH_SERVER_MAPPING_LIST_JSON_H_
#define PERCH_SERVER_MAPPING_LIST_JSON_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "perch/v1/resources.pb.h"
#include "server/mapping/json_text.h"

namespace perch::mapping {

// A lists/show.json body. Fields: id_str (required), name, slug, full_name,
// description, mode ("public"/"private"; anything else -> MODE_UNSPECIFIED),
// member_count, subscriber_count, created_at, user -> owner. Unknown members
// are ignored. A wrong shape, a missing id_str or an unparseable created_at:
// INTERNAL, UPSTREAM_MALFORMED_RESPONSE, naming the JSON path. Thread-safe.
absl::StatusOr<perch::v1::TwitterList> ParseTwitterList(JsonText json);

}  // namespace perch::mapping

#endif  // PERCH_SERVER_MAPPING_LIST_JSON_H_
