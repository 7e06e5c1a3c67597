// The v2 dialect's opaque page tokens (meta.next_token / previous_token),
// shaped per endpoint like the real ones (UPSTREAM-V2.md §1.2) and carrying
// the position the emulator needs to serve the next page: 45 base-36
// characters for tweet timelines and search, 16 upper-case characters for
// followers, a decimal int64 for list members and owned lists. A check
// digest makes a token altered, truncated or minted for another shape fail
// to decode. Pure functions; which endpoint uses which shape is the routes'.
#ifndef PERCH_EMULATOR_V2_PAGE_TOKENS_H_
#define PERCH_EMULATOR_V2_PAGE_TOKENS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace perch::emulator {

enum class TokenShape {
  kTweets,     // users/:id/tweets, lists/:id/tweets: "7140dibdnow9c7btw…"
  kSearch,     // tweets/search/recent: "b26v89c19zqg8o3f…"
  kFollowers,  // users/:id/followers: "…1EZZZ", 16 characters
  kInt64,      // lists/:id/members, users/:id/owned_lists
};

struct PagePosition {
  // The page before the boundary (previous_token), not the one after it.
  bool previous = false;
  // `value` is an offset into the whole result sequence rather than the id
  // of the tweet the page starts after (search by relevancy; always true for
  // followers, members and owned lists).
  bool by_offset = false;
  uint64_t value = 0;

  friend bool operator==(const PagePosition& a, const PagePosition& b) {
    return a.previous == b.previous && a.by_offset == b.by_offset &&
           a.value == b.value;
  }
};

// The largest value each shape carries: any tweet id for the 45-character
// shapes, an offset below 36^7 for followers and below 2^40 for int64s.
uint64_t MaxTokenValue(TokenShape shape);

// `position.value` must be at most MaxTokenValue(shape); kFollowers and
// kInt64 tokens always decode with by_offset set.
std::string EncodePageToken(TokenShape shape, const PagePosition& position);

// nullopt unless `token` is exactly what EncodePageToken(shape, ...) gives.
std::optional<PagePosition> DecodePageToken(TokenShape shape,
                                            absl::string_view token);

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_V2_PAGE_TOKENS_H_
