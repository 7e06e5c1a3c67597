// The upstream read surface core/ talks to: dialect-neutral queries in,
// parsed perch.v1 pages out. Each implementation (v1.1, v2) owns its paths,
// parameters, field lists, JSON mapping, paging and error parsing; core/ owns
// validation, page tokens, coalescing, caching and the deadline.
#ifndef PERCH_SERVER_UPSTREAM_READ_DIALECT_H_
#define PERCH_SERVER_UPSTREAM_READ_DIALECT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "perch/v1/resources.pb.h"
#include "server/upstream/read_handle.h"

namespace perch::upstream {

// x-rate-limit-* of the answering endpoint; absent when not sent.
struct RateLimitWindow {
  int64_t limit = 0;
  int64_t remaining = 0;
  absl::Time reset = absl::UnixEpoch();
};

// A user by id or by screen name (exactly one set, validated by core/).
struct UserRef {
  std::string user_id;
  std::string screen_name;
};

// A list by id, or by owner screen name + slug (validated by core/).
struct ListRef {
  std::string list_id;
  std::string owner_screen_name;
  std::string slug;
};

// `position` is "" for the first page, else a `next_position` this same
// dialect returned for the same query. `page_size` is what the caller asked
// for (already defaulted and range-checked by core/); a dialect returns at
// most that many items, and may return fewer (AIP-158).
struct TimelineQuery {
  UserRef user;
  int page_size = 20;
  std::string since_id;  // exclusive; "" = none
  bool exclude_replies = false;
  bool include_retweets = true;
  std::string position;
};

struct SearchQuery {
  enum class Ranking { kDefault, kMixed, kRecent, kPopular };
  std::string query;  // 1-500 characters
  int page_size = 20;
  Ranking ranking = Ranking::kDefault;
  std::string lang;      // ISO 639-1 or ""
  std::string until;     // YYYY-MM-DD (tweets before that day) or ""
  std::string since_id;  // exclusive; "" = none
  std::string position;
};

struct FollowersQuery {
  UserRef user;
  int page_size = 20;
  bool ids_only = false;
  std::string position;
};

struct ListQuery {
  enum class View { kTweets, kMembers };
  ListRef list;
  View view = View::kTweets;
  int page_size = 20;
  bool include_retweets = true;  // kTweets only
  // Also fetch the list's own metadata (core/ asks on the first page).
  bool with_metadata = false;
  std::string position;
};

// A page of answers. `next_position` is "" on the last page; otherwise an
// opaque string of [A-Za-z0-9_=:-] (no '.'), at most 200 characters, that
// core/ seals into its page token and hands back unchanged.
struct TweetPage {
  std::vector<v1::Tweet> tweets;
  std::string next_position;
  std::optional<RateLimitWindow> rate_limit;
};

struct FollowerPage {
  std::vector<v1::User> users;          // unless ids_only
  std::vector<std::string> user_ids;    // only when ids_only
  std::string next_position;
  std::optional<RateLimitWindow> rate_limit;
};

struct ListPage {
  std::optional<v1::TwitterList> list;  // when with_metadata
  std::vector<v1::Tweet> tweets;        // View::kTweets
  std::vector<v1::User> members;        // View::kMembers
  std::string next_position;
  std::optional<RateLimitWindow> rate_limit;  // of the tweets/members read
};

// Thread-safe. Every method calls `done` exactly once, on any thread, with
// the page or a mapped error (the codes and reasons of UPSTREAM.md section 5
// and UPSTREAM-V2.md section 9; never UNKNOWN), and returns a handle that
// aborts the work (then `done` gets CANCELLED if it had not run yet). A
// method may make several upstream requests (a name lookup, list metadata);
// the handle aborts all of them.
class ReadDialect {
 public:
  template <typename Page>
  using Callback = absl::AnyInvocable<void(absl::StatusOr<Page>) &&>;

  virtual ~ReadDialect() = default;

  // "v2" or "v1.1": for logs.
  virtual absl::string_view name() const = 0;

  virtual std::shared_ptr<ReadHandle> Timeline(const TimelineQuery& query,
                                               absl::Time deadline,
                                               Callback<TweetPage> done) = 0;
  virtual std::shared_ptr<ReadHandle> Search(const SearchQuery& query,
                                             absl::Time deadline,
                                             Callback<TweetPage> done) = 0;
  virtual std::shared_ptr<ReadHandle> Followers(
      const FollowersQuery& query, absl::Time deadline,
      Callback<FollowerPage> done) = 0;
  virtual std::shared_ptr<ReadHandle> List(const ListQuery& query,
                                           absl::Time deadline,
                                           Callback<ListPage> done) = 0;
};

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_READ_DIALECT_H_
