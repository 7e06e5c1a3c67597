// Sweeps the whole recorded corpus through bodies/index.json: every v1.1
// body of an endpoint perch maps must parse with its parser, every recorded
// error body must be recognised, and the parsers must agree across threads.
// Field-level checks of each body live in the per-file tests.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "server/mapping/error_json.h"
#include "server/mapping/list_json.h"
#include "server/mapping/page_json.h"
#include "server/mapping/testing/concurrent_parse.h"
#include "server/mapping/testing/recorded_body.h"
#include "server/mapping/tweet_json.h"
#include "server/mapping/user_json.h"
#include "simdjson.h"

namespace perch::mapping {
namespace {

using ::perch::mapping::testing::ReadRecordedBody;

struct Recording {
  std::string body;      // file name in bodies/
  std::string endpoint;  // "/1.1/statuses/user_timeline.json"
  int64_t status = 0;
};

// The index is test input, read with simdjson's DOM API (this test is not
// server code).
std::vector<Recording> LoadIndex() {
  std::vector<Recording> recordings;
  absl::StatusOr<std::string> index = ReadRecordedBody("index.json");
  if (!index.ok()) {
    ADD_FAILURE() << index.status();
    return recordings;
  }
  simdjson::dom::parser parser;
  simdjson::dom::array entries;
  if (auto error = parser.parse(*index).get(entries); error) {
    ADD_FAILURE() << "index.json: " << simdjson::error_message(error);
    return recordings;
  }
  for (simdjson::dom::element entry : entries) {
    std::string_view body, uri;
    int64_t status = 0;
    if (entry["body"].get(body) || entry["uri"].get(uri) ||
        entry["status"].get(status)) {
      ADD_FAILURE() << "index.json entry without body/uri/status";
      continue;
    }
    absl::string_view path(uri.data(), uri.size());
    // "https://api.twitter.com[:443]/1.1/x.json?query" -> "/1.1/x.json"
    size_t start = path.find("/1.1/");
    if (start == absl::string_view::npos) continue;  // v2: not perch's API
    path.remove_prefix(start);
    path = path.substr(0, path.find('?'));
    recordings.push_back({std::string(body), std::string(path), status});
  }
  return recordings;
}

template <auto kParse>
absl::Status StatusOf(absl::string_view json) {
  return kParse(json).status();
}

// Each v1.1 endpoint perch maps, with the parser its bodies go through.
struct MappedEndpoint {
  const char* endpoint;
  absl::Status (*parse)(absl::string_view json);
};

constexpr MappedEndpoint kMappedEndpoints[] = {
    {"/1.1/statuses/user_timeline.json", StatusOf<ParseTweetArray>},
    {"/1.1/lists/statuses.json", StatusOf<ParseTweetArray>},
    {"/1.1/statuses/home_timeline.json", StatusOf<ParseTweetArray>},
    {"/1.1/search/tweets.json", StatusOf<ParseSearchPage>},
    {"/1.1/followers/list.json", StatusOf<ParseUserPage>},
    {"/1.1/lists/members.json", StatusOf<ParseUserPage>},
    {"/1.1/followers/ids.json", StatusOf<ParseIdPage>},
    {"/1.1/friends/ids.json", StatusOf<ParseIdPage>},
    {"/1.1/lists/show.json", StatusOf<ParseTwitterList>},
    {"/1.1/users/show.json", StatusOf<ParseUser>},
    {"/1.1/account/verify_credentials.json", StatusOf<ParseUser>},
};

absl::Status ParseFor(absl::string_view endpoint, absl::string_view json) {
  for (const MappedEndpoint& mapped : kMappedEndpoints) {
    if (endpoint == mapped.endpoint) return mapped.parse(json);
  }
  return absl::UnimplementedError("no parser");
}

TEST(RecordedCorpus, EveryV11BodyOfAMappedEndpointParses) {
  const std::vector<Recording> recordings = LoadIndex();
  ASSERT_FALSE(recordings.empty());
  std::set<std::string> covered;
  for (const Recording& r : recordings) {
    if (r.status != 200) continue;
    absl::StatusOr<std::string> body = ReadRecordedBody(r.body);
    ASSERT_TRUE(body.ok()) << body.status();
    absl::Status status = ParseFor(r.endpoint, *body);
    if (absl::IsUnimplemented(status)) continue;  // e.g. users/lookup
    EXPECT_TRUE(status.ok()) << r.body << " (" << r.endpoint << "): " << status;
    // A success body is never mistaken for an error body.
    EXPECT_FALSE(ParseUpstreamError(*body).has_value()) << r.body;
    covered.insert(r.endpoint);
  }
  // perch's read endpoints (UPSTREAM.md section 4) all have recordings.
  for (const char* endpoint :
       {"/1.1/statuses/user_timeline.json", "/1.1/search/tweets.json",
        "/1.1/followers/list.json", "/1.1/followers/ids.json",
        "/1.1/lists/show.json", "/1.1/lists/statuses.json",
        "/1.1/lists/members.json"}) {
    EXPECT_TRUE(covered.count(endpoint))
        << "no recording parsed for " << endpoint;
  }
}

TEST(RecordedCorpus, EveryRecordedErrorBodyIsRecognised) {
  int errors = 0;
  for (const Recording& r : LoadIndex()) {
    if (r.status < 400) continue;
    absl::StatusOr<std::string> body = ReadRecordedBody(r.body);
    ASSERT_TRUE(body.ok()) << body.status();
    absl::optional<UpstreamError> error = ParseUpstreamError(*body);
    ASSERT_TRUE(error.has_value()) << r.body;
    EXPECT_EQ(error->code, 215) << r.body;
    ++errors;
  }
  EXPECT_EQ(errors, 6);
}

// The parsers share one simdjson parser per thread; many threads parsing at
// once must each get exactly the single-threaded answer.
TEST(RecordedCorpus, ConcurrentParsesAgree) {
  absl::StatusOr<std::string> timeline =
      ReadRecordedBody("testusertimeline.1.json");
  absl::StatusOr<std::string> members =
      ReadRecordedBody("testgetlistmembers.0.json");
  ASSERT_TRUE(timeline.ok()) << timeline.status();
  ASSERT_TRUE(members.ok()) << members.status();
  absl::StatusOr<std::vector<perch::v1::Tweet>> expected_tweets =
      ParseTweetArray(*timeline);
  absl::StatusOr<UserPage> expected_users = ParseUserPage(*members);
  ASSERT_TRUE(expected_tweets.ok() && expected_users.ok());

  const std::vector<std::string> tweets_answer =
      testing::Serialized(*expected_tweets);
  const std::vector<std::string> users_answer =
      testing::Serialized(expected_users->users);

  testing::ExpectThreadsAgree(
      /*threads=*/6, /*rounds=*/25, [&](int t, int round) {
        // Alternate bodies so each thread's parser is reused across shapes.
        if ((round + t) % 2 == 0) {
          auto tweets = ParseTweetArray(*timeline);
          return tweets.ok() && testing::Serialized(*tweets) == tweets_answer;
        }
        auto users = ParseUserPage(*members);
        return users.ok() &&
               users->next_cursor == expected_users->next_cursor &&
               testing::Serialized(users->users) == users_answer;
      });
}

}  // namespace
}  // namespace perch::mapping
