// Maps v1.1 user objects (users/show, and the users inside tweets, pages and
// lists) to perch.v1.User. Pure functions over the JSON text; the endpoint
// calls and paging live in upstream/ and core/.
#ifndef PERCH_SERVER_MAPPING_USER_JSON_H_
#define PERCH_SERVER_MAPPING_USER_JSON_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "perch/v1/resources.pb.h"
#include "server/mapping/json_text.h"

namespace perch::mapping {

// A users/show.json body (one user object). Fields: id_str (required),
// screen_name, name, description, location, url (null -> ""), created_at,
// followers_count, friends_count -> following_count, listed_count,
// statuses_count -> tweet_count, verified, protected,
// profile_image_url_https. Unknown members are ignored. A wrong shape, a
// missing id_str or an unparseable created_at: INTERNAL,
// UPSTREAM_MALFORMED_RESPONSE, naming the JSON path. Thread-safe.
absl::StatusOr<perch::v1::User> ParseUser(JsonText json);

}  // namespace perch::mapping

#endif  // PERCH_SERVER_MAPPING_USER_JSON_H_
