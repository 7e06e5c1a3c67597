// How the v2 dialect pages: the opaque position it hands core/ (the v2 page
// token, plus an until_id or a count of items already returned when a page
// had to be cut), and cutting an upstream page to the caller's page size.
// Pure functions; thread-safe.
#ifndef PERCH_SERVER_UPSTREAM_V2_PAGING_H_
#define PERCH_SERVER_UPSTREAM_V2_PAGING_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace perch::upstream {

// Where the next page starts. All empty = the first page.
struct V2Position {
  // The v2 next_token to send (`pagination_token` or `next_token`).
  std::string token;
  // Ask only for tweets older than this id (exclusive), so that a page cut
  // short continues right after its last tweet. Sent with `token` too: a
  // v2 token belongs to the query that produced it.
  std::string until_id;
  // Items of the upstream page at (`until_id`, `token`) already returned,
  // for results not ordered by id (relevancy) where until_id cannot resume.
  int skip = 0;
};

// "" for the first page; otherwise [A-Za-z0-9_=:-]{1,200} (the token is
// base64url-encoded so any token shape fits). An error (INTERNAL,
// UPSTREAM_MALFORMED_RESPONSE) if the upstream's token is too long to fit.
absl::StatusOr<std::string> EncodeV2Position(const V2Position& position);

// The inverse; "" is the first page. A string this dialect did not produce:
// INVALID_ARGUMENT on "page_token".
absl::StatusOr<V2Position> DecodeV2Position(absl::string_view text);

// max_results to send: page_size inside the endpoint's [min, max].
int AskFor(int page_size, int min, int max);

// Cuts the upstream page `items` (answered for `at`) to at most `page_size`
// items and says where the next page starts. Items already returned
// (`at.skip`) are dropped first. When more remain than fit: with
// `resume_by_id` (newest first, and the endpoint takes until_id) the next
// page asks for what is older than the last item returned; otherwise it
// re-reads the same upstream page and skips what was returned. When all fit,
// the next page is the upstream's `next_token` (same until_id), or none.
// `id_of` reads an item's id.
template <typename T, typename IdOf>
absl::StatusOr<std::string> CutPage(std::vector<T>& items, const V2Position& at,
                                    int page_size, absl::string_view next_token,
                                    bool resume_by_id, IdOf id_of) {
  page_size = std::max(page_size, 1);
  const size_t skip = std::min(items.size(), static_cast<size_t>(at.skip));
  items.erase(items.begin(), items.begin() + skip);
  V2Position next;
  if (items.size() > static_cast<size_t>(page_size)) {
    items.resize(page_size);
    if (resume_by_id) {
      next.until_id = std::string(id_of(items.back()));
    } else {
      next = at;
      next.skip = at.skip + page_size;
    }
    return EncodeV2Position(next);
  }
  if (next_token.empty()) return std::string();
  next.token = std::string(next_token);
  next.until_id = at.until_id;
  return EncodeV2Position(next);
}

// The smallest tweet id created at or after `day` (YYYY-MM-DD, UTC
// midnight): as until_id it selects what `end_time` = that midnight would.
// Used where v2 refuses end_time beside since_id/until_id.
absl::StatusOr<std::string> FirstIdOfDay(absl::string_view day);

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_V2_PAGING_H_
