#include "emulator/world_reads_v2.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "emulator/json_writer.h"
#include "emulator/problem_bodies.h"
#include "emulator/v2_page_tokens.h"
#include "emulator/world_json_v2.h"

namespace perch::emulator {
namespace {

// The parameters of each family of endpoints, in the order the upstream's
// "is not one of [...]" lists them (§3.4 quotes search's).
const std::vector<absl::string_view> kUserLookupParams = {
    "expansions", "tweet.fields", "user.fields"};
const std::vector<absl::string_view> kTimelineParams = {
    "since_id",     "until_id",     "max_results", "pagination_token",
    "exclude",      "start_time",   "end_time",    "expansions",
    "tweet.fields", "media.fields", "poll.fields", "user.fields",
    "place.fields"};
const std::vector<absl::string_view> kSearchParams = {
    "query",       "start_time",   "end_time",     "since_id",
    "until_id",    "max_results",  "next_token",   "pagination_token",
    "sort_order",  "expansions",   "tweet.fields", "media.fields",
    "poll.fields", "place.fields", "user.fields"};
const std::vector<absl::string_view> kUserPageParams = {
    "max_results", "pagination_token", "user.fields", "expansions",
    "tweet.fields"};
const std::vector<absl::string_view> kListLookupParams = {
    "list.fields", "expansions", "user.fields"};
const std::vector<absl::string_view> kListTweetsParams = {
    "max_results",  "pagination_token", "tweet.fields", "expansions",
    "media.fields", "poll.fields",      "place.fields", "user.fields"};
const std::vector<absl::string_view> kOwnedListsParams = {
    "max_results", "pagination_token", "list.fields", "expansions",
    "user.fields"};

// The longest recent-search query (the docs' rate-limit table; §1.2).
constexpr size_t kMaxQueryLength = 512;
// user timelines start here (TWEEPY get_users_tweets).
constexpr int64_t kTimelineEpoch = 1289001600;  // 2010-11-06T00:00:00Z
// end_time must be at least this far before the present.
constexpr int64_t kEndTimeMargin = 10;

std::string Minutes(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%MZ",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

Response Invalid(absl::string_view name, absl::string_view value,
                 std::string message) {
  InvalidParameter p{std::string(name), std::string(value), std::move(message)};
  return V2InvalidRequest({&p, 1});
}

// A slice [begin, end) of a result sequence and whether more lie on either
// side of it.
struct Slice {
  size_t begin = 0;
  size_t end = 0;
  bool more_before() const { return begin > 0; }
};

// Where a page starts in `ids` (newest first): after (or, for a previous
// token, before) the boundary the token names; at the start without one.
Slice SliceAt(const std::vector<uint64_t>& ids,
              const std::optional<PagePosition>& at, size_t max_results) {
  const size_t n = ids.size();
  Slice s;
  if (!at.has_value()) {
    s.end = std::min(n, max_results);
    return s;
  }
  size_t boundary;
  if (at->by_offset) {
    boundary = static_cast<size_t>(std::min<uint64_t>(at->value, n));
  } else {
    // Ids fall along the sequence: the first one below the boundary id.
    // A next page starts there; a previous one ends there, or just before
    // the boundary itself.
    const uint64_t id = at->value;
    boundary =
        at->previous
            ? std::partition_point(ids.begin(), ids.end(),
                                   [id](uint64_t x) { return x > id; }) -
                  ids.begin()
            : std::partition_point(ids.begin(), ids.end(), [id](uint64_t x) {
                return x >= id;
              }) - ids.begin();
  }
  if (at->previous) {
    s.end = boundary;
    s.begin = boundary > max_results ? boundary - max_results : 0;
  } else {
    s.begin = boundary;
    s.end = std::min(n, boundary + max_results);
  }
  return s;
}

// What a page's meta says besides result_count.
struct PageMeta {
  bool ids = false;       // newest_id and oldest_id (tweet timelines, search)
  bool previous = false;  // previous_token may be given (not search)
  std::string next_token;
  std::string previous_token;
};

// The tokens around `slice` of a sequence of `n` items, in `shape`.
void SetTokens(TokenShape shape, const std::vector<uint64_t>& ids,
               const Slice& slice, bool by_offset, bool had_token,
               PageMeta& meta) {
  if (slice.begin >= slice.end) return;
  if (slice.end < ids.size()) {
    meta.next_token = EncodePageToken(
        shape, {false, by_offset, by_offset ? slice.end : ids[slice.end - 1]});
  }
  // Like the upstream, a first page has no way back.
  if (meta.previous && had_token && slice.more_before()) {
    meta.previous_token = EncodePageToken(
        shape, {true, by_offset, by_offset ? slice.begin : ids[slice.begin]});
  }
}

// `{"data":[...], "includes":{...}, "errors":[...], "meta":{...}}`, or
// exactly `{"meta":{"result_count":0}}` for an empty page.
template <typename WriteItem>
Response PageBody(size_t count, WriteItem write_item,
                  const V2Includes& includes, const PageMeta& meta,
                  uint64_t newest, uint64_t oldest) {
  if (count == 0) return V2JsonResponse(200, R"({"meta":{"result_count":0}})");
  JsonWriter out(JsonDialect::kV2);
  out.BeginObject().Key("data").BeginArray();
  for (size_t i = 0; i < count; ++i) write_item(i, out);
  out.EndArray();
  includes.Write(out);
  out.Key("meta").BeginObject();
  out.Key("result_count").Uint(count);
  if (meta.ids) {
    out.Field("newest_id", absl::StrCat(newest));
    out.Field("oldest_id", absl::StrCat(oldest));
  }
  if (!meta.next_token.empty()) out.Field("next_token", meta.next_token);
  if (!meta.previous_token.empty()) {
    out.Field("previous_token", meta.previous_token);
  }
  out.EndObject().EndObject();
  return V2JsonResponse(200, out.Release());
}

class WorldReadsV2 {
 public:
  explicit WorldReadsV2(std::shared_ptr<const World> world)
      : world_(std::move(world)) {}

  Response UserByUsername(const PathParams& path,
                          const V2Params& params) const {
    const std::string& name = path.at("username");
    const WorldUser* user = world_->UserByScreenName(name);
    if (user == nullptr) {
      return V2ErrorsOnly({NotFoundError("user", "username", name)});
    }
    if (user->suspended)
      return V2ErrorsOnly({SuspendedError("username", name)});
    return UserBody(*user, params);
  }

  Response UserById(const PathParams& path, const V2Params& params) const {
    Response error;
    const WorldUser* user = ResolveUser(path, /*need_visible=*/false, &error);
    if (user == nullptr) return error;
    return UserBody(*user, params);
  }

  Response UserTweets(const PathParams& path, const V2Params& params) const {
    Response error;
    const WorldUser* user = ResolveUser(path, /*need_visible=*/true, &error);
    if (user == nullptr) return error;
    if (!params.since_id.has_value() && !params.until_id.has_value() &&
        params.start_time.has_value() && *params.start_time < kTimelineEpoch) {
      return Invalid(
          "start_time", Minutes(*params.start_time),
          absl::StrCat("Invalid 'start_time':'", Minutes(*params.start_time),
                       "'. 'start_time' must be on or after ",
                       Minutes(kTimelineEpoch)));
    }
    std::vector<uint32_t> reachable = world_->ReachableTimeline(
        *user, params.exclude_replies, params.exclude_retweets);
    // Ids take precedence over times when both are given (§1.2).
    const bool by_ids =
        params.since_id.has_value() || params.until_id.has_value();
    std::vector<uint32_t> bounded;
    for (uint32_t i : reachable) {
      const WorldTweet& t = world_->tweet(i);
      if (by_ids ? InIdWindow(t, params) : InTimeWindow(t, params)) {
        bounded.push_back(i);
      }
    }
    return TweetPage(bounded, params, TokenShape::kTweets, /*ids=*/true,
                     /*by_offset=*/false);
  }

  Response Search(const PathParams&, const V2Params& params) const {
    SearchQuery query;
    std::optional<Response> invalid = ReadSearch(params, query);
    if (invalid.has_value()) return *std::move(invalid);
    std::vector<uint32_t> found =
        world_->Search(query, std::numeric_limits<size_t>::max());
    const bool relevancy = params.sort_order == "relevancy";
    if (relevancy) {
      // Our notion of relevance: popular tweets first, each part newest
      // first, so relevancy's first page holds what v1.1's popular shows.
      std::stable_partition(found.begin(), found.end(), [&](uint32_t i) {
        return world_->tweet(i).favorite_count >= kPopularFavorites;
      });
    }
    return TweetPage(found, params, TokenShape::kSearch, /*ids=*/true,
                     /*by_offset=*/relevancy);
  }

  Response Followers(const PathParams& path, const V2Params& params) const {
    Response error;
    const WorldUser* user = ResolveUser(path, /*need_visible=*/true, &error);
    if (user == nullptr) return error;
    return UserPage(user->followers, params, TokenShape::kFollowers);
  }

  Response List(const PathParams& path, const V2Params& params) const {
    Response error;
    const WorldList* list = ResolveList(path, &error);
    if (list == nullptr) return error;
    V2Includes includes(*world_, params);
    includes.ExpandList(*list);
    JsonWriter out(JsonDialect::kV2);
    out.BeginObject().Key("data");
    WriteV2List(*world_, *list, params, out);
    includes.Write(out);
    out.EndObject();
    return V2JsonResponse(200, out.Release());
  }

  Response ListTweets(const PathParams& path, const V2Params& params) const {
    Response error;
    const WorldList* list = ResolveList(path, &error);
    if (list == nullptr) return error;
    return TweetPage(list->timeline, params, TokenShape::kTweets,
                     /*ids=*/false, /*by_offset=*/false);
  }

  Response ListMembers(const PathParams& path, const V2Params& params) const {
    Response error;
    const WorldList* list = ResolveList(path, &error);
    if (list == nullptr) return error;
    return UserPage(list->members, params, TokenShape::kInt64);
  }

  Response OwnedLists(const PathParams& path, const V2Params& params) const {
    Response error;
    const WorldUser* user = ResolveUser(path, /*need_visible=*/false, &error);
    if (user == nullptr) return error;
    // Public lists only (an app sees no private one), newest first.
    std::vector<const WorldList*> lists;
    const uint32_t owner = world_->IndexOf(*user);
    for (const WorldList& list : world_->lists()) {
      if (list.owner == owner && !list.is_private) lists.push_back(&list);
    }
    std::stable_sort(lists.begin(), lists.end(),
                     [](const WorldList* a, const WorldList* b) {
                       return a->created_at > b->created_at;
                     });
    std::optional<PagePosition> at;
    if (!ReadToken(params, TokenShape::kInt64, &at, &error)) return error;
    std::vector<uint64_t> keys(lists.size());
    const Slice slice = SliceAt(keys, at, params.max_results);
    PageMeta meta;
    meta.previous = true;
    SetTokens(TokenShape::kInt64, keys, slice, true, at.has_value(), meta);
    V2Includes includes(*world_, params);
    for (size_t i = slice.begin; i < slice.end; ++i) {
      includes.ExpandList(*lists[i]);
    }
    return PageBody(
        slice.end - slice.begin,
        [&](size_t i, JsonWriter& out) {
          WriteV2List(*world_, *lists[slice.begin + i], params, out);
        },
        includes, meta, 0, 0);
  }

 private:
  // The user `path` names by id, or the 200-with-errors answer in `error`:
  // unknown, suspended, or (when `need_visible`) protected.
  const WorldUser* ResolveUser(const PathParams& path, bool need_visible,
                               Response* error) const {
    const std::string& id_text = path.at("id");
    const WorldUser* user = world_->UserByIdText(id_text);
    if (user == nullptr) {
      *error = V2ErrorsOnly({NotFoundError("user", "id", id_text)});
      return nullptr;
    }
    if (user->suspended) {
      *error = V2ErrorsOnly({SuspendedError("id", id_text)});
      return nullptr;
    }
    if (need_visible && user->is_protected) {
      *error =
          V2ErrorsOnly({NotAuthorizedError("user", "id", id_text, "data")});
      return nullptr;
    }
    return user;
  }

  // A list an app may see. Private lists (and lists of suspended owners)
  // are as unknown to it as missing ones, as over v1.1.
  const WorldList* ResolveList(const PathParams& path, Response* error) const {
    const std::string& id_text = path.at("id");
    const WorldList* list = world_->ListByIdText(id_text);
    if (list == nullptr || !world_->VisibleToApps(*list)) {
      *error = V2ErrorsOnly({NotFoundError("list", "id", id_text)});
      return nullptr;
    }
    return list;
  }

  // The page token of `params` for `shape` in `at` (nullopt without one);
  // false, and 400 in `error`, for a token we never issued for it.
  static bool ReadToken(const V2Params& params, TokenShape shape,
                        std::optional<PagePosition>* at, Response* error) {
    if (params.page_token.empty()) return true;
    *at = DecodePageToken(shape, params.page_token);
    if (at->has_value()) return true;
    *error = InvalidToken(params);
    return false;
  }

  static Response InvalidToken(const V2Params& params) {
    return Invalid(params.page_token_name, params.page_token,
                   absl::StrCat("The `", params.page_token_name,
                                "` query parameter value [", params.page_token,
                                "] is not valid"));
  }

  static bool InIdWindow(const WorldTweet& t, const V2Params& params) {
    return t.id > params.since_id.value_or(0) &&
           (!params.until_id.has_value() || t.id < *params.until_id);
  }

  static bool InTimeWindow(const WorldTweet& t, const V2Params& params) {
    return (!params.start_time.has_value() ||
            t.created_at >= *params.start_time) &&
           (!params.end_time.has_value() || t.created_at < *params.end_time);
  }

  Response UserBody(const WorldUser& user, const V2Params& params) const {
    V2Includes includes(*world_, params);
    includes.ExpandUser(user);
    JsonWriter out(JsonDialect::kV2);
    out.BeginObject().Key("data");
    WriteV2User(*world_, user, params, out);
    includes.Write(out);
    out.EndObject();
    return V2JsonResponse(200, out.Release());
  }

  // One page of `tweets` (newest first, already bounded and filtered).
  Response TweetPage(const std::vector<uint32_t>& tweets,
                     const V2Params& params, TokenShape shape, bool ids,
                     bool by_offset) const {
    std::optional<PagePosition> at;
    Response error;
    if (!ReadToken(params, shape, &at, &error)) return error;
    // A relevancy token on a recency search, or the other way round.
    if (at.has_value() && at->by_offset != by_offset) {
      return InvalidToken(params);
    }
    const std::vector<uint64_t> tweet_ids = world_->TweetIds(tweets);
    const Slice slice = SliceAt(tweet_ids, at, params.max_results);
    PageMeta meta;
    meta.ids = ids;
    meta.previous = shape != TokenShape::kSearch;
    SetTokens(shape, tweet_ids, slice, by_offset, at.has_value(), meta);
    V2Includes includes(*world_, params);
    for (size_t i = slice.begin; i < slice.end; ++i) {
      includes.ExpandTweet(tweets[i]);
    }
    const size_t count = slice.end - slice.begin;
    uint64_t newest = 0, oldest = 0;
    if (count > 0) {
      auto [lo, hi] = std::minmax_element(tweet_ids.begin() + slice.begin,
                                          tweet_ids.begin() + slice.end);
      newest = *hi;
      oldest = *lo;
    }
    return PageBody(
        count,
        [&](size_t i, JsonWriter& out) {
          WriteV2Tweet(*world_, world_->tweet(tweets[slice.begin + i]), params,
                       out);
        },
        includes, meta, newest, oldest);
  }

  // One page of `users` (indices), paged by offset.
  Response UserPage(const std::vector<uint32_t>& users, const V2Params& params,
                    TokenShape shape) const {
    std::optional<PagePosition> at;
    Response error;
    if (!ReadToken(params, shape, &at, &error)) return error;
    std::vector<uint64_t> keys(users.size());
    const Slice slice = SliceAt(keys, at, params.max_results);
    PageMeta meta;
    meta.previous = true;
    SetTokens(shape, keys, slice, /*by_offset=*/true, at.has_value(), meta);
    V2Includes includes(*world_, params);
    for (size_t i = slice.begin; i < slice.end; ++i) {
      includes.ExpandUser(world_->user(users[i]));
    }
    return PageBody(
        slice.end - slice.begin,
        [&](size_t i, JsonWriter& out) {
          WriteV2User(*world_, world_->user(users[slice.begin + i]), params,
                      out);
        },
        includes, meta, 0, 0);
  }

  // search/recent's own rules: the query's syntax and length, and times
  // within the last 7 days, never with ids. Fills `query` or answers 400.
  std::optional<Response> ReadSearch(const V2Params& params,
                                     SearchQuery& query) const {
    const std::string q = params.query.value_or("");
    if (q.empty()) {
      return Invalid("query", q,
                     "The `query` query parameter can not be empty");
    }
    if (q.size() > kMaxQueryLength) {
      return Invalid("query", q,
                     absl::StrCat("There were errors processing your request: "
                                  "Rules must be ",
                                  kMaxQueryLength, " characters or less"));
    }
    std::optional<Response> syntax = ReadQueryText(q, query);
    if (syntax.has_value()) return syntax;
    const bool ids = params.since_id.has_value() || params.until_id.has_value();
    const bool times =
        params.start_time.has_value() || params.end_time.has_value();
    if (ids && times) {
      const char* name = params.since_id.has_value() ? "since_id" : "until_id";
      return Invalid(
          name,
          absl::StrCat(params.since_id.has_value() ? *params.since_id
                                                   : *params.until_id),
          "Invalid use of 'since_id' or 'until_id' in conjunction "
          "with 'start_time' or 'end_time'.");
    }
    const int64_t now = absl::ToUnixSeconds(world_->now());
    const int64_t oldest = now - absl::ToInt64Seconds(kSearchWindow);
    if (params.start_time.has_value() && *params.start_time < oldest) {
      const std::string v = Minutes(*params.start_time);
      return Invalid("start_time", v,
                     absl::StrCat("Invalid 'start_time':'", v,
                                  "'. 'start_time' must be on or after ",
                                  Minutes(oldest)));
    }
    if (params.end_time.has_value() &&
        *params.end_time > now - kEndTimeMargin) {
      const std::string v = Minutes(*params.end_time);
      return Invalid("end_time", v,
                     absl::StrCat("Invalid 'end_time':'", v,
                                  "'. 'end_time' must be a minimum of 10 "
                                  "seconds prior to the request time."));
    }
    if (params.start_time.has_value() && params.end_time.has_value() &&
        *params.start_time >= *params.end_time) {
      const std::string v = Minutes(*params.start_time);
      return Invalid("start_time", v,
                     absl::StrCat("Invalid 'start_time':'", v,
                                  "'. 'start_time' must be before 'end_time'"));
    }
    query.since_id = params.since_id.value_or(0);
    if (params.until_id.has_value()) {
      // until_id is exclusive; an until_id of 0 leaves nothing.
      if (*params.until_id == 0) query.q.clear();
      query.max_id = *params.until_id - 1;
    }
    query.start_time = params.start_time;
    query.end_time = params.end_time;
    return std::nullopt;
  }

  // Splits the query into the words World::Search matches and a lang:
  // operator, the only operator the emulator applies (others stay words, as
  // over v1.1, and match nothing). Like the upstream, a query needs one
  // positive term besides stand-alone operators such as lang:.
  static std::optional<Response> ReadQueryText(const std::string& q,
                                               SearchQuery& query) {
    bool positive = false;
    for (absl::string_view token : QueryTokens(q)) {
      if (absl::StartsWith(token, "lang:") && token.size() > 5) {
        query.lang = std::string(token.substr(5));
        continue;
      }
      absl::StrAppend(&query.q, query.q.empty() ? "" : " ", token);
      positive = positive || !absl::StartsWith(token, "-");
    }
    if (positive) return std::nullopt;
    return Invalid("query", q,
                   "There were errors processing your request: Rules must "
                   "contain at least one positive, non-stand-alone clause "
                   "(at position 1)");
  }

  // Space-separated tokens; a "quoted phrase" is one.
  static std::vector<absl::string_view> QueryTokens(absl::string_view q) {
    std::vector<absl::string_view> tokens;
    size_t i = 0;
    while (i < q.size()) {
      if (absl::ascii_isspace(static_cast<unsigned char>(q[i]))) {
        ++i;
        continue;
      }
      size_t end = i;
      if (q[i] == '"') {
        end = q.find('"', i + 1);
        end = end == absl::string_view::npos ? q.size() : end + 1;
      } else {
        while (end < q.size() &&
               !absl::ascii_isspace(static_cast<unsigned char>(q[end]))) {
          ++end;
        }
      }
      tokens.push_back(q.substr(i, end - i));
      i = end;
    }
    return tokens;
  }

  std::shared_ptr<const World> world_;
};

V2ParamSpec Spec(V2Primary primary,
                 const std::vector<absl::string_view>& allowed, int min = 0,
                 int max = 0, int fallback = 0) {
  V2ParamSpec spec;
  spec.primary = primary;
  spec.allowed = allowed;
  spec.min_results = min;
  spec.max_results = max;
  spec.default_results = fallback;
  return spec;
}

}  // namespace

std::vector<V2Endpoint> WorldV2Endpoints(std::shared_ptr<const World> world) {
  auto reads = std::make_shared<const WorldReadsV2>(std::move(world));
  auto bind = [reads](Response (WorldReadsV2::*handler)(
                  const PathParams&, const V2Params&) const) {
    return [reads, handler](const PathParams& path, const V2Params& params) {
      return ((*reads).*handler)(path, params);
    };
  };
  using P = V2Primary;
  // max_results ranges and defaults: §1.2 (the defaults of users/:id/tweets
  // and followers are tweepy's docstring's; the spec gives none).
  return {
      {"/2/users/by/username/:username", Spec(P::kUsers, kUserLookupParams),
       bind(&WorldReadsV2::UserByUsername)},
      {"/2/users/:id", Spec(P::kUsers, kUserLookupParams),
       bind(&WorldReadsV2::UserById)},
      {"/2/users/:id/tweets", Spec(P::kTweets, kTimelineParams, 5, 100, 10),
       bind(&WorldReadsV2::UserTweets)},
      {"/2/tweets/search/recent", Spec(P::kTweets, kSearchParams, 10, 100, 10),
       bind(&WorldReadsV2::Search)},
      {"/2/users/:id/followers", Spec(P::kUsers, kUserPageParams, 1, 1000, 100),
       bind(&WorldReadsV2::Followers)},
      {"/2/lists/:id", Spec(P::kLists, kListLookupParams),
       bind(&WorldReadsV2::List)},
      {"/2/lists/:id/tweets", Spec(P::kTweets, kListTweetsParams, 1, 100, 100),
       bind(&WorldReadsV2::ListTweets)},
      {"/2/lists/:id/members", Spec(P::kUsers, kUserPageParams, 1, 100, 100),
       bind(&WorldReadsV2::ListMembers)},
      {"/2/users/:id/owned_lists",
       Spec(P::kLists, kOwnedListsParams, 1, 100, 100),
       bind(&WorldReadsV2::OwnedLists)},
  };
}

}  // namespace perch::emulator
