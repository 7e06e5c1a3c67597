// Maps the v1.1 bodies that carry one page of a longer result and the
// upstream's pointer to the next page: search (next max_id), followers and
// list members (cursors), follower ids. Only reads the pointer as text;
// turning it into perch's page token is core/'s job.
#ifndef PERCH_SERVER_MAPPING_PAGE_JSON_H_
#define PERCH_SERVER_MAPPING_PAGE_JSON_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "perch/v1/resources.pb.h"
#include "server/mapping/json_text.h"

namespace perch::mapping {

// search/tweets.json: {"statuses":[...], "search_metadata":{...}}.
struct SearchPage {
  // Mapped as ParseTweetArray maps each tweet.
  std::vector<perch::v1::Tweet> tweets;
  // N from search_metadata.next_results ("?max_id=N&q=..."), as decimal
  // text; "" when there is no next page.
  std::string next_max_id;
};
// "statuses" is required; a next_results without a decimal max_id is an
// error. Errors: INTERNAL, UPSTREAM_MALFORMED_RESPONSE, naming the JSON path.
// Thread-safe.
absl::StatusOr<SearchPage> ParseSearchPage(JsonText json);

// followers/list.json and lists/members.json:
// {"users":[...], "next_cursor_str":"...", ...}.
struct UserPage {
  // Mapped as ParseUser maps each user.
  std::vector<perch::v1::User> users;
  // next_cursor_str (or next_cursor when only the number is sent) as
  // decimal text; "" when it is "0", the upstream's end marker, or absent.
  std::string next_cursor;
};
// "users" is required. Errors as ParseSearchPage. Thread-safe.
absl::StatusOr<UserPage> ParseUserPage(JsonText json);

// followers/ids.json: {"ids":[...], "next_cursor_str":"...", ...}.
struct IdPage {
  // Decimal text, whether the upstream sent strings (stringify_ids=true) or
  // bare numbers (read as uint64, exact above 2^53, never via a double).
  std::vector<std::string> ids;
  // As UserPage::next_cursor.
  std::string next_cursor;
};
// "ids" is required; an id that is not a non-negative integer is an error.
// Errors as ParseSearchPage. Thread-safe.
absl::StatusOr<IdPage> ParseIdPage(JsonText json);

}  // namespace perch::mapping

#endif  // PERCH_SERVER_MAPPING_PAGE_JSON_H_
