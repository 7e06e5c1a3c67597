#include "server/upstream/twitter_api.h"

#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/common/percent_encoding.h"

namespace perch::upstream {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

void AddUser(const UserRef& user, Params& params) {
  params.emplace_back("user_id", user.user_id);
  params.emplace_back("screen_name", user.screen_name);
}

void AddList(const ListRef& list, Params& params) {
  params.emplace_back("list_id", list.list_id);
  params.emplace_back("owner_screen_name", list.owner_screen_name);
  params.emplace_back("slug", list.slug);
}

const char* Bool(bool b) { return b ? "true" : "false"; }

}  // namespace

std::optional<RateLimitWindow> ReadRateLimit(
    const http::HttpResponse& response) {
  auto limit = response.Header("x-rate-limit-limit");
  auto remaining = response.Header("x-rate-limit-remaining");
  auto reset = response.Header("x-rate-limit-reset");
  RateLimitWindow window;
  int64_t reset_seconds = 0;
  if (!limit.has_value() || !remaining.has_value() || !reset.has_value() ||
      !absl::SimpleAtoi(*limit, &window.limit) ||
      !absl::SimpleAtoi(*remaining, &window.remaining) ||
      !absl::SimpleAtoi(*reset, &reset_seconds)) {
    return std::nullopt;
  }
  window.reset = absl::FromUnixSeconds(reset_seconds);
  return window;
}

std::string TwitterApi::Url(absl::string_view path,
                            const Params& params) const {
  std::string url = absl::StrCat(base_url_, path);
  char separator = '?';
  for (const auto& [key, value] : params) {
    if (value.empty()) continue;
    absl::StrAppend(&url, std::string(1, separator), key, "=",
                    PercentEncode(value));
    separator = '&';
  }
  return url;
}

std::shared_ptr<ReadHandle> TwitterApi::Get(absl::string_view path,
                                            const Params& params,
                                            absl::Time deadline,
                                            Callback done) {
  return reader_.Get(Url(path, params), std::string(path), deadline,
                     [done = std::move(done)](
                         absl::StatusOr<http::HttpResponse> response) mutable {
                       if (!response.ok()) {
                         std::move(done)(response.status());
                         return;
                       }
                       ApiResponse out;
                       out.rate_limit = ReadRateLimit(*response);
                       out.body = std::move(response->body);
                       std::move(done)(std::move(out));
                     });
}

std::shared_ptr<ReadHandle> TwitterApi::UserTimeline(const TimelineQuery& q,
                                                     absl::Time deadline,
                                                     Callback done) {
  Params params;
  AddUser(q.user, params);
  params.emplace_back("count", absl::StrCat(q.count));
  params.emplace_back("since_id", q.since_id);
  params.emplace_back("max_id", q.max_id);
  params.emplace_back("exclude_replies", Bool(q.exclude_replies));
  params.emplace_back("include_rts", Bool(q.include_rts));
  params.emplace_back("tweet_mode", "extended");
  return Get("/1.1/statuses/user_timeline.json", params, deadline,
             std::move(done));
}

std::shared_ptr<ReadHandle> TwitterApi::SearchTweets(const SearchQuery& q,
                                                     absl::Time deadline,
                                                     Callback done) {
  Params params = {{"q", q.q},
                   {"count", absl::StrCat(q.count)},
                   {"result_type", q.result_type},
                   {"lang", q.lang},
                   {"until", q.until},
                   {"since_id", q.since_id},
                   {"max_id", q.max_id},
                   {"tweet_mode", "extended"}};
  return Get("/1.1/search/tweets.json", params, deadline, std::move(done));
}

std::shared_ptr<ReadHandle> TwitterApi::FollowersList(const UserRef& user,
                                                      const CursorQuery& q,
                                                      absl::Time deadline,
                                                      Callback done) {
  Params params;
  AddUser(user, params);
  params.emplace_back("cursor", q.cursor);
  params.emplace_back("count", absl::StrCat(q.count));
  params.emplace_back("skip_status", "true");
  params.emplace_back("include_user_entities", "false");
  return Get("/1.1/followers/list.json", params, deadline, std::move(done));
}

std::shared_ptr<ReadHandle> TwitterApi::FollowersIds(const UserRef& user,
                                                     const CursorQuery& q,
                                                     absl::Time deadline,
                                                     Callback done) {
  Params params;
  AddUser(user, params);
  params.emplace_back("cursor", q.cursor);
  params.emplace_back("count", absl::StrCat(q.count));
  params.emplace_back("stringify_ids", "true");
  return Get("/1.1/followers/ids.json", params, deadline, std::move(done));
}

std::shared_ptr<ReadHandle> TwitterApi::ListsShow(const ListRef& list,
                                                  absl::Time deadline,
                                                  Callback done) {
  Params params;
  AddList(list, params);
  return Get("/1.1/lists/show.json", params, deadline, std::move(done));
}

std::shared_ptr<ReadHandle> TwitterApi::ListsStatuses(
    const ListStatusesQuery& q, absl::Time deadline, Callback done) {
  Params params;
  AddList(q.list, params);
  params.emplace_back("count", absl::StrCat(q.count));
  params.emplace_back("since_id", q.since_id);
  params.emplace_back("max_id", q.max_id);
  params.emplace_back("include_rts", Bool(q.include_rts));
  params.emplace_back("tweet_mode", "extended");
  return Get("/1.1/lists/statuses.json", params, deadline, std::move(done));
}

std::shared_ptr<ReadHandle> TwitterApi::ListsMembers(const ListRef& list,
                                                     const CursorQuery& q,
                                                     absl::Time deadline,
                                                     Callback done) {
  Params params;
  AddList(list, params);
  params.emplace_back("cursor", q.cursor);
  params.emplace_back("count", absl::StrCat(q.count));
  params.emplace_back("skip_status", "true");
  return Get("/1.1/lists/members.json", params, deadline, std::move(done));
}

}  // namespace perch::upstream
