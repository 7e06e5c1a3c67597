#include "server/upstream/v1_dialect.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/mapping/list_json.h"
#include "server/mapping/page_json.h"
#include "server/mapping/tweet_json.h"
#include "server/upstream/endpoint_call.h"
#include "server/upstream/list_join.h"

namespace perch::upstream {
namespace {

// v1.1's "from the start" cursor; its end marker "0" is read by mapping/
// as "no next page".
constexpr absl::string_view kFirstCursor = "-1";

const char* Bool(bool b) { return b ? "true" : "false"; }

// The parameters naming a user or a list, which every such read starts
// with (the unset ones are dropped by EndpointUrl).
QueryParams UserParams(const UserRef& user) {
  return {{"user_id", user.user_id}, {"screen_name", user.screen_name}};
}

QueryParams ListParams(const ListRef& list) {
  return {{"list_id", list.list_id},
          {"owner_screen_name", list.owner_screen_name},
          {"slug", list.slug}};
}

// A cursored endpoint's page: from `position`, `page_size` items.
void AddCursor(const std::string& position, int page_size,
               QueryParams& params) {
  params.emplace_back("cursor",
                      position.empty() ? std::string(kFirstCursor) : position);
  params.emplace_back("count", absl::StrCat(page_size));
}

// Every position this dialect mints is a decimal max_id or cursor. A token
// is only base64, so anything else was forged or minted by another dialect
// (perch restarted with another --upstream_api): refused before it reaches
// the upstream as a parameter.
bool IsV1Position(absl::string_view position) {
  uint64_t value;
  return position.size() <= 20 &&
         std::all_of(
             position.begin(), position.end(),
             [](char c) {
               return absl::ascii_isdigit(static_cast<unsigned char>(c));
             }) &&
         absl::SimpleAtoi(position, &value);
}

// Answers `done` with INVALID_ARGUMENT and returns true if `position` is
// neither "" (the first page) nor one this dialect could have minted.
template <typename Page>
bool RefusedPosition(const std::string& position,
                     ReadDialect::Callback<Page>& done) {
  if (position.empty() || IsV1Position(position)) return false;
  std::move(done)(MakeInvalidArgument(
      {{"page_token", "not a page token issued by this perch (v1.1)"}}));
  return true;
}

// The max_id for the page after `tweets`: one below the smallest id seen
// (max_id is inclusive upstream), computed on integers, never doubles.
// Empty when there is no further page.
std::string NextMaxId(const std::vector<v1::Tweet>& tweets) {
  uint64_t lowest = 0;
  bool any = false;
  for (const v1::Tweet& t : tweets) {
    uint64_t id;
    if (!absl::SimpleAtoi(t.id(), &id)) continue;
    if (!any || id < lowest) lowest = id;
    any = true;
  }
  if (!any || lowest == 0) return "";
  return absl::StrCat(lowest - 1);
}

// The caller's reply/retweet filters, applied by perch after paging. The
// upstream applies count before exclude_replies/include_rts, so a filtered
// page can be empty while older tweets remain, and its ids no longer tell
// where the page ended. perch asks for unfiltered pages, steps max_id from
// them, and filters itself.
struct TweetFilter {
  bool exclude_replies = false;
  bool include_retweets = true;

  bool Keeps(const v1::Tweet& t) const {
    if (exclude_replies && !t.in_reply_to_tweet_id().empty()) return false;
    if (!include_retweets && t.has_retweeted_tweet()) return false;
    return true;
  }
};

// An unfiltered tweet array (user_timeline, lists/statuses) as a page
// (TweetPage or ListPage).
template <typename Page>
absl::StatusOr<Page> FilteredTweetPage(const std::string& body,
                                       TweetFilter filter) {
  auto tweets = mapping::ParseTweetArray(body);
  if (!tweets.ok()) return tweets.status();
  Page page;
  page.next_position = NextMaxId(*tweets);
  for (v1::Tweet& t : *tweets) {
    if (filter.Keeps(t)) page.tweets.push_back(std::move(t));
  }
  return page;
}

// A mapped body (search, users or ids page) as a dialect page: its `items`
// go to the page's `to`, its `next` (max_id or cursor) to next_position.
template <typename Page, typename Parsed, typename Items>
absl::StatusOr<Page> ToPage(absl::StatusOr<Parsed> parsed, Items Parsed::*items,
                            std::string Parsed::*next, Items Page::*to) {
  if (!parsed.ok()) return parsed.status();
  Page page;
  page.*to = std::move((*parsed).*items);
  page.next_position = std::move((*parsed).*next);
  return page;
}

// The parse of a cursored page of users (followers/list, lists/members),
// the users going to `users` of the page.
template <typename Page>
auto UserCursorPage(std::vector<v1::User> Page::*users) {
  return [users](const std::string& body) {
    return ToPage(mapping::ParseUserPage(body), &mapping::UserPage::users,
                  &mapping::UserPage::next_cursor, users);
  };
}

const char* ResultType(SearchQuery::Ranking ranking) {
  switch (ranking) {
    case SearchQuery::Ranking::kMixed:
      return "mixed";
    case SearchQuery::Ranking::kRecent:
      return "recent";
    case SearchQuery::Ranking::kPopular:
      return "popular";
    case SearchQuery::Ranking::kDefault:
      break;
  }
  return "";
}

class V1Dialect final : public ReadDialect {
 public:
  V1Dialect(UpstreamReader& reader, std::string base_url)
      : reader_(reader), base_url_(std::move(base_url)) {}

  absl::string_view name() const override { return "v1.1"; }

  std::shared_ptr<ReadHandle> Timeline(const TimelineQuery& query,
                                       absl::Time deadline,
                                       Callback<TweetPage> done) override {
    if (RefusedPosition(query.position, done)) return nullptr;
    QueryParams params = UserParams(query.user);
    params.emplace_back("count", absl::StrCat(query.page_size));
    params.emplace_back("since_id", query.since_id);
    params.emplace_back("max_id", query.position);
    // Unfiltered: see TweetFilter.
    params.emplace_back("exclude_replies", Bool(false));
    params.emplace_back("include_rts", Bool(true));
    params.emplace_back("tweet_mode", "extended");
    const TweetFilter filter{query.exclude_replies, query.include_retweets};
    return GetPage<TweetPage>(
        "/1.1/statuses/user_timeline.json", params, deadline,
        [filter](const std::string& body) {
          return FilteredTweetPage<TweetPage>(body, filter);
        },
        std::move(done));
  }

  std::shared_ptr<ReadHandle> Search(const SearchQuery& query,
                                     absl::Time deadline,
                                     Callback<TweetPage> done) override {
    if (RefusedPosition(query.position, done)) return nullptr;
    const QueryParams params = {{"q", query.query},
                                {"count", absl::StrCat(query.page_size)},
                                {"result_type", ResultType(query.ranking)},
                                {"lang", query.lang},
                                {"until", query.until},
                                {"since_id", query.since_id},
                                {"max_id", query.position},
                                {"tweet_mode", "extended"}};
    return GetPage<TweetPage>(
        "/1.1/search/tweets.json", params, deadline,
        [](const std::string& body) {
          return ToPage(mapping::ParseSearchPage(body),
                        &mapping::SearchPage::tweets,
                        &mapping::SearchPage::next_max_id, &TweetPage::tweets);
        },
        std::move(done));
  }

  std::shared_ptr<ReadHandle> Followers(const FollowersQuery& query,
                                        absl::Time deadline,
                                        Callback<FollowerPage> done) override {
    if (RefusedPosition(query.position, done)) return nullptr;
    QueryParams params = UserParams(query.user);
    AddCursor(query.position, query.page_size, params);
    if (query.ids_only) {
      params.emplace_back("stringify_ids", "true");
      return GetPage<FollowerPage>(
          "/1.1/followers/ids.json", params, deadline,
          [](const std::string& body) {
            return ToPage(mapping::ParseIdPage(body), &mapping::IdPage::ids,
                          &mapping::IdPage::next_cursor,
                          &FollowerPage::user_ids);
          },
          std::move(done));
    }
    params.emplace_back("skip_status", "true");
    params.emplace_back("include_user_entities", "false");
    return GetPage<FollowerPage>("/1.1/followers/list.json", params, deadline,
                                 UserCursorPage(&FollowerPage::users),
                                 std::move(done));
  }

  std::shared_ptr<ReadHandle> List(const ListQuery& query, absl::Time deadline,
                                   Callback<ListPage> done) override {
    if (RefusedPosition(query.position, done)) return nullptr;
    if (!query.with_metadata)
      return ListItems(query, deadline, std::move(done));
    return JoinListReads(
        [this, list = query.list, deadline](Callback<v1::TwitterList> done) {
          return ListMetadata(list, deadline, std::move(done));
        },
        [this, query, deadline](Callback<ListPage> done) {
          return ListItems(query, deadline, std::move(done));
        },
        std::move(done));
  }

 private:
  // lists/show.json.
  std::shared_ptr<ReadHandle> ListMetadata(const ListRef& list,
                                           absl::Time deadline,
                                           Callback<v1::TwitterList> done) {
    const QueryParams params = ListParams(list);
    constexpr absl::string_view kPath = "/1.1/lists/show.json";
    return CallEndpoint<v1::TwitterList>(
        reader_, EndpointUrl(base_url_, kPath, params), std::string(kPath),
        deadline,
        [](const http::HttpResponse& response) {
          return mapping::ParseTwitterList(response.body);
        },
        std::move(done));
  }

  // lists/statuses.json or lists/members.json, by the view.
  std::shared_ptr<ReadHandle> ListItems(const ListQuery& query,
                                        absl::Time deadline,
                                        Callback<ListPage> done) {
    QueryParams params = ListParams(query.list);
    if (query.view == ListQuery::View::kMembers) {
      AddCursor(query.position, query.page_size, params);
      params.emplace_back("skip_status", "true");
      return GetPage<ListPage>("/1.1/lists/members.json", params, deadline,
                               UserCursorPage(&ListPage::members),
                               std::move(done));
    }
    params.emplace_back("count", absl::StrCat(query.page_size));
    params.emplace_back("max_id", query.position);
    // Unfiltered: see TweetFilter.
    params.emplace_back("include_rts", Bool(true));
    params.emplace_back("tweet_mode", "extended");
    const TweetFilter filter{false, query.include_retweets};
    return GetPage<ListPage>(
        "/1.1/lists/statuses.json", params, deadline,
        [filter](const std::string& body) {
          return FilteredTweetPage<ListPage>(body, filter);
        },
        std::move(done));
  }

  // GETs one page-returning endpoint: `parse` maps the body, the page gets
  // the answer's rate-limit window.
  template <typename Page>
  std::shared_ptr<ReadHandle> GetPage(
      absl::string_view path, const QueryParams& params, absl::Time deadline,
      absl::AnyInvocable<absl::StatusOr<Page>(const std::string& body)> parse,
      Callback<Page> done) {
    return CallEndpoint<Page>(
        reader_, EndpointUrl(base_url_, path, params), std::string(path),
        deadline,
        [parse = std::move(parse)](const http::HttpResponse& response) mutable {
          absl::StatusOr<Page> page = parse(response.body);
          if (page.ok()) page->rate_limit = ReadRateLimit(response);
          return page;
        },
        std::move(done));
  }

  UpstreamReader& reader_;
  const std::string base_url_;
};

}  // namespace

std::unique_ptr<ReadDialect> MakeV1Dialect(UpstreamReader& reader,
                                           std::string base_url) {
  return std::make_unique<V1Dialect>(reader, std::move(base_url));
}

}  // namespace perch::upstream
