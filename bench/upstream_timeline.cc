#include "bench/upstream_timeline.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/common/percent_encoding.h"
#include "server/mapping/tweet_json.h"
#include "server/mapping/v2_json.h"
#include "server/upstream/v2_fields.h"

namespace perch::bench {
namespace {

using upstream::v2_fields::kMediaFields;
using upstream::v2_fields::kTweetExpansions;
using upstream::v2_fields::kTweetFields;
using upstream::v2_fields::kUserFields;

// users/:id/tweets takes max_results 5..100; perch asks for the minimum
// below it and cuts the page.
constexpr int kV2TimelineMin = 5;
constexpr int kV2TimelineMax = 100;

}  // namespace

absl::StatusOr<UpstreamApi> ParseUpstreamApi(absl::string_view name) {
  if (name == "v1.1") return UpstreamApi::kV1_1;
  if (name == "v2") return UpstreamApi::kV2;
  return absl::InvalidArgumentError(
      absl::StrCat("upstream API is v1.1 or v2, not \"", name, "\""));
}

std::string UpstreamApiName(UpstreamApi api) {
  return api == UpstreamApi::kV1_1 ? "v1.1" : "v2";
}

absl::string_view TimelineRoute(UpstreamApi api) {
  return api == UpstreamApi::kV1_1 ? "/1.1/statuses/user_timeline.json"
                                   : "/2/users/:id/tweets";
}

absl::string_view ReadPathPrefix(UpstreamApi api) {
  return api == UpstreamApi::kV1_1 ? "/1.1/" : "/2/";
}

std::string TimelinePath(const TimelineTarget& target) {
  if (target.api == UpstreamApi::kV1_1) {
    return std::string(TimelineRoute(UpstreamApi::kV1_1));
  }
  return absl::StrCat("/2/users/", PercentEncode(target.user_id), "/tweets");
}

std::string TimelineUrl(absl::string_view base_url,
                        const TimelineTarget& target, int page_size,
                        int64_t since_id) {
  std::string url = absl::StrCat(base_url, TimelinePath(target));
  if (target.api == UpstreamApi::kV1_1) {
    // The order and values of the v1.1 dialect's Timeline: unfiltered
    // upstream, perch filters replies and retweets itself.
    absl::StrAppend(&url, "?screen_name=", PercentEncode(target.screen_name),
                    "&count=", page_size);
    if (since_id > 0) absl::StrAppend(&url, "&since_id=", since_id);
    absl::StrAppend(
        &url, "&exclude_replies=false&include_rts=true&tweet_mode=extended");
    return url;
  }
  // The v2 dialect's order: max_results, since_id, (until_id, exclude,
  // pagination_token: empty on a first unfiltered page), then the fields.
  absl::StrAppend(&url, "?max_results=",
                  std::clamp(page_size, kV2TimelineMin, kV2TimelineMax));
  if (since_id > 0) absl::StrAppend(&url, "&since_id=", since_id);
  absl::StrAppend(&url, "&tweet.fields=", PercentEncode(kTweetFields),
                  "&expansions=", PercentEncode(kTweetExpansions),
                  "&user.fields=", PercentEncode(kUserFields),
                  "&media.fields=", PercentEncode(kMediaFields));
  return url;
}

std::string UserLookupPathAndQuery(absl::string_view screen_name) {
  return absl::StrCat("/2/users/by/username/", PercentEncode(screen_name),
                      "?user.fields=", PercentEncode(kUserFields));
}

absl::StatusOr<int64_t> MapTimelineBody(UpstreamApi api,
                                        const std::string& body) {
  if (api == UpstreamApi::kV1_1) {
    auto tweets = mapping::ParseTweetArray(body);
    if (!tweets.ok()) return tweets.status();
    return static_cast<int64_t>(tweets->size());
  }
  auto page = mapping::v2::ParseTweetPage(body);
  if (!page.ok()) return page.status();
  if (!page->has_data && !page->errors.empty()) {
    // perch answers these (not found, suspended, protected) as errors.
    return absl::NotFoundError(page->errors.front().title);
  }
  return static_cast<int64_t>(page->tweets.size());
}

}  // namespace perch::bench
