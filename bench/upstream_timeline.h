// The upstream requests perch-server makes for one GetTimeline page, per
// upstream dialect (--upstream_api): their URLs, the routes perch-emulator
// counts and rate-limits them under, and the parse perch runs on a 200.
// direct-curl, the nginx alternative and the scenarios build their requests
// here so that every baseline does the upstream work perch does;
// upstream_timeline_test.cc holds these URLs equal to the server's dialects.
#ifndef PERCH_BENCH_UPSTREAM_TIMELINE_H_
#define PERCH_BENCH_UPSTREAM_TIMELINE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace perch::bench {

enum class UpstreamApi { kV1_1, kV2 };

// As perch-server's --upstream_api spells them: "v1.1", "v2".
absl::StatusOr<UpstreamApi> ParseUpstreamApi(absl::string_view name);
std::string UpstreamApiName(UpstreamApi api);

// The timeline read's route: the emulator's counter key and rate-limit path
// ("/1.1/statuses/user_timeline.json", "/2/users/:id/tweets").
absl::string_view TimelineRoute(UpstreamApi api);
// The v2 screen name -> user id lookup perch makes once per name (it caches
// the answer for --name_cache_ttl, 1 h by default).
inline constexpr absl::string_view kUserLookupRoute =
    "/2/users/by/username/:username";
// Prefix of every read path of the dialect ("/1.1/", "/2/"), for faults.
absl::string_view ReadPathPrefix(UpstreamApi api);

// Whose timeline. v1.1 asks by screen name; v2 by user id (perch resolves
// the screen name first, once).
struct TimelineTarget {
  UpstreamApi api = UpstreamApi::kV2;
  std::string screen_name = "perch_dev";
  std::string user_id;  // v2 only; required there
};

// The path of the timeline read without its query
// ("/2/users/2244994945/tweets"), for faults on exactly this read.
std::string TimelinePath(const TimelineTarget& target);

// The URL perch requests for a first page of `page_size` tweets newer than
// `since_id` (0: no since_id), byte for byte: the same parameters in the
// same order, percent-encoded the same way.
std::string TimelineUrl(absl::string_view base_url,
                        const TimelineTarget& target, int page_size,
                        int64_t since_id);

// The path and query of perch's v2 lookup of `screen_name`.
std::string UserLookupPathAndQuery(absl::string_view screen_name);

// What perch does with a 200 of the timeline read: maps the body into
// perch.v1.Tweet messages (v2: includes resolved into each tweet) and
// returns how many. A body perch would refuse: INTERNAL (malformed), or
// for v2 the errors a 200 carries without data: NOT_FOUND.
absl::StatusOr<int64_t> MapTimelineBody(UpstreamApi api,
                                        const std::string& body);

}  // namespace perch::bench

#endif  // PERCH_BENCH_UPSTREAM_TIMELINE_H_
