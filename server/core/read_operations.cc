#include "server/core/read_operations.h"

#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/core/page_token.h"
#include "server/core/read_validation.h"
#include "server/mapping/list_json.h"
#include "server/mapping/page_json.h"
#include "server/mapping/tweet_json.h"

namespace perch::core {
namespace {

constexpr int kDefaultPageSize = 20;

int PageSize(int requested) {
  return requested == 0 ? kDefaultPageSize : requested;
}

void SetRateLimit(const std::optional<upstream::RateLimitWindow>& window,
                  v1::RateLimit* out) {
  if (!window.has_value()) return;
  out->set_limit(window->limit);
  out->set_remaining(window->remaining);
  out->mutable_reset_time()->set_seconds(absl::ToUnixSeconds(window->reset));
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

// The caller's reply/retweet filters, applied by perch (see GetTimeline).
struct TweetFilter {
  bool exclude_replies;
  bool include_retweets;
  bool Keeps(const v1::Tweet& t) const {
    if (exclude_replies && !t.in_reply_to_tweet_id().empty()) return false;
    if (!include_retweets && t.has_retweeted_tweet()) return false;
    return true;
  }
};

// Decodes the page token if any; on failure adds nothing and returns the
// error for the caller to report.
absl::StatusOr<std::string> Position(const google::protobuf::Message& request,
                                     absl::string_view page_token) {
  if (page_token.empty()) return std::string();
  return DecodePageToken(page_token, RequestFingerprint(request));
}

// Validates the user oneof of a request; fills `user`.
template <typename Request>
void CheckUser(const Request& request, upstream::UserRef& user,
               Violations& violations) {
  switch (request.user_case()) {
    case Request::kScreenName:
      CheckScreenName("screen_name", request.screen_name(), violations);
      user.screen_name = request.screen_name();
      break;
    case Request::kUserId:
      CheckId("user_id", request.user_id(), violations);
      user.user_id = request.user_id();
      break;
    default:
      violations.push_back({"user", "set screen_name or user_id"});
  }
}

// Runs `done` with the error of whichever check failed first: validation
// (every field), then the page token.
template <typename Response>
bool Rejected(Violations violations,
              const absl::StatusOr<std::string>& position,
              ReadOperations::Done<Response>& done) {
  absl::Status status = ToStatus(std::move(violations));
  if (status.ok() && !position.ok()) status = position.status();
  if (status.ok()) return false;
  std::move(done)(status);
  return true;
}

template <typename Response>
using Finish = absl::AnyInvocable<void(absl::StatusOr<Response>) &&>;

// Requests meet in the coalescer only when every field is equal: the RPC
// name plus the request's deterministic bytes.
std::string CoalescingKey(const google::protobuf::Message& request) {
  std::string key = request.GetDescriptor()->full_name();
  key.push_back('\0');
  {
    google::protobuf::io::StringOutputStream stream(&key);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  return key;
}

std::string Cursor(const std::string& position) {
  return position.empty() ? "-1" : position;
}

// Aborts every part of a call made of several upstream reads.
class HandleGroup final : public upstream::ReadHandle {
 public:
  void Add(std::shared_ptr<upstream::ReadHandle> h) {
    if (h) handles_.push_back(std::move(h));
  }
  void Cancel() override {
    for (auto& h : handles_) h->Cancel();
  }

 private:
  std::vector<std::shared_ptr<upstream::ReadHandle>> handles_;
};

}  // namespace

ReadOperations::Handle ReadOperations::GetTimeline(
    const v1::GetTimelineRequest& request, absl::Time deadline,
    Done<v1::GetTimelineResponse> done) {
  upstream::TimelineQuery query;
  Violations violations;
  CheckUser(request, query.user, violations);
  CheckPageSize(request.page_size(), 200, violations);
  CheckOptionalId("since_id", request.since_id(), violations);
  auto position = Position(request, request.page_token());
  if (Rejected(std::move(violations), position, done)) return nullptr;

  query.count = PageSize(request.page_size());
  query.since_id = request.since_id();
  query.max_id = *position;
  // The upstream applies count before exclude_replies/include_rts, so a
  // filtered page can be empty while older tweets remain, and its ids no
  // longer tell where the page ended. perch asks for unfiltered pages,
  // steps max_id from them, and filters itself.
  const TweetFilter filter{
      request.exclude_replies(),
      !request.has_include_retweets() || request.include_retweets()};
  const std::string fingerprint = RequestFingerprint(request);
  auto start = [this, query, filter, fingerprint](
                   absl::Time deadline, Finish<v1::GetTimelineResponse> done) {
    return api_.UserTimeline(
        query, deadline,
        [filter, fingerprint, done = std::move(done)](
            absl::StatusOr<upstream::ApiResponse> r) mutable {
          if (!r.ok()) return std::move(done)(r.status());
          auto tweets = mapping::ParseTweetArray(r->body);
          if (!tweets.ok()) return std::move(done)(tweets.status());
          v1::GetTimelineResponse response;
          const std::string next = NextMaxId(*tweets);
          if (!next.empty()) {
            response.set_next_page_token(EncodePageToken(fingerprint, next));
          }
          for (auto& t : *tweets) {
            if (filter.Keeps(t)) *response.add_tweets() = std::move(t);
          }
          SetRateLimit(r->rate_limit, response.mutable_rate_limit());
          std::move(done)(std::move(response));
        });
  };
  return timelines_.Run(CoalescingKey(request), deadline, std::move(start),
                        std::move(done));
}

ReadOperations::Handle ReadOperations::Search(const v1::SearchRequest& request,
                                              absl::Time deadline,
                                              Done<v1::SearchResponse> done) {
  Violations violations;
  CheckQuery(request.query(), violations);
  CheckPageSize(request.page_size(), 100, violations);
  CheckEnum("result_type",
            v1::SearchRequest::ResultType_IsValid(request.result_type()),
            violations);
  CheckLang(request.lang(), violations);
  CheckDate("until", request.until(), violations);
  CheckOptionalId("since_id", request.since_id(), violations);
  auto position = Position(request, request.page_token());
  if (Rejected(std::move(violations), position, done)) return nullptr;

  upstream::SearchQuery query;
  query.q = request.query();
  query.count = PageSize(request.page_size());
  switch (request.result_type()) {
    case v1::SearchRequest::RESULT_TYPE_MIXED:
      query.result_type = "mixed";
      break;
    case v1::SearchRequest::RESULT_TYPE_RECENT:
      query.result_type = "recent";
      break;
    case v1::SearchRequest::RESULT_TYPE_POPULAR:
      query.result_type = "popular";
      break;
    default:
      break;
  }
  query.lang = request.lang();
  query.until = request.until();
  query.since_id = request.since_id();
  query.max_id = *position;
  const std::string fingerprint = RequestFingerprint(request);
  auto start = [this, query, fingerprint](absl::Time deadline,
                                          Finish<v1::SearchResponse> done) {
    return api_.SearchTweets(
        query, deadline,
        [fingerprint, done = std::move(done)](
            absl::StatusOr<upstream::ApiResponse> r) mutable {
          if (!r.ok()) return std::move(done)(r.status());
          auto page = mapping::ParseSearchPage(r->body);
          if (!page.ok()) return std::move(done)(page.status());
          v1::SearchResponse response;
          if (!page->next_max_id.empty()) {
            response.set_next_page_token(
                EncodePageToken(fingerprint, page->next_max_id));
          }
          for (auto& t : page->tweets) *response.add_tweets() = std::move(t);
          SetRateLimit(r->rate_limit, response.mutable_rate_limit());
          std::move(done)(std::move(response));
        });
  };
  return searches_.Run(CoalescingKey(request), deadline, std::move(start),
                       std::move(done));
}

ReadOperations::Handle ReadOperations::GetFollowers(
    const v1::GetFollowersRequest& request, absl::Time deadline,
    Done<v1::GetFollowersResponse> done) {
  upstream::UserRef user;
  Violations violations;
  CheckUser(request, user, violations);
  CheckPageSize(request.page_size(), request.ids_only() ? 5000 : 200,
                violations);
  auto position = Position(request, request.page_token());
  if (Rejected(std::move(violations), position, done)) return nullptr;

  upstream::CursorQuery query;
  query.count = PageSize(request.page_size());
  query.cursor = Cursor(*position);
  const std::string fingerprint = RequestFingerprint(request);
  const bool ids_only = request.ids_only();
  auto start = [this, user, query, fingerprint, ids_only](
                   absl::Time deadline,
                   Finish<v1::GetFollowersResponse> done) -> Handle {
    if (ids_only) {
      return api_.FollowersIds(
          user, query, deadline,
          [fingerprint, done = std::move(done)](
              absl::StatusOr<upstream::ApiResponse> r) mutable {
            if (!r.ok()) return std::move(done)(r.status());
            auto page = mapping::ParseIdPage(r->body);
            if (!page.ok()) return std::move(done)(page.status());
            v1::GetFollowersResponse response;
            for (auto& id : page->ids) response.add_user_ids(std::move(id));
            if (!page->next_cursor.empty()) {
              response.set_next_page_token(
                  EncodePageToken(fingerprint, page->next_cursor));
            }
            SetRateLimit(r->rate_limit, response.mutable_rate_limit());
            std::move(done)(std::move(response));
          });
    }
    return api_.FollowersList(
        user, query, deadline,
        [fingerprint, done = std::move(done)](
            absl::StatusOr<upstream::ApiResponse> r) mutable {
          if (!r.ok()) return std::move(done)(r.status());
          auto page = mapping::ParseUserPage(r->body);
          if (!page.ok()) return std::move(done)(page.status());
          v1::GetFollowersResponse response;
          for (auto& u : page->users) *response.add_users() = std::move(u);
          if (!page->next_cursor.empty()) {
            response.set_next_page_token(
                EncodePageToken(fingerprint, page->next_cursor));
          }
          SetRateLimit(r->rate_limit, response.mutable_rate_limit());
          std::move(done)(std::move(response));
        });
  };
  return followers_.Run(CoalescingKey(request), deadline, std::move(start),
                        std::move(done));
}

namespace {

// Joins lists/show (first page only) with the page of tweets or members:
// answers once both are in, with the first error if either failed.
class ListJoin {
 public:
  ListJoin(int parts, ReadOperations::Done<v1::GetListResponse> done)
      : remaining_(parts), done_(std::move(done)) {}

  // Runs `fill` on the shared response unless an error came first.
  void Complete(absl::Status status,
                const std::function<void(v1::GetListResponse&)>& fill) {
    ReadOperations::Done<v1::GetListResponse> done;
    absl::StatusOr<v1::GetListResponse> result;
    {
      absl::MutexLock lock(&mu_);
      if (error_.ok() && !status.ok()) error_ = std::move(status);
      if (error_.ok()) fill(response_);
      if (--remaining_ > 0) return;
      done = std::move(done_);
      if (error_.ok()) {
        result = std::move(response_);
      } else {
        result = error_;
      }
    }
    std::move(done)(std::move(result));
  }

 private:
  absl::Mutex mu_;
  int remaining_ ABSL_GUARDED_BY(mu_);
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  v1::GetListResponse response_ ABSL_GUARDED_BY(mu_);
  ReadOperations::Done<v1::GetListResponse> done_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

ReadOperations::Handle ReadOperations::GetList(
    const v1::GetListRequest& request, absl::Time deadline,
    Done<v1::GetListResponse> done) {
  upstream::ListRef list;
  Violations violations;
  switch (request.list_case()) {
    case v1::GetListRequest::kListId:
      CheckId("list_id", request.list_id(), violations);
      list.list_id = request.list_id();
      break;
    case v1::GetListRequest::kSlug:
      CheckScreenName("slug.owner_screen_name",
                      request.slug().owner_screen_name(), violations);
      if (request.slug().slug().empty() || request.slug().slug().size() > 25) {
        violations.push_back({"slug.slug", "must be 1-25 characters"});
      }
      list.owner_screen_name = request.slug().owner_screen_name();
      list.slug = request.slug().slug();
      break;
    default:
      violations.push_back({"list", "set list_id or slug"});
  }
  CheckEnum("view", v1::GetListRequest::View_IsValid(request.view()),
            violations);
  const bool members = request.view() == v1::GetListRequest::VIEW_MEMBERS;
  CheckPageSize(request.page_size(), members ? 5000 : 200, violations);
  auto position = Position(request, request.page_token());
  if (Rejected(std::move(violations), position, done)) return nullptr;

  const std::string fingerprint = RequestFingerprint(request);
  const bool first_page = position->empty();
  const int count = PageSize(request.page_size());
  const std::string cursor_or_max_id = *position;
  const bool include_rts =
      !request.has_include_retweets() || request.include_retweets();
  auto start = [this, list, fingerprint, first_page, members, count,
                cursor_or_max_id,
                include_rts](absl::Time deadline,
                             Finish<v1::GetListResponse> done) -> Handle {
    auto join = std::make_shared<ListJoin>(first_page ? 2 : 1, std::move(done));
    auto group = std::make_shared<HandleGroup>();

    if (first_page) {
      group->Add(api_.ListsShow(
          list, deadline, [join](absl::StatusOr<upstream::ApiResponse> r) {
            if (!r.ok()) return join->Complete(r.status(), nullptr);
            auto parsed = mapping::ParseTwitterList(r->body);
            if (!parsed.ok()) return join->Complete(parsed.status(), nullptr);
            join->Complete(absl::OkStatus(), [&](v1::GetListResponse& out) {
              *out.mutable_list() = std::move(*parsed);
            });
          }));
    }
    if (members) {
      upstream::CursorQuery query;
      query.count = count;
      query.cursor = Cursor(cursor_or_max_id);
      group->Add(api_.ListsMembers(
          list, query, deadline,
          [join, fingerprint](absl::StatusOr<upstream::ApiResponse> r) {
            if (!r.ok()) return join->Complete(r.status(), nullptr);
            auto page = mapping::ParseUserPage(r->body);
            if (!page.ok()) return join->Complete(page.status(), nullptr);
            join->Complete(absl::OkStatus(), [&](v1::GetListResponse& out) {
              for (auto& u : page->users) *out.add_members() = std::move(u);
              if (!page->next_cursor.empty()) {
                out.set_next_page_token(
                    EncodePageToken(fingerprint, page->next_cursor));
              }
              SetRateLimit(r->rate_limit, out.mutable_rate_limit());
            });
          }));
    } else {
      upstream::ListStatusesQuery query;
      query.list = list;
      query.count = count;
      query.max_id = cursor_or_max_id;  // unfiltered: see GetTimeline
      group->Add(api_.ListsStatuses(
          query, deadline,
          [join, fingerprint,
           include_rts](absl::StatusOr<upstream::ApiResponse> r) {
            if (!r.ok()) return join->Complete(r.status(), nullptr);
            auto tweets = mapping::ParseTweetArray(r->body);
            if (!tweets.ok()) return join->Complete(tweets.status(), nullptr);
            join->Complete(absl::OkStatus(), [&](v1::GetListResponse& out) {
              const std::string next = NextMaxId(*tweets);
              if (!next.empty()) {
                out.set_next_page_token(EncodePageToken(fingerprint, next));
              }
              const TweetFilter filter{false, include_rts};
              for (auto& t : *tweets) {
                if (filter.Keeps(t)) *out.add_tweets() = std::move(t);
              }
              SetRateLimit(r->rate_limit, out.mutable_rate_limit());
            });
          }));
    }
    return group;
  };
  return lists_.Run(CoalescingKey(request), deadline, std::move(start),
                    std::move(done));
}

}  // namespace perch::core
