// Test-only: every real X API v2 response body in ../shared/fixtures (the
// tweepy v2 recordings listed in recorded/bodies/index.json, each line of
// the twarc2 captures, the two preocts search pages), each with the v2
// parser its endpoint needs. Read with simdjson's DOM API: this is test
// input, not server code.
#ifndef PERCH_SERVER_MAPPING_TESTING_V2_RECORDED_H_
#define PERCH_SERVER_MAPPING_TESTING_V2_RECORDED_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "server/mapping/testing/recorded_body.h"
#include "simdjson.h"

namespace perch::mapping::testing {

enum class V2Kind {
  kTweetPage,
  kUserPage,
  kUserLookup,
  kListLookup,
  kListsPage
};

struct V2Body {
  std::string name;      // "recorded-v2/twarc-csv/2sets.jsonl:1"
  std::string endpoint;  // "/2/tweets/search/recent"
  V2Kind kind;
  std::string json;
};

// The URL's path ("https://api.twitter.com/2/x?q" -> "/2/x").
inline absl::string_view V2Path(absl::string_view url) {
  const size_t start = url.find("/2/");
  if (start == absl::string_view::npos) return "";
  url.remove_prefix(start);
  return url.substr(0, url.find('?'));
}

// Which parser a v2 path's body needs; an error for a path none maps.
inline absl::StatusOr<V2Kind> KindOfV2Path(absl::string_view path) {
  if (absl::StartsWith(path, "/2/users/by/username/")) {
    return V2Kind::kUserLookup;
  }
  if (absl::EndsWith(path, "/tweets") ||
      absl::StartsWith(path, "/2/tweets/search/")) {
    return V2Kind::kTweetPage;
  }
  if (absl::EndsWith(path, "/followers") || absl::EndsWith(path, "/members") ||
      path == "/2/users/by" || path == "/2/users") {
    return V2Kind::kUserPage;
  }
  if (absl::EndsWith(path, "/owned_lists") ||
      absl::EndsWith(path, "/followed_lists")) {
    return V2Kind::kListsPage;
  }
  if (absl::StartsWith(path, "/2/lists/")) return V2Kind::kListLookup;
  return absl::NotFoundError(absl::StrCat("no v2 parser for ", path));
}

// Line `line` (0-based) of a .jsonl capture, or the whole file otherwise.
inline absl::StatusOr<std::string> ReadV2Body(absl::string_view path,
                                              int line = 0) {
  absl::StatusOr<std::string> text = ReadSharedFixture(path);
  if (!text.ok() || !absl::EndsWith(path, ".jsonl")) return text;
  std::vector<absl::string_view> lines =
      absl::StrSplit(*text, '\n', absl::SkipWhitespace());
  if (line < 0 || static_cast<size_t>(line) >= lines.size()) {
    return absl::NotFoundError(absl::StrCat(path, " has no line ", line));
  }
  return std::string(lines[line]);
}

inline absl::StatusOr<std::vector<V2Body>> LoadV2Bodies() {
  std::vector<V2Body> bodies;
  simdjson::dom::parser parser;

  absl::StatusOr<std::string> index = ReadRecordedBody("index.json");
  if (!index.ok()) return index.status();
  simdjson::dom::array entries;
  if (auto error = parser.parse(*index).get(entries); error) {
    return absl::InternalError(simdjson::error_message(error));
  }
  std::vector<std::pair<std::string, std::string>> tweepy;  // file, path
  for (simdjson::dom::element entry : entries) {
    std::string_view body, uri;
    if (entry["body"].get(body) || entry["uri"].get(uri)) {
      return absl::InternalError("index.json entry without body/uri");
    }
    const absl::string_view path =
        V2Path(absl::string_view(uri.data(), uri.size()));
    if (!path.empty()) tweepy.emplace_back(body, path);
  }
  for (const auto& [file, path] : tweepy) {
    absl::StatusOr<V2Kind> kind = KindOfV2Path(path);
    if (!kind.ok()) return kind.status();
    absl::StatusOr<std::string> json = ReadRecordedBody(file);
    if (!json.ok()) return json.status();
    bodies.push_back({absl::StrCat("recorded/bodies/", file), path, *kind,
                      *std::move(json)});
  }

  // twarc adds `__twarc` (the request URL) to each response; the parsers
  // ignore unknown members, so the lines are parsed as they are.
  for (const char* file :
       {"2sets.jsonl", "lists.jsonl", "noflat.jsonl", "two_tweets.jsonl",
        "user_timeline.jsonl", "users.jsonl"}) {
    const std::string path = absl::StrCat("recorded-v2/twarc-csv/", file);
    absl::StatusOr<std::string> text = ReadSharedFixture(path);
    if (!text.ok()) return text.status();
    int number = 0;
    for (absl::string_view line :
         absl::StrSplit(*text, '\n', absl::SkipWhitespace())) {
      std::string_view url;
      simdjson::dom::element doc;
      if (parser.parse(line.data(), line.size()).get(doc) ||
          doc["__twarc"]["url"].get(url)) {
        return absl::InternalError(absl::StrCat(path, ": no __twarc.url"));
      }
      const std::string endpoint(
          V2Path(absl::string_view(url.data(), url.size())));
      absl::StatusOr<V2Kind> kind = KindOfV2Path(endpoint);
      if (!kind.ok()) return kind.status();
      bodies.push_back({absl::StrCat(path, ":", number++), endpoint, *kind,
                        std::string(line)});
    }
  }

  for (const char* file :
       {"search_recent.page1.json", "search_recent.page2.json"}) {
    const std::string path = absl::StrCat("recorded-v2/preocts/", file);
    absl::StatusOr<std::string> json = ReadSharedFixture(path);
    if (!json.ok()) return json.status();
    bodies.push_back({path, "/2/tweets/search/recent", V2Kind::kTweetPage,
                      *std::move(json)});
  }
  return bodies;
}

}  // namespace perch::mapping::testing

#endif  // PERCH_SERVER_MAPPING_TESTING_V2_RECORDED_H_
