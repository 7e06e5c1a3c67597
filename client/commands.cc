#include "client/commands.h"

#include <cstdint>
#include <functional>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/error_report.h"
#include "client/render.h"

namespace perch::client {
namespace {

// How one paged command prints its pages. The responses share
// next_page_token, rate_limit and from_cache; the rest differs.
template <typename Response>
struct PageView {
  // "tweets", "users", "ids", "members": for progress and empty results.
  absl::string_view noun;
  std::string table_header;
  std::function<int(const Response&)> count;
  std::function<std::string(const Response&)> rows;
  // Printed before a page's rows (the list's header line); may be "".
  std::function<std::string(const Response&)> preamble;
};

// Prints `message` as JSON to `out`; false (and a report on `err`) if it
// cannot be encoded.
bool PrintJson(const google::protobuf::Message& message, std::ostream& out,
               std::ostream& err) {
  absl::StatusOr<std::string> line = JsonLine(message);
  if (!line.ok()) {
    err << "error: " << line.status().message() << "\n";
    return false;
  }
  out << *line;
  return true;
}

ExitCode Fail(const grpc::Status& status, const CliArgs& args,
              std::ostream& out, std::ostream& err) {
  out.flush();
  ErrorReport report = ReportError(status, args.server);
  err << report.text;
  return report.exit_code;
}

// One of Connection's calls, e.g. &Connection::GetTimeline.
template <typename Request, typename Response>
using Rpc = grpc::Status (Connection::*)(const Request&, Response*);

// Calls `rpc` for the first page and, with --all, for every next page,
// printing each as it arrives so a long --all run shows results early.
template <typename Request, typename Response>
ExitCode RunPaged(const CliArgs& args, Request request, Connection& connection,
                  Rpc<Request, Response> rpc, const PageView<Response>& view,
                  std::ostream& out, std::ostream& err) {
  int page = 0;
  int64_t total = 0;
  bool printed_header = false;
  Response response;
  while (true) {
    response.Clear();
    grpc::Status status = (connection.*rpc)(request, &response);
    if (!status.ok()) return Fail(status, args, out, err);
    ++page;
    const int items = view.count(response);
    total += items;
    if (args.json) {
      if (!PrintJson(response, out, err)) return kExitLocalFailure;
    } else {
      out << view.preamble(response);
      if (items > 0) {
        if (!printed_header) out << view.table_header;
        printed_header = true;
        out << view.rows(response);
      }
    }
    if (args.all) {
      err << ProgressLine(page, items, total, view.noun);
      err.flush();
    }
    if (!args.all || response.next_page_token().empty()) break;
    if (response.next_page_token() == request.page_token()) {
      out.flush();
      err << "error: the server returned the page token it was given; "
             "stopping to avoid a loop\n";
      return kExitLocalFailure;
    }
    request.set_page_token(response.next_page_token());
  }
  if (!args.json) {
    if (total == 0) out << "(no " << view.noun << ")\n";
    out << Footer(response.has_rate_limit(), response.rate_limit(),
                  response.from_cache(),
                  args.all ? "" : response.next_page_token());
  }
  return kExitOk;
}

template <typename Response>
std::string NoPreamble(const Response&) {
  return "";
}

// Timeline and search answer pages of tweets.
template <typename Response>
PageView<Response> TweetPages() {
  return {"tweets", TweetTableHeader(),
          [](const Response& r) { return r.tweets_size(); },
          [](const Response& r) { return TweetRows(r.tweets()); },
          NoPreamble<Response>};
}

PageView<perch::v1::GetFollowersResponse> FollowerPages(bool ids) {
  using Response = perch::v1::GetFollowersResponse;
  return {ids ? "ids" : "users", ids ? UserIdHeader() : UserTableHeader(),
          [ids](const Response& r) {
            return ids ? r.user_ids_size() : r.users_size();
          },
          [ids](const Response& r) {
            return ids ? UserIdRows(r.user_ids()) : UserRows(r.users());
          },
          NoPreamble<Response>};
}

PageView<perch::v1::GetListResponse> ListPages(bool members) {
  using Response = perch::v1::GetListResponse;
  return {members ? "members" : "tweets",
          members ? UserTableHeader() : TweetTableHeader(),
          [members](const Response& r) {
            return members ? r.members_size() : r.tweets_size();
          },
          [members](const Response& r) {
            return members ? UserRows(r.members()) : TweetRows(r.tweets());
          },
          [](const Response& r) {
            return r.has_list() ? ListHeaderLine(r.list()) : std::string();
          }};
}

// A one-shot command: the error report, or the answer as JSON or as `text`
// renders it. `answered` is the exit code of an answer that arrived.
template <typename Request, typename Response>
ExitCode RunOnce(const CliArgs& args, const Request& request,
                 Connection& connection, Rpc<Request, Response> rpc,
                 std::string (*text)(const Response&),
                 ExitCode (*answered)(const Response&), std::ostream& out,
                 std::ostream& err) {
  Response response;
  grpc::Status status = (connection.*rpc)(request, &response);
  if (!status.ok()) return Fail(status, args, out, err);
  if (args.json) {
    if (!PrintJson(response, out, err)) return kExitLocalFailure;
  } else {
    out << text(response);
  }
  return answered(response);
}

template <typename Response>
ExitCode Answered(const Response&) {
  return kExitOk;
}

// Exit 0 only for SERVING: this is the container's HEALTHCHECK.
ExitCode Serving(const grpc::health::v1::HealthCheckResponse& response) {
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING
             ? kExitOk
             : kExitUnavailable;
}

}  // namespace

ExitCode RunCommand(const CliArgs& args, Connection& connection,
                    std::ostream& out, std::ostream& err) {
  switch (args.command) {
    case Command::kHelp:
      out << UsageText();
      return kExitOk;
    case Command::kTimeline:
      return RunPaged(args, args.timeline, connection, &Connection::GetTimeline,
                      TweetPages<perch::v1::GetTimelineResponse>(), out, err);
    case Command::kSearch:
      return RunPaged(args, args.search, connection, &Connection::Search,
                      TweetPages<perch::v1::SearchResponse>(), out, err);
    case Command::kFollowers:
      return RunPaged(args, args.followers, connection,
                      &Connection::GetFollowers,
                      FollowerPages(args.followers.ids_only()), out, err);
    case Command::kList:
      return RunPaged(args, args.list, connection, &Connection::GetList,
                      ListPages(args.list.view() ==
                                perch::v1::GetListRequest::VIEW_MEMBERS),
                      out, err);
    case Command::kTokenObtain:
      return RunOnce(args, perch::v1::ObtainRequest(), connection,
                     &Connection::Obtain, ObtainText, Answered, out, err);
    case Command::kTokenInvalidate:
      return RunOnce(args, perch::v1::InvalidateRequest(), connection,
                     &Connection::Invalidate, InvalidateText, Answered, out,
                     err);
    case Command::kHealth:
      return RunOnce(args, args.health, connection, &Connection::Check,
                     HealthText, Serving, out, err);
  }
  return kExitLocalFailure;
}

}  // namespace perch::client
