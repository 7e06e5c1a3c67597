#include "emulator/placeholder_reads.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "emulator/error_bodies.h"

namespace perch::emulator {
namespace {

// The last page of a cursored collection, as the upstream ends one.
constexpr absl::string_view kEndCursors =
    R"("next_cursor":0,"next_cursor_str":"0","previous_cursor":0,)"
    R"("previous_cursor_str":"0","total_count":null)";

Response EmptyTimeline(const Request&, const FormFields&) {
  return JsonResponse(200, "[]");
}

Response EmptySearch(const Request&, const FormFields& params) {
  const std::string* q = FindField(params, "q");
  std::string query = PercentEncode(q != nullptr ? *q : "");
  int count = 15;
  if (const std::string* c = FindField(params, "count"); c != nullptr) {
    if (!absl::SimpleAtoi(*c, &count)) count = 15;
  }
  // No next_results: an empty result is its own last page.
  return JsonResponse(
      200,
      absl::StrCat(R"({"statuses":[],"search_metadata":{"completed_in":0.001,)",
                   R"("max_id":0,"max_id_str":"0","query":")",
                   JsonEscape(query), R"(","refresh_url":"?since_id=0&q=)",
                   JsonEscape(query), R"(&include_entities=1","count":)", count,
                   R"(,"since_id":0,"since_id_str":"0"}})"));
}

Response EmptyIds(const Request&, const FormFields&) {
  return JsonResponse(200, absl::StrCat(R"({"ids":[],)", kEndCursors, "}"));
}

Response EmptyUsers(const Request&, const FormFields&) {
  return JsonResponse(200, absl::StrCat(R"({"users":[],)", kEndCursors, "}"));
}

Response SmallList(const Request&, const FormFields& params) {
  const std::string* list_id = FindField(params, "list_id");
  const std::string* slug = FindField(params, "slug");
  const std::string* owner = FindField(params, "owner_screen_name");
  int64_t id = 1;
  if (list_id != nullptr && !absl::SimpleAtoi(*list_id, &id)) {
    return PageDoesNotExist();
  }
  if (list_id == nullptr && (slug == nullptr || owner == nullptr)) {
    return PageDoesNotExist();
  }
  std::string the_slug = slug != nullptr ? *slug : absl::StrCat("list-", id);
  std::string the_owner = owner != nullptr ? *owner : "perch_owner";
  std::string s = JsonEscape(the_slug);
  std::string o = JsonEscape(the_owner);
  return JsonResponse(
      200, absl::StrCat(R"({"id":)", id, R"(,"id_str":")", id, R"(","name":")",
                        s, R"(","uri":"/)", o, "/lists/", s,
                        R"(","subscriber_count":0,"member_count":0,)",
                        R"("mode":"public","description":"","slug":")", s,
                        R"(","full_name":"@)", o, "/", s,
                        R"(","created_at":"Tue Feb 05 18:14:21 +0000 2013",)",
                        R"("following":false,"user":{"id":1,"id_str":"1",)",
                        R"("name":")", o, R"(","screen_name":")", o,
                        R"(","protected":false}})"));
}

}  // namespace

std::vector<ReadEndpoint> PlaceholderReadEndpoints() {
  return {
      {"/1.1/statuses/user_timeline.json", &EmptyTimeline},
      {"/1.1/search/tweets.json", &EmptySearch},
      {"/1.1/followers/list.json", &EmptyUsers},
      {"/1.1/followers/ids.json", &EmptyIds},
      {"/1.1/lists/show.json", &SmallList},
      {"/1.1/lists/statuses.json", &EmptyTimeline},
      {"/1.1/lists/members.json", &EmptyUsers},
  };
}

}  // namespace perch::emulator
