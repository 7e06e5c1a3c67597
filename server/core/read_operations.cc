#include "server/core/read_operations.h"

#include <string>
#include <utility>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/core/page_token.h"
#include "server/core/read_validation.h"

namespace perch::core {
namespace {

using upstream::ReadDialect;

constexpr int kDefaultPageSize = 20;

int PageSize(int requested) {
  return requested == 0 ? kDefaultPageSize : requested;
}

// Decodes the page token if any; "" for the first page.
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

// Each response's share of a page.
template <typename Response>
void TakeItems(upstream::TweetPage& page, Response& response) {
  for (auto& t : page.tweets) *response.add_tweets() = std::move(t);
}
void TakeItems(upstream::FollowerPage& page,
               v1::GetFollowersResponse& response) {
  for (auto& u : page.users) *response.add_users() = std::move(u);
  for (auto& id : page.user_ids) response.add_user_ids(std::move(id));
}
void TakeItems(upstream::ListPage& page, v1::GetListResponse& response) {
  if (page.list.has_value()) *response.mutable_list() = std::move(*page.list);
  for (auto& t : page.tweets) *response.add_tweets() = std::move(t);
  for (auto& u : page.members) *response.add_members() = std::move(u);
}

// The completion every RPC shares: the page's items, its next_position
// sealed into a page token bound to this request, its rate-limit window.
template <typename Response, typename Page>
ReadDialect::Callback<Page> Respond(std::string fingerprint,
                                    ReadOperations::Done<Response> done) {
  return [fingerprint = std::move(fingerprint),
          done = std::move(done)](absl::StatusOr<Page> page) mutable {
    if (!page.ok()) return std::move(done)(page.status());
    Response response;
    if (!page->next_position.empty()) {
      // A dialect passes the upstream's pointer on; one that a token cannot
      // carry would fail only on the next call, as the caller's fault.
      if (!IsPagePosition(page->next_position)) {
        return std::move(done)(MakeError(
            absl::StatusCode::kInternal,
            "the upstream's next-page position cannot be carried in a page "
            "token",
            reasons::kUpstreamMalformedResponse, kPerchDomain));
      }
      response.set_next_page_token(
          EncodePageToken(fingerprint, page->next_position));
    }
    TakeItems(*page, response);
    if (page->rate_limit.has_value()) {
      v1::RateLimit& out = *response.mutable_rate_limit();
      out.set_limit(page->rate_limit->limit);
      out.set_remaining(page->rate_limit->remaining);
      out.mutable_reset_time()->set_seconds(
          absl::ToUnixSeconds(page->rate_limit->reset));
    }
    std::move(done)(std::move(response));
  };
}

template <typename Query, typename Page>
using DialectMethod = std::shared_ptr<upstream::ReadHandle> (ReadDialect::*)(
    const Query&, absl::Time, ReadDialect::Callback<Page>);

// The rest of every RPC once its own fields are checked and copied into
// `query`: answers `done` inline with the first error (the violations, every
// field named, then the page token), else fills in the page size and the
// position and runs the dialect call through `coalescer`.
template <typename Response, typename Request, typename Query, typename Page>
ReadOperations::Handle Run(ReadDialect& dialect,
                           RequestCoalescer<Response>& coalescer,
                           const Request& request, Violations violations,
                           absl::Time deadline, Query query,
                           DialectMethod<Query, Page> method,
                           ReadOperations::Done<Response> done) {
  absl::StatusOr<std::string> position =
      Position(request, request.page_token());
  absl::Status status = ToStatus(std::move(violations));
  if (status.ok() && !position.ok()) status = position.status();
  if (!status.ok()) {
    std::move(done)(status);
    return nullptr;
  }
  query.page_size = PageSize(request.page_size());
  query.position = *std::move(position);
  auto start = [&dialect, method, query = std::move(query),
                fingerprint = RequestFingerprint(request)](
                   absl::Time deadline,
                   ReadOperations::Done<Response> flight_done) {
    return (dialect.*method)(
        query, deadline,
        Respond<Response, Page>(fingerprint, std::move(flight_done)));
  };
  return coalescer.Run(CoalescingKey(request), deadline, std::move(start),
                       std::move(done));
}

// An unset optional bool that defaults to true (include_retweets).
template <typename Request>
bool IncludeRetweets(const Request& request) {
  return !request.has_include_retweets() || request.include_retweets();
}

upstream::SearchQuery::Ranking Ranking(v1::SearchRequest::ResultType type) {
  using R = upstream::SearchQuery::Ranking;
  switch (type) {
    case v1::SearchRequest::RESULT_TYPE_MIXED:
      return R::kMixed;
    case v1::SearchRequest::RESULT_TYPE_RECENT:
      return R::kRecent;
    case v1::SearchRequest::RESULT_TYPE_POPULAR:
      return R::kPopular;
    default:
      return R::kDefault;
  }
}

}  // namespace

ReadOperations::Handle ReadOperations::GetTimeline(
    const v1::GetTimelineRequest& request, absl::Time deadline,
    Done<v1::GetTimelineResponse> done) {
  upstream::TimelineQuery query;
  Violations violations;
  CheckUser(request, query.user, violations);
  CheckPageSize(request.page_size(), 200, violations);
  CheckOptionalId("since_id", request.since_id(), violations);
  query.since_id = request.since_id();
  query.exclude_replies = request.exclude_replies();
  query.include_retweets = IncludeRetweets(request);
  return Run(dialect_, timelines_, request, std::move(violations), deadline,
             std::move(query), &ReadDialect::Timeline, std::move(done));
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

  upstream::SearchQuery query;
  query.query = request.query();
  query.ranking = Ranking(request.result_type());
  query.lang = request.lang();
  query.until = request.until();
  query.since_id = request.since_id();
  return Run(dialect_, searches_, request, std::move(violations), deadline,
             std::move(query), &ReadDialect::Search, std::move(done));
}

ReadOperations::Handle ReadOperations::GetFollowers(
    const v1::GetFollowersRequest& request, absl::Time deadline,
    Done<v1::GetFollowersResponse> done) {
  upstream::FollowersQuery query;
  Violations violations;
  CheckUser(request, query.user, violations);
  CheckPageSize(request.page_size(), request.ids_only() ? 5000 : 200,
                violations);
  query.ids_only = request.ids_only();
  return Run(dialect_, followers_, request, std::move(violations), deadline,
             std::move(query), &ReadDialect::Followers, std::move(done));
}

ReadOperations::Handle ReadOperations::GetList(
    const v1::GetListRequest& request, absl::Time deadline,
    Done<v1::GetListResponse> done) {
  upstream::ListQuery query;
  Violations violations;
  switch (request.list_case()) {
    case v1::GetListRequest::kListId:
      CheckId("list_id", request.list_id(), violations);
      query.list.list_id = request.list_id();
      break;
    case v1::GetListRequest::kSlug:
      CheckScreenName("slug.owner_screen_name",
                      request.slug().owner_screen_name(), violations);
      if (request.slug().slug().empty() || request.slug().slug().size() > 25) {
        violations.push_back({"slug.slug", "must be 1-25 characters"});
      }
      query.list.owner_screen_name = request.slug().owner_screen_name();
      query.list.slug = request.slug().slug();
      break;
    default:
      violations.push_back({"list", "set list_id or slug"});
  }
  CheckEnum("view", v1::GetListRequest::View_IsValid(request.view()),
            violations);
  const bool members = request.view() == v1::GetListRequest::VIEW_MEMBERS;
  CheckPageSize(request.page_size(), members ? 5000 : 200, violations);

  query.view = members ? upstream::ListQuery::View::kMembers
                       : upstream::ListQuery::View::kTweets;
  query.include_retweets = IncludeRetweets(request);
  // The list's metadata comes with the first page only (a token always
  // carries a position: IsPagePosition refuses "").
  query.with_metadata = request.page_token().empty();
  return Run(dialect_, lists_, request, std::move(violations), deadline,
             std::move(query), &ReadDialect::List, std::move(done));
}

}  // namespace perch::core
