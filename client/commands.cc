#include "client/commands.h"

#include <cstdint>
#include <functional>
#include <string>

#include "absl/functional/function_ref.h"
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

// Calls `call` for the first page and, with --all, for every next page,
// printing each as it arrives so a long --all run shows results early.
template <typename Request, typename Response>
ExitCode RunPaged(
    const CliArgs& args, Request request,
    absl::FunctionRef<grpc::Status(const Request&, Response*)> call,
    const PageView<Response>& view, std::ostream& out, std::ostream& err) {
  int page = 0;
  int64_t total = 0;
  bool printed_header = false;
  Response response;
  while (true) {
    response.Clear();
    grpc::Status status = call(request, &response);
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

ExitCode RunTimeline(const CliArgs& args, Connection& connection,
                     std::ostream& out, std::ostream& err) {
  using Response = perch::v1::GetTimelineResponse;
  PageView<Response> view{
      "tweets", TweetTableHeader(),
      [](const Response& r) { return r.tweets_size(); },
      [](const Response& r) { return TweetRows(r.tweets()); },
      NoPreamble<Response>};
  return RunPaged<perch::v1::GetTimelineRequest, Response>(
      args, args.timeline,
      [&](const perch::v1::GetTimelineRequest& request, Response* response) {
        return connection.GetTimeline(request, response);
      },
      view, out, err);
}

ExitCode RunSearch(const CliArgs& args, Connection& connection,
                   std::ostream& out, std::ostream& err) {
  using Response = perch::v1::SearchResponse;
  PageView<Response> view{
      "tweets", TweetTableHeader(),
      [](const Response& r) { return r.tweets_size(); },
      [](const Response& r) { return TweetRows(r.tweets()); },
      NoPreamble<Response>};
  return RunPaged<perch::v1::SearchRequest, Response>(
      args, args.search,
      [&](const perch::v1::SearchRequest& request, Response* response) {
        return connection.Search(request, response);
      },
      view, out, err);
}

ExitCode RunFollowers(const CliArgs& args, Connection& connection,
                      std::ostream& out, std::ostream& err) {
  using Response = perch::v1::GetFollowersResponse;
  const bool ids = args.followers.ids_only();
  PageView<Response> view{
      ids ? "ids" : "users", ids ? UserIdHeader() : UserTableHeader(),
      [ids](const Response& r) {
        return ids ? r.user_ids_size() : r.users_size();
      },
      [ids](const Response& r) {
        return ids ? UserIdRows(r.user_ids()) : UserRows(r.users());
      },
      NoPreamble<Response>};
  return RunPaged<perch::v1::GetFollowersRequest, Response>(
      args, args.followers,
      [&](const perch::v1::GetFollowersRequest& request, Response* response) {
        return connection.GetFollowers(request, response);
      },
      view, out, err);
}

ExitCode RunList(const CliArgs& args, Connection& connection, std::ostream& out,
                 std::ostream& err) {
  using Response = perch::v1::GetListResponse;
  const bool members =
      args.list.view() == perch::v1::GetListRequest::VIEW_MEMBERS;
  PageView<Response> view{
      members ? "members" : "tweets",
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
  return RunPaged<perch::v1::GetListRequest, Response>(
      args, args.list,
      [&](const perch::v1::GetListRequest& request, Response* response) {
        return connection.GetList(request, response);
      },
      view, out, err);
}

ExitCode RunObtain(const CliArgs& args, Connection& connection,
                   std::ostream& out, std::ostream& err) {
  perch::v1::ObtainResponse response;
  grpc::Status status =
      connection.Obtain(perch::v1::ObtainRequest(), &response);
  if (!status.ok()) return Fail(status, args, out, err);
  if (args.json) {
    return PrintJson(response, out, err) ? kExitOk : kExitLocalFailure;
  }
  out << ObtainText(response);
  return kExitOk;
}

ExitCode RunInvalidate(const CliArgs& args, Connection& connection,
                       std::ostream& out, std::ostream& err) {
  perch::v1::InvalidateResponse response;
  grpc::Status status =
      connection.Invalidate(perch::v1::InvalidateRequest(), &response);
  if (!status.ok()) return Fail(status, args, out, err);
  if (args.json) {
    return PrintJson(response, out, err) ? kExitOk : kExitLocalFailure;
  }
  out << InvalidateText(response);
  return kExitOk;
}

// Exit 0 only for SERVING: this is the container's HEALTHCHECK.
ExitCode RunHealth(const CliArgs& args, Connection& connection,
                   std::ostream& out, std::ostream& err) {
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = connection.Check(args.health, &response);
  if (!status.ok()) return Fail(status, args, out, err);
  if (args.json) {
    if (!PrintJson(response, out, err)) return kExitLocalFailure;
  } else {
    out << HealthText(response);
  }
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
      return RunTimeline(args, connection, out, err);
    case Command::kSearch:
      return RunSearch(args, connection, out, err);
    case Command::kFollowers:
      return RunFollowers(args, connection, out, err);
    case Command::kList:
      return RunList(args, connection, out, err);
    case Command::kTokenObtain:
      return RunObtain(args, connection, out, err);
    case Command::kTokenInvalidate:
      return RunInvalidate(args, connection, out, err);
    case Command::kHealth:
      return RunHealth(args, connection, out, err);
  }
  return kExitLocalFailure;
}

}  // namespace perch::client
