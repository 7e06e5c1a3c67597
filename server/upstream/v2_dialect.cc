#include "server/upstream/v2_dialect.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/common/percent_encoding.h"
#include "server/mapping/upstream_status.h"
#include "server/mapping/v2_json.h"
#include "server/upstream/endpoint_call.h"
#include "server/upstream/list_join.h"
#include "server/upstream/lookup_cache.h"
#include "server/upstream/read_chain.h"
#include "server/upstream/v2_fields.h"
#include "server/upstream/v2_paging.h"

namespace perch::upstream {
namespace {

namespace v2 = mapping::v2;

using v2_fields::kListFields;
using v2_fields::kMediaFields;
using v2_fields::kTweetExpansions;
using v2_fields::kTweetFields;
using v2_fields::kUserFields;

// Route patterns: what errors and QuotaFailure name (never a caller's id or
// name); RoutePath fills them in for the URL.
constexpr absl::string_view kUserByUsernamePath =
    "/2/users/by/username/:username";
constexpr absl::string_view kUserTweetsPath = "/2/users/:id/tweets";
constexpr absl::string_view kSearchPath = "/2/tweets/search/recent";
constexpr absl::string_view kFollowersPath = "/2/users/:id/followers";
constexpr absl::string_view kListPath = "/2/lists/:id";
constexpr absl::string_view kListTweetsPath = "/2/lists/:id/tweets";
constexpr absl::string_view kListMembersPath = "/2/lists/:id/members";
constexpr absl::string_view kOwnedListsPath = "/2/users/:id/owned_lists";

// max_results per endpoint (UPSTREAM-V2.md section 1.2): below the minimum
// the upstream answers 400 invalid-request.
struct Range {
  int min;
  int max;
};
constexpr Range kTimelineRange{5, 100};
constexpr Range kSearchRange{10, 100};
constexpr Range kFollowersRange{1, 1000};
constexpr Range kListTweetsRange{1, 100};
constexpr Range kListMembersRange{1, 100};
// owned_lists allows 15 calls per 15 minutes per app (SNS rate_limit.py,
// tweepy recordings): a slug costs one call per 100 of the owner's lists,
// which is why the answer is cached.
constexpr int kOwnedListsPageSize = 100;

// Search errors on these parameters are about a value the caller chose,
// named by the perch.v1 field it came from.
constexpr std::pair<absl::string_view, absl::string_view> kCallerParameters[] =
    {{"query", "query"}, {"end_time", "until"}, {"since_id", "since_id"}};

std::string RoutePath(absl::string_view pattern, absl::string_view value) {
  const std::string encoded = PercentEncode(value);
  return absl::StrReplaceAll(pattern,
                             {{":id", encoded}, {":username", encoded}});
}

// max_results for `page_size` on an endpoint with `range`.
std::string MaxResults(int page_size, Range range) {
  return absl::StrCat(AskFor(page_size, range.min, range.max));
}

// The parameters of a page of an endpoint paged by pagination_token: its
// size, then the endpoint's own `filters`, then where it starts (`at`).
QueryParams PageParams(int page_size, Range range, const V2Position& at,
                       QueryParams filters = {}) {
  QueryParams params = {{"max_results", MaxResults(page_size, range)}};
  for (auto& filter : filters) params.push_back(std::move(filter));
  params.emplace_back("pagination_token", at.token);
  return params;
}

// The field lists every read ends with (most of a v2 URL's length), as an
// encoded query tail for EndpointUrl: encoded once per dialect, not per
// request.
std::string EncodedQuery(const QueryParams& params) {
  return EndpointUrl("", "", params).substr(1);  // without the '?'
}

std::string TweetFieldsQuery() {
  return EncodedQuery({{"tweet.fields", std::string(kTweetFields)},
                       {"expansions", std::string(kTweetExpansions)},
                       {"user.fields", std::string(kUserFields)},
                       {"media.fields", std::string(kMediaFields)}});
}

std::string UserFieldsQuery() {
  return EncodedQuery({{"user.fields", std::string(kUserFields)}});
}

absl::Status Malformed(absl::string_view path, absl::string_view what) {
  return MakeError(absl::StatusCode::kInternal,
                   absl::StrCat(path, " answered 200 without ", what),
                   reasons::kUpstreamMalformedResponse, kUpstreamDomain,
                   {{std::string(kHttpStatusKey), "200"},
                    {std::string(mapping::kEndpointKey), std::string(path)}});
}

// A parsed v2 page: the errors it carries instead of data become the read's
// status (upstream_status.h); partial errors beside data are dropped.
template <typename Parsed>
absl::Status CheckPage(absl::string_view path,
                       const absl::StatusOr<Parsed>& parsed, bool has_data) {
  if (!parsed.ok()) return parsed.status();
  return mapping::StatusFromV2Errors(path, has_data, parsed->errors);
}

// A parsed page: CheckPage, its data being whether `data` was present.
template <typename Parsed>
absl::Status CheckDataPage(absl::string_view path,
                           const absl::StatusOr<Parsed>& parsed) {
  return CheckPage(path, parsed, parsed.ok() && parsed->has_data);
}

// The one object a lookup answered (`member`: UserLookup::user,
// ListLookup::list); else CheckPage's status, else malformed: a 200 without
// `what` ("a user").
template <typename Lookup, typename Object>
absl::StatusOr<Object> LookedUp(absl::string_view path,
                                absl::StatusOr<Lookup> lookup,
                                std::optional<Object> Lookup::*member,
                                absl::string_view what) {
  const bool has_data = lookup.ok() && ((*lookup).*member).has_value();
  if (absl::Status s = CheckPage(path, lookup, has_data); !s.ok()) return s;
  if (!has_data) return Malformed(path, what);
  return *std::move((*lookup).*member);
}

const std::string& TweetId(const v1::Tweet& tweet) { return tweet.id(); }
const std::string& UserId(const v1::User& user) { return user.id(); }

// A tweet page cut to `page_size` (v2_paging.h), with its rate-limit window.
absl::StatusOr<TweetPage> ToTweetPage(absl::string_view path,
                                      const http::HttpResponse& response,
                                      const V2Position& at, int page_size,
                                      bool resume_by_id) {
  absl::StatusOr<v2::TweetPage> parsed = v2::ParseTweetPage(response.body);
  if (absl::Status s = CheckDataPage(path, parsed); !s.ok()) return s;
  absl::StatusOr<std::string> next =
      CutPage(parsed->tweets, at, page_size, parsed->meta.next_token,
              resume_by_id, TweetId);
  if (!next.ok()) return next.status();
  TweetPage page;
  page.tweets = std::move(parsed->tweets);
  page.next_position = *std::move(next);
  page.rate_limit = ReadRateLimit(response);
  return page;
}

// Users of a followers or members page, cut the same way (the ranges keep
// max_results at or below page_size, so nothing is cut in practice).
absl::StatusOr<std::vector<v1::User>> ToUsers(
    absl::string_view path, const http::HttpResponse& response,
    const V2Position& at, int page_size, std::string* next_position) {
  absl::StatusOr<v2::UserPage> parsed = v2::ParseUserPage(response.body);
  if (absl::Status s = CheckDataPage(path, parsed); !s.ok()) return s;
  absl::StatusOr<std::string> next = CutPage(
      parsed->users, at, page_size, parsed->meta.next_token, false, UserId);
  if (!next.ok()) return next.status();
  *next_position = *std::move(next);
  return std::move(parsed->users);
}

// 400 invalid-request naming only values the caller chose (the search
// query's syntax, an `until` or since_id outside the 7 days search covers)
// is the caller's error: INVALID_ARGUMENT with a BadRequest on the perch.v1
// field and the upstream's words. Anything else stays perch's bug.
absl::Status CallerRejection(absl::Status status) {
  if (ErrorReason(status) != reasons::kUpstreamRejectedRequest) return status;
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  const auto& metadata = info->metadata();
  auto value = [&](absl::string_view key) -> std::string {
    auto it = metadata.find(std::string(key));
    return it == metadata.end() ? std::string() : it->second;
  };
  if (value(mapping::kUpstreamTypeKey) != "invalid-request") return status;
  const std::string parameters = value(mapping::kUpstreamParametersKey);
  if (parameters.empty()) return status;
  std::string description = value(kUpstreamMessageKey);
  if (description.empty()) description = value(mapping::kUpstreamDetailKey);

  google::rpc::BadRequest bad_request;
  for (absl::string_view parameter : absl::StrSplit(parameters, ',')) {
    absl::string_view field;
    for (const auto& [name, caller_field] : kCallerParameters) {
      if (parameter == name) field = caller_field;
    }
    if (field.empty()) return status;
    auto* violation = bad_request.add_field_violations();
    violation->set_field(std::string(field));
    violation->set_description(description);
  }
  std::vector<std::pair<std::string, std::string>> kept;
  for (const auto& [key, text] : metadata) kept.emplace_back(key, text);
  absl::Status invalid =
      MakeError(absl::StatusCode::kInvalidArgument,
                absl::StrCat("the upstream rejected the search: ", description),
                reasons::kInvalidRequest, kUpstreamDomain, std::move(kept));
  invalid.SetPayload(kBadRequestTypeUrl,
                     absl::Cord(bad_request.SerializeAsString()));
  return invalid;
}

absl::string_view SortOrder(SearchQuery::Ranking ranking) {
  switch (ranking) {
    case SearchQuery::Ranking::kRecent:
      return "recency";
    case SearchQuery::Ranking::kPopular:
      return "relevancy";
    case SearchQuery::Ranking::kDefault:
    case SearchQuery::Ranking::kMixed:
      break;
  }
  return "";  // the upstream's default order, newest first
}

std::string Exclude(const TimelineQuery& query) {
  std::vector<absl::string_view> exclude;
  if (query.exclude_replies) exclude.push_back("replies");
  if (!query.include_retweets) exclude.push_back("retweets");
  return absl::StrJoin(exclude, ",");
}

// A read at `position`: its chain, which `start` is given with the decoded
// position to send the read's first step. A position this dialect did not
// make is answered (INVALID_ARGUMENT) at once and nothing is sent.
template <typename Page, typename Start>
std::shared_ptr<ReadHandle> ReadAt(absl::string_view position,
                                   ReadDialect::Callback<Page> done,
                                   Start start) {
  auto chain = std::make_shared<ReadChain<Page>>(std::move(done));
  absl::StatusOr<V2Position> at = DecodeV2Position(position);
  if (at.ok()) {
    start(chain, *std::move(at));
  } else {
    chain->Answer(at.status());
  }
  return chain;
}

template <typename Page>
using Chain = std::shared_ptr<ReadChain<Page>>;

// The rest of a read once an id is known.
using Then = absl::AnyInvocable<void(std::string id) &&>;

class V2Dialect final : public ReadDialect {
 public:
  V2Dialect(UpstreamReader& reader, std::string base_url, const Clock& clock,
            Scheduler& scheduler, V2DialectOptions options)
      : reader_(reader),
        base_url_(std::move(base_url)),
        tweet_fields_(TweetFieldsQuery()),
        user_fields_(UserFieldsQuery()),
        user_ids_(clock, scheduler, options.name_cache_ttl,
                  options.name_cache_capacity, options.user_id_cache_metrics),
        list_ids_(clock, scheduler, options.name_cache_ttl,
                  options.name_cache_capacity,
                  options.list_slug_cache_metrics) {}

  absl::string_view name() const override { return "v2"; }

  std::shared_ptr<ReadHandle> Timeline(const TimelineQuery& query,
                                       absl::Time deadline,
                                       Callback<TweetPage> done) override {
    auto start = [&](const Chain<TweetPage>& chain, const V2Position& at) {
      QueryParams params = PageParams(query.page_size, kTimelineRange, at,
                                      {{"since_id", query.since_id},
                                       {"until_id", at.until_id},
                                       {"exclude", Exclude(query)}});
      GetUserPage<TweetPage>(
          chain, query.user, deadline, kUserTweetsPath, std::move(params),
          tweet_fields_,
          [at,
           page_size = query.page_size](const http::HttpResponse& response) {
            // Newest first, and the endpoint takes until_id.
            return ToTweetPage(kUserTweetsPath, response, at, page_size,
                               /*resume_by_id=*/true);
          });
    };
    return ReadAt(query.position, std::move(done), start);
  }

  std::shared_ptr<ReadHandle> Search(const SearchQuery& query,
                                     absl::Time deadline,
                                     Callback<TweetPage> done) override {
    auto start = [&](const Chain<TweetPage>& chain, const V2Position& at) {
      absl::StatusOr<QueryParams> params = SearchParams(query, at);
      if (!params.ok()) return chain->Answer(params.status());
      // Relevancy is not id order: resuming below the last id would skip.
      const bool resume_by_id = query.ranking != SearchQuery::Ranking::kPopular;
      chain->Track(CallEndpoint<TweetPage>(
          reader_, EndpointUrl(base_url_, kSearchPath, *params, tweet_fields_),
          std::string(kSearchPath), deadline,
          [at, page_size = query.page_size,
           resume_by_id](const http::HttpResponse& response) {
            return ToTweetPage(kSearchPath, response, at, page_size,
                               resume_by_id);
          },
          [chain](absl::StatusOr<TweetPage> page) {
            if (!page.ok()) page = CallerRejection(page.status());
            chain->Answer(std::move(page));
          }));
    };
    return ReadAt(query.position, std::move(done), start);
  }

  std::shared_ptr<ReadHandle> Followers(const FollowersQuery& query,
                                        absl::Time deadline,
                                        Callback<FollowerPage> done) override {
    auto start = [&](const Chain<FollowerPage>& chain, const V2Position& at) {
      GetUserPage<FollowerPage>(
          chain, query.user, deadline, kFollowersPath,
          PageParams(query.page_size, kFollowersRange, at), user_fields_,
          [at, page_size = query.page_size,
           ids_only = query.ids_only](const http::HttpResponse& response)
              -> absl::StatusOr<FollowerPage> {
            FollowerPage page;
            absl::StatusOr<std::vector<v1::User>> users = ToUsers(
                kFollowersPath, response, at, page_size, &page.next_position);
            if (!users.ok()) return users.status();
            if (ids_only) {
              for (const v1::User& user : *users) {
                page.user_ids.push_back(user.id());
              }
            } else {
              page.users = *std::move(users);
            }
            page.rate_limit = ReadRateLimit(response);
            return page;
          });
    };
    return ReadAt(query.position, std::move(done), start);
  }

  std::shared_ptr<ReadHandle> List(const ListQuery& query, absl::Time deadline,
                                   Callback<ListPage> done) override {
    auto start = [&](const Chain<ListPage>& chain, const V2Position& at) {
      WithListId(
          query.list, deadline, chain,
          [this, chain, query, at, deadline](std::string list_id) {
            ListPageStart page = [this, query, at, list_id,
                                  deadline](Callback<ListPage> done) {
              return StartListPage(query, at, list_id, deadline,
                                   std::move(done));
            };
            Callback<ListPage> answer = AnswerTo(chain);
            if (!query.with_metadata) {
              chain->Track(std::move(page)(std::move(answer)));
              return;
            }
            // In parallel: the first error answers and aborts the other read.
            chain->Track(JoinListReads(
                [this, list_id, deadline](Callback<v1::TwitterList> done) {
                  return StartListLookup(list_id, deadline, std::move(done));
                },
                std::move(page), std::move(answer)));
          });
    };
    return ReadAt(query.position, std::move(done), start);
  }

 private:
  std::string Url(absl::string_view pattern, absl::string_view id,
                  const QueryParams& params,
                  absl::string_view encoded_tail = "") const {
    return EndpointUrl(base_url_, RoutePath(pattern, id), params, encoded_tail);
  }

  static absl::StatusOr<QueryParams> SearchParams(const SearchQuery& query,
                                                  const V2Position& at) {
    QueryParams params = {
        {"query", query.lang.empty()
                      ? query.query
                      : absl::StrCat(query.query, " lang:", query.lang)},
        {"max_results", MaxResults(query.page_size, kSearchRange)},
        {"sort_order", std::string(SortOrder(query.ranking))},
        {"since_id", query.since_id}};
    // `until` is end_time, except that v2 refuses end_time beside since_id
    // or until_id: then it becomes the first id of that day. A cut page's
    // until_id is already older than everything before `until`.
    std::string until_id = at.until_id;
    if (!query.until.empty() && until_id.empty()) {
      if (query.since_id.empty()) {
        params.emplace_back("end_time",
                            absl::StrCat(query.until, "T00:00:00Z"));
      } else {
        absl::StatusOr<std::string> first = FirstIdOfDay(query.until);
        if (!first.ok()) return first.status();
        until_id = *std::move(first);
      }
    }
    params.emplace_back("until_id", until_id);
    params.emplace_back("next_token", at.token);
    return params;
  }

  // GETs one page of `path` (a route on the user's id) once the user's id is
  // known, and answers `chain` with it.
  template <typename Page>
  void GetUserPage(
      const std::shared_ptr<ReadChain<Page>>& chain, const UserRef& user,
      absl::Time deadline, absl::string_view path, QueryParams params,
      absl::string_view fields,
      absl::AnyInvocable<absl::StatusOr<Page>(const http::HttpResponse&)>
          parse) {
    WithUserId(
        user, deadline, chain,
        [this, chain, deadline, path, params = std::move(params), fields,
         parse = std::move(parse)](std::string user_id) mutable {
          chain->Track(CallEndpoint<Page>(
              reader_, Url(path, user_id, params, fields), std::string(path),
              deadline, std::move(parse), AnswerTo(chain)));
        });
  }

  // Runs `then` with the user's id: as given, from the cache, or looked up
  // by screen name (one lookup for every read of that name meanwhile).
  template <typename Page>
  void WithUserId(const UserRef& user, absl::Time deadline,
                  const Chain<Page>& chain, Then then) {
    if (!user.user_id.empty()) return std::move(then)(user.user_id);
    chain->Track(user_ids_.Find(
        absl::AsciiStrToLower(user.screen_name), deadline,
        // To the starter's deadline, or a later waiter's when it runs again.
        [this, screen_name = user.screen_name](absl::Time lookup_deadline,
                                               LookupCache::Done done) {
          return LookUpUserId(screen_name, lookup_deadline, std::move(done));
        },
        Continue(chain, std::move(then))));
  }

  // Runs `then` with the list's id: as given, from the cache, or found among
  // its owner's lists by slug (one search for every read of that list
  // meanwhile).
  template <typename Page>
  void WithListId(const ListRef& list, absl::Time deadline,
                  const Chain<Page>& chain, Then then) {
    if (!list.list_id.empty()) return std::move(then)(list.list_id);
    std::string slug = absl::AsciiStrToLower(list.slug);
    std::string key =
        absl::StrCat(absl::AsciiStrToLower(list.owner_screen_name), "/", slug);
    chain->Track(list_ids_.Find(
        std::move(key), deadline,
        [this, owner = list.owner_screen_name, slug](absl::Time lookup_deadline,
                                                     LookupCache::Done done) {
          return LookUpListId(owner, slug, lookup_deadline, std::move(done));
        },
        Continue(chain, std::move(then))));
  }

  // A lookup's answer to a read waiting for it: an error answers the read,
  // an id runs the read's next step unless the read was answered meanwhile.
  template <typename Page>
  static LookupCache::Done Continue(Chain<Page> chain, Then then) {
    return [chain = std::move(chain),
            then = std::move(then)](absl::StatusOr<std::string> id) mutable {
      if (!id.ok()) return chain->Answer(id.status());
      if (chain->answered()) return;
      std::move(then)(*std::move(id));
    };
  }

  // GET /2/users/by/username/:username: the user's id.
  std::shared_ptr<ReadHandle> LookUpUserId(const std::string& screen_name,
                                           absl::Time deadline,
                                           LookupCache::Done done) {
    return CallEndpoint<std::string>(
        reader_, Url(kUserByUsernamePath, screen_name, {}, user_fields_),
        std::string(kUserByUsernamePath), deadline,
        [](const http::HttpResponse& response) -> absl::StatusOr<std::string> {
          absl::StatusOr<v1::User> user =
              LookedUp(kUserByUsernamePath, v2::ParseUserLookup(response.body),
                       &v2::UserLookup::user, "a user");
          if (!user.ok()) return user.status();
          return user->id();
        },
        std::move(done));
  }

  // A list's id by its owner and (lower-case) slug: the owner's id, itself a
  // lookup, then the owner's lists.
  std::shared_ptr<ReadHandle> LookUpListId(const std::string& owner,
                                           const std::string& slug,
                                           absl::Time deadline,
                                           LookupCache::Done done) {
    auto chain = std::make_shared<ReadChain<std::string>>(std::move(done));
    UserRef owner_ref;
    owner_ref.screen_name = owner;
    WithUserId(owner_ref, deadline, chain,
               [this, chain, slug, deadline](std::string owner_id) {
                 FindOwnedList(chain, std::move(owner_id), slug, "", deadline);
               });
    return chain;
  }

  // v2 lists have no slug: pages through the owner's lists (100 at a time)
  // until one's slugified name matches, and answers `chain` with its id.
  void FindOwnedList(const Chain<std::string>& chain, std::string owner_id,
                     std::string slug, std::string token, absl::Time deadline) {
    QueryParams params = {{"list.fields", std::string(kListFields)},
                          {"max_results", absl::StrCat(kOwnedListsPageSize)},
                          {"pagination_token", std::move(token)}};
    std::string url = Url(kOwnedListsPath, owner_id, params);
    chain->Track(CallEndpoint<v2::ListsPage>(
        reader_, std::move(url), std::string(kOwnedListsPath), deadline,
        [](const http::HttpResponse& response)
            -> absl::StatusOr<v2::ListsPage> {
          absl::StatusOr<v2::ListsPage> page =
              v2::ParseListsPage(response.body);
          if (absl::Status s = CheckDataPage(kOwnedListsPath, page); !s.ok()) {
            return s;
          }
          return page;
        },
        [this, chain, owner_id = std::move(owner_id), slug = std::move(slug),
         deadline](absl::StatusOr<v2::ListsPage> page) mutable {
          if (!page.ok()) return chain->Answer(page.status());
          if (chain->answered()) return;
          for (const v1::TwitterList& list : page->lists) {
            if (v2::Slugify(list.name()) == slug) {
              return chain->Answer(list.id());
            }
          }
          if (page->meta.next_token.empty()) {
            return chain->Answer(MakeError(
                absl::StatusCode::kNotFound,
                absl::StrCat("no list \"", slug, "\" among the owner's lists"),
                reasons::kResourceNotFound, kUpstreamDomain,
                {{std::string(kHttpStatusKey), "200"},
                 {std::string(mapping::kEndpointKey),
                  std::string(kOwnedListsPath)}}));
          }
          FindOwnedList(chain, std::move(owner_id), std::move(slug),
                        page->meta.next_token, deadline);
        }));
  }

  // GET /2/lists/:id with its owner.
  std::shared_ptr<ReadHandle> StartListLookup(const std::string& list_id,
                                              absl::Time deadline,
                                              Callback<v1::TwitterList> done) {
    QueryParams params = {{"list.fields", std::string(kListFields)},
                          {"expansions", "owner_id"}};
    return CallEndpoint<v1::TwitterList>(
        reader_, Url(kListPath, list_id, params, user_fields_),
        std::string(kListPath), deadline,
        [](const http::HttpResponse& response) {
          return LookedUp(kListPath, v2::ParseListLookup(response.body),
                          &v2::ListLookup::list, "a list");
        },
        std::move(done));
  }

  // A page of the list's tweets or members.
  std::shared_ptr<ReadHandle> StartListPage(const ListQuery& query,
                                            const V2Position& at,
                                            const std::string& list_id,
                                            absl::Time deadline,
                                            Callback<ListPage> done) {
    const bool tweets = query.view == ListQuery::View::kTweets;
    const absl::string_view path = tweets ? kListTweetsPath : kListMembersPath;
    const QueryParams params = PageParams(
        query.page_size, tweets ? kListTweetsRange : kListMembersRange, at);
    return CallEndpoint<ListPage>(
        reader_,
        Url(path, list_id, params, tweets ? tweet_fields_ : user_fields_),
        std::string(path), deadline,
        [query, at,
         path](const http::HttpResponse& response) -> absl::StatusOr<ListPage> {
          ListPage page;
          if (query.view == ListQuery::View::kMembers) {
            absl::StatusOr<std::vector<v1::User>> users = ToUsers(
                path, response, at, query.page_size, &page.next_position);
            if (!users.ok()) return users.status();
            page.members = *std::move(users);
            page.rate_limit = ReadRateLimit(response);
            return page;
          }
          // The endpoint has no until_id; list pages are never cut anyway.
          absl::StatusOr<TweetPage> tweets = ToTweetPage(
              path, response, at, query.page_size, /*resume_by_id=*/false);
          if (!tweets.ok()) return tweets.status();
          // No upstream `exclude` here: retweets are dropped as on v1.1.
          for (v1::Tweet& tweet : tweets->tweets) {
            if (!query.include_retweets && tweet.has_retweeted_tweet()) {
              continue;
            }
            page.tweets.push_back(std::move(tweet));
          }
          page.next_position = std::move(tweets->next_position);
          page.rate_limit = tweets->rate_limit;
          return page;
        },
        std::move(done));
  }

  UpstreamReader& reader_;
  const std::string base_url_;
  // TweetFieldsQuery() and UserFieldsQuery(), encoded once.
  const std::string tweet_fields_;
  const std::string user_fields_;
  // lower-case screen name -> user id
  LookupCache user_ids_;
  // lower-case "owner/slug" -> list id
  LookupCache list_ids_;
};

}  // namespace

std::unique_ptr<ReadDialect> MakeV2Dialect(UpstreamReader& reader,
                                           std::string base_url,
                                           const Clock& clock,
                                           Scheduler& scheduler,
                                           V2DialectOptions options) {
  return std::make_unique<V2Dialect>(reader, std::move(base_url), clock,
                                     scheduler, options);
}

}  // namespace perch::upstream
