#include "emulator/world_reads.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "emulator/codec.h"
#include "emulator/error_bodies.h"
#include "emulator/json_writer.h"
#include "emulator/world_json.h"

namespace perch::emulator {
namespace {

// The upstream reads booleans as true/t/1 and false/f/0; anything else
// leaves the default.
bool BoolParam(const FormFields& params, absl::string_view name,
               bool fallback) {
  const std::string* v = FindField(params, name);
  if (v == nullptr) return fallback;
  if (*v == "true" || *v == "t" || *v == "1") return true;
  if (*v == "false" || *v == "f" || *v == "0") return false;
  return fallback;
}

// A missing or unreadable count is the default; one out of range is
// clamped into [1, max].
size_t CountParam(const FormFields& params, size_t fallback, size_t max) {
  const std::string* v = FindField(params, "count");
  int64_t count = 0;
  if (v == nullptr || !absl::SimpleAtoi(*v, &count)) return fallback;
  return static_cast<size_t>(std::clamp<int64_t>(count, 1, max));
}

std::optional<uint64_t> IdParam(const FormFields& params,
                                absl::string_view name) {
  const std::string* v = FindField(params, name);
  uint64_t id = 0;
  if (v == nullptr || !absl::SimpleAtoi(*v, &id)) return std::nullopt;
  return id;
}

const std::string* NonEmpty(const FormFields& params, absl::string_view name) {
  const std::string* v = FindField(params, name);
  return v != nullptr && !v->empty() ? v : nullptr;
}

// The user a request names (user_id wins over screen_name, as upstream),
// or the error response in `error`.
const WorldUser* ResolveUser(const World& world, const FormFields& params,
                             Response* error) {
  const std::string* user_id = NonEmpty(params, "user_id");
  const std::string* screen_name = NonEmpty(params, "screen_name");
  const WorldUser* user = nullptr;
  if (user_id != nullptr) {
    user = world.UserByIdText(*user_id);
  } else if (screen_name != nullptr) {
    user = world.UserByScreenName(*screen_name);
  } else {
    *error = QueryParametersMissing();
    return nullptr;
  }
  if (user == nullptr) {
    *error = UserNotFound();
    return nullptr;
  }
  if (user->suspended) {
    *error = UserSuspended();
    return nullptr;
  }
  return user;
}

// A public list named by list_id, or by slug and owner_screen_name (or
// owner_id). Private lists are invisible to an app: 404/34 like a missing one.
const WorldList* ResolveList(const World& world, const FormFields& params,
                             Response* error) {
  const std::string* list_id = NonEmpty(params, "list_id");
  const std::string* slug = NonEmpty(params, "slug");
  const std::string* owner_name = NonEmpty(params, "owner_screen_name");
  const std::string* owner_id = NonEmpty(params, "owner_id");
  const WorldList* list = nullptr;
  if (list_id != nullptr) {
    list = world.ListByIdText(*list_id);
  } else if (slug != nullptr && owner_name != nullptr) {
    list = world.ListBySlug(*owner_name, *slug);
  } else if (slug != nullptr && owner_id != nullptr) {
    const WorldUser* owner = world.UserByIdText(*owner_id);
    if (owner != nullptr) list = world.ListBySlug(owner->screen_name, *slug);
  } else {
    *error = ListNotSpecified();
    return nullptr;
  }
  if (list == nullptr || !world.VisibleToApps(*list)) {
    *error = PageDoesNotExist();
    return nullptr;
  }
  return list;
}

IdPageQuery IdQuery(const FormFields& params, size_t default_count) {
  IdPageQuery query;
  query.count = CountParam(params, default_count, 200);
  query.since_id = IdParam(params, "since_id").value_or(0);
  query.max_id = IdParam(params, "max_id");
  query.exclude_replies = BoolParam(params, "exclude_replies", false);
  query.include_rts = BoolParam(params, "include_rts", true);
  return query;
}

TweetJsonOptions TweetOptions(const FormFields& params) {
  TweetJsonOptions options;
  const std::string* mode = FindField(params, "tweet_mode");
  options.mode = mode != nullptr && *mode == "extended" ? TweetMode::kExtended
                                                        : TweetMode::kCompat;
  options.include_entities = BoolParam(params, "include_entities", true);
  options.trim_user = BoolParam(params, "trim_user", false);
  return options;
}

Response TweetArray(const World& world, const std::vector<uint32_t>& tweets,
                    const TweetJsonOptions& options) {
  JsonWriter out;
  out.BeginArray();
  for (uint32_t t : tweets) WriteTweet(world, t, options, out);
  out.EndArray();
  return JsonResponse(200, out.Release());
}

// One page of a cursored collection of `total` items.
struct CursorPage {
  size_t begin = 0;
  size_t end = 0;
  int64_t next = 0;
  int64_t previous = 0;
};

// -1 (or no cursor, or an unreadable one) is the first page; a cursor we
// never issued is an empty last page.
CursorPage PageAt(const FormFields& params, size_t total, size_t count) {
  int64_t cursor = -1;
  const std::string* v = FindField(params, "cursor");
  if (v != nullptr && !absl::SimpleAtoi(*v, &cursor)) cursor = -1;
  CursorPage page;
  const int64_t n = static_cast<int64_t>(total);
  if (cursor == -1) {
    page.end = std::min(total, count);
  } else if (cursor >= kCursorBase && cursor - kCursorBase < n) {
    page.begin = static_cast<size_t>(cursor - kCursorBase);
    page.end = std::min(total, page.begin + count);
  } else if (cursor < -kCursorBase &&
             cursor != std::numeric_limits<int64_t>::min() &&
             -cursor - kCursorBase <= n) {
    page.end = static_cast<size_t>(-cursor - kCursorBase);
    page.begin = page.end > count ? page.end - count : 0;
  } else {
    return page;
  }
  page.next =
      page.end < total ? kCursorBase + static_cast<int64_t>(page.end) : 0;
  page.previous =
      page.begin > 0 ? -(kCursorBase + static_cast<int64_t>(page.begin)) : 0;
  return page;
}

void WriteCursors(const CursorPage& page, JsonWriter& out) {
  out.Key("next_cursor").Int(page.next);
  out.Field("next_cursor_str", absl::StrCat(page.next));
  out.Key("previous_cursor").Int(page.previous);
  out.Field("previous_cursor_str", absl::StrCat(page.previous));
  out.Key("total_count").Null();
}

Response UsersPage(const World& world, const std::vector<uint32_t>& users,
                   const FormFields& params, size_t default_count,
                   size_t max_count, bool include_entities) {
  const CursorPage page = PageAt(params, users.size(),
                                 CountParam(params, default_count, max_count));
  UserJsonOptions options;
  options.include_entities = include_entities;
  options.include_status = !BoolParam(params, "skip_status", false);
  options.status_mode = TweetOptions(params).mode;
  JsonWriter out;
  out.BeginObject().Key("users").BeginArray();
  for (size_t i = page.begin; i < page.end; ++i) {
    WriteUser(world, users[i], options, out);
  }
  out.EndArray();
  WriteCursors(page, out);
  out.EndObject();
  return JsonResponse(200, out.Release());
}

class WorldReads {
 public:
  explicit WorldReads(std::shared_ptr<const World> world)
      : world_(std::move(world)) {}

  Response UserTimeline(const Request& request,
                        const FormFields& params) const {
    return WithReadableUser(request, params, [&](const WorldUser& user) {
      return TweetArray(*world_,
                        world_->TimelinePage(user, IdQuery(params, 20)),
                        TweetOptions(params));
    });
  }

  Response Search(const Request&, const FormFields& params) const {
    const absl::Time start = absl::Now();
    const std::string* q = NonEmpty(params, "q");
    if (q == nullptr) return QueryParametersMissing();
    SearchQuery query;
    query.q = *q;
    auto text = [&](absl::string_view name) {
      const std::string* v = FindField(params, name);
      return v != nullptr ? *v : std::string();
    };
    query.lang = text("lang");
    query.result_type = text("result_type");
    query.until = text("until");
    query.since_id = IdParam(params, "since_id").value_or(0);
    query.max_id = IdParam(params, "max_id");
    const size_t count = CountParam(params, 15, 100);
    std::vector<uint32_t> found = world_->Search(query, count + 1);
    const bool more = found.size() > count;
    if (more) found.resize(count);

    TweetJsonOptions options = TweetOptions(params);
    options.search_metadata = true;
    JsonWriter out;
    out.BeginObject().Key("statuses").BeginArray();
    for (uint32_t t : found) WriteTweet(*world_, t, options, out);
    out.EndArray();

    const std::string q_encoded = PercentEncode(query.q);
    const uint64_t max_id = !found.empty() ? world_->tweet(found.front()).id
                                           : query.max_id.value_or(0);
    std::string extra;  // what next_results and refresh_url repeat
    if (!query.lang.empty()) {
      absl::StrAppend(&extra, "&lang=", PercentEncode(query.lang));
    }
    out.Key("search_metadata").BeginObject();
    out.Key("completed_in")
        .Raw(absl::StrFormat("%.3f",
                             absl::ToDoubleSeconds(absl::Now() - start)));
    out.Key("max_id").Uint(max_id).Field("max_id_str", absl::StrCat(max_id));
    if (more) {
      // max_id is inclusive: one below the last id returned.
      std::string next =
          absl::StrCat("?max_id=", world_->tweet(found.back()).id - 1,
                       "&q=", q_encoded, extra);
      if (FindField(params, "count") != nullptr) {
        absl::StrAppend(&next, "&count=", count);
      }
      absl::StrAppend(&next, "&include_entities=1");
      if (!query.result_type.empty()) {
        absl::StrAppend(&next,
                        "&result_type=", PercentEncode(query.result_type));
      }
      out.Field("next_results", next);
    }
    out.Field("query", q_encoded);
    std::string refresh =
        absl::StrCat("?since_id=", max_id, "&q=", q_encoded, extra);
    if (!query.result_type.empty()) {
      absl::StrAppend(&refresh,
                      "&result_type=", PercentEncode(query.result_type));
    }
    absl::StrAppend(&refresh, "&include_entities=1");
    out.Field("refresh_url", refresh);
    out.Key("count").Uint(count);
    out.Key("since_id").Uint(query.since_id);
    out.Field("since_id_str", absl::StrCat(query.since_id));
    out.EndObject();
    out.EndObject();
    return JsonResponse(200, out.Release());
  }

  Response FollowersIds(const Request& request,
                        const FormFields& params) const {
    return WithReadableUser(request, params, [&](const WorldUser& user) {
      const CursorPage page = PageAt(params, user.followers.size(),
                                     CountParam(params, 5000, 5000));
      const bool strings = BoolParam(params, "stringify_ids", false);
      JsonWriter out;
      out.BeginObject().Key("ids").BeginArray();
      for (size_t i = page.begin; i < page.end; ++i) {
        const uint64_t id = world_->user(user.followers[i]).id;
        if (strings) {
          out.String(absl::StrCat(id));
        } else {
          out.Uint(id);
        }
      }
      out.EndArray();
      WriteCursors(page, out);
      out.EndObject();
      return JsonResponse(200, out.Release());
    });
  }

  Response FollowersList(const Request& request,
                         const FormFields& params) const {
    return WithReadableUser(request, params, [&](const WorldUser& user) {
      return UsersPage(*world_, user.followers, params, 20, 200,
                       BoolParam(params, "include_user_entities", true));
    });
  }

  Response ListsShow(const Request&, const FormFields& params) const {
    return WithList(params, [&](const WorldList& list) {
      JsonWriter out;
      WriteList(*world_, list, out);
      return JsonResponse(200, out.Release());
    });
  }

  Response ListsStatuses(const Request&, const FormFields& params) const {
    return WithList(params, [&](const WorldList& list) {
      return TweetArray(*world_,
                        world_->ListTimelinePage(list, IdQuery(params, 20)),
                        TweetOptions(params));
    });
  }

  Response ListsMembers(const Request&, const FormFields& params) const {
    return WithList(params, [&](const WorldList& list) {
      return UsersPage(*world_, list.members, params, 20, 5000,
                       BoolParam(params, "include_entities", true));
    });
  }

 private:
  // `read(user)` for the user the parameters name; without one, the
  // upstream's answer for that (ResolveUser's), and 401 when the user's
  // tweets and followers are protected.
  template <typename Read>
  Response WithReadableUser(const Request& request, const FormFields& params,
                            Read read) const {
    Response error;
    const WorldUser* user = ResolveUser(*world_, params, &error);
    if (user == nullptr) return error;
    if (user->is_protected) return NotAuthorized(request.path);
    return read(*user);
  }

  // `read(list)` for the list the parameters name, or ResolveList's answer.
  template <typename Read>
  Response WithList(const FormFields& params, Read read) const {
    Response error;
    const WorldList* list = ResolveList(*world_, params, &error);
    if (list == nullptr) return error;
    return read(*list);
  }

  std::shared_ptr<const World> world_;
};

}  // namespace

std::vector<ReadEndpoint> WorldReadEndpoints(
    std::shared_ptr<const World> world) {
  auto reads = std::make_shared<const WorldReads>(std::move(world));
  auto bind = [reads](Response (WorldReads::*handler)(
                  const Request&, const FormFields&) const) {
    return [reads, handler](const Request& request, const FormFields& params) {
      return ((*reads).*handler)(request, params);
    };
  };
  return {
      {"/1.1/statuses/user_timeline.json", bind(&WorldReads::UserTimeline)},
      {"/1.1/search/tweets.json", bind(&WorldReads::Search)},
      {"/1.1/followers/list.json", bind(&WorldReads::FollowersList)},
      {"/1.1/followers/ids.json", bind(&WorldReads::FollowersIds)},
      {"/1.1/lists/show.json", bind(&WorldReads::ListsShow)},
      {"/1.1/lists/statuses.json", bind(&WorldReads::ListsStatuses)},
      {"/1.1/lists/members.json", bind(&WorldReads::ListsMembers)},
  };
}

}  // namespace perch::emulator
