// The v1.1 read endpoints perch uses, one method each: knows their paths and
// parameter names (tweet_mode=extended always, stringify_ids=true), nothing
// about protos. Answers with the body and the endpoint's rate-limit window.
#ifndef PERCH_SERVER_UPSTREAM_TWITTER_API_H_
#define PERCH_SERVER_UPSTREAM_TWITTER_API_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/upstream/upstream_reader.h"

namespace perch::upstream {

// x-rate-limit-* of the answering endpoint; absent when not sent.
struct RateLimitWindow {
  int64_t limit = 0;
  int64_t remaining = 0;
  absl::Time reset = absl::UnixEpoch();
};

struct ApiResponse {
  std::string body;
  std::optional<RateLimitWindow> rate_limit;
};

// A user by id or by screen name (exactly one set).
struct UserRef {
  std::string user_id;
  std::string screen_name;
};

// A list by id, or by owner screen name + slug.
struct ListRef {
  std::string list_id;
  std::string owner_screen_name;
  std::string slug;
};

struct TimelineQuery {
  UserRef user;
  int count = 20;
  std::string since_id;
  std::string max_id;
  bool exclude_replies = false;
  bool include_rts = true;
};

struct SearchQuery {
  std::string q;
  int count = 20;
  std::string result_type;  // "", "mixed", "recent", "popular"
  std::string lang;
  std::string until;  // YYYY-MM-DD
  std::string since_id;
  std::string max_id;
};

struct CursorQuery {
  int count = 20;
  std::string cursor = "-1";
};

struct ListStatusesQuery {
  ListRef list;
  int count = 20;
  std::string since_id;
  std::string max_id;
  bool include_rts = true;
};

// Thread-safe. Each callback runs exactly once.
class TwitterApi {
 public:
  using Callback = absl::AnyInvocable<void(absl::StatusOr<ApiResponse>) &&>;

  // `reader` must outlive this object. `base_url` has no trailing slash.
  TwitterApi(UpstreamReader& reader, std::string base_url)
      : reader_(reader), base_url_(std::move(base_url)) {}

  std::shared_ptr<ReadHandle> UserTimeline(const TimelineQuery& q,
                                           absl::Time deadline, Callback done);
  std::shared_ptr<ReadHandle> SearchTweets(const SearchQuery& q,
                                           absl::Time deadline, Callback done);
  std::shared_ptr<ReadHandle> FollowersList(const UserRef& user,
                                            const CursorQuery& q,
                                            absl::Time deadline, Callback done);
  std::shared_ptr<ReadHandle> FollowersIds(const UserRef& user,
                                           const CursorQuery& q,
                                           absl::Time deadline, Callback done);
  std::shared_ptr<ReadHandle> ListsShow(const ListRef& list,
                                        absl::Time deadline, Callback done);
  std::shared_ptr<ReadHandle> ListsStatuses(const ListStatusesQuery& q,
                                            absl::Time deadline, Callback done);
  std::shared_ptr<ReadHandle> ListsMembers(const ListRef& list,
                                           const CursorQuery& q,
                                           absl::Time deadline, Callback done);

  // Builds "{base}{path}?k=v&..." with values percent-encoded, skipping
  // empty values. Exposed for tests.
  std::string Url(
      absl::string_view path,
      const std::vector<std::pair<std::string, std::string>>& params) const;

 private:
  std::shared_ptr<ReadHandle> Get(
      absl::string_view path,
      const std::vector<std::pair<std::string, std::string>>& params,
      absl::Time deadline, Callback done);

  UpstreamReader& reader_;
  const std::string base_url_;
};

// Reads x-rate-limit-limit/-remaining/-reset; nullopt unless all three parse.
std::optional<RateLimitWindow> ReadRateLimit(
    const http::HttpResponse& response);

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_TWITTER_API_H_
