// The emulator's bodies have the shape of the real ones.
// v1.1: for each of the seven read endpoints, every field path of the
// recorded responses' tweet, user and list objects (and of the envelope
// around them) is present in the emulator's answers with the same JSON type.
// A recorded null matches any type; the few fields the world never fills are
// listed below with why.
// v2: over every recorded v2 body (tweepy's, twarc2's, preocts'), per object
// kind (tweet, user, list, media, envelope), every field path the emulator
// sends exists in the recordings with the same JSON types, and every
// recorded path under a field perch asks for is sent.
// Recordings: $PERCH_SHARED_DIR/fixtures/recorded/bodies (index.json) and
// $PERCH_SHARED_DIR/fixtures/recorded-v2.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "emulator/emulator_test_support.h"
#include "emulator/world.h"
#include "gtest/gtest.h"
#include "simdjson.h"

namespace perch::emulator::testing {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Field paths the emulator leaves out on purpose ("kind path" prefixes).
struct Omission {
  const char* path;
  const char* why;
};
constexpr Omission kOmissions[] = {
    {"tweet .place",
     "the world has no geo data: place is always null (a recorded null "
     "matches, a recorded place object's members cannot)"},
    {"tweet .withheld_in_countries",
     "the world withholds nothing; the upstream sends the key only on "
     "withheld tweets"},
};

bool Listed(absl::Span<const Omission> list, const std::string& key) {
  for (const Omission& o : list) {
    if (absl::StartsWith(key, o.path)) return true;
  }
  return false;
}

// "kind path" -> the JSON types seen there.
using Shapes = std::map<std::string, std::set<std::string>>;

std::string TypeOf(element e) {
  switch (e.type()) {
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    case element_type::STRING:
      return "string";
    case element_type::BOOL:
      return "bool";
    case element_type::NULL_VALUE:
      return "null";
    default:
      return "number";  // INT64, UINT64 and DOUBLE alike
  }
}

void WalkMembers(element object, const std::string& kind, Shapes& out);

// Nested tweets and users restart their paths under their own kind, so a
// retweet's original and a tweet's author are compared like any other.
std::string KindOfMember(absl::string_view key) {
  if (key == "status" || key == "retweeted_status" || key == "quoted_status") {
    return "tweet";
  }
  if (key == "user" || key == "source_user") return "user";
  return "";
}

void Walk(element e, const std::string& kind, const std::string& path,
          Shapes& out) {
  out[absl::StrCat(kind, " ", path)].insert(TypeOf(e));
  if (e.type() == element_type::OBJECT) {
    for (auto field : e.get_object()) {
      const std::string key(field.key);
      const std::string nested = KindOfMember(key);
      const std::string child = absl::StrCat(path, ".", key);
      if (!nested.empty() && field.value.type() == element_type::OBJECT) {
        out[absl::StrCat(kind, " ", child)].insert("object");
        WalkMembers(field.value, nested, out);
      } else {
        Walk(field.value, kind, child, out);
      }
    }
  } else if (e.type() == element_type::ARRAY) {
    for (element item : e.get_array()) {
      Walk(item, kind, absl::StrCat(path, "[]"), out);
    }
  }
}

void WalkMembers(element object, const std::string& kind, Shapes& out) {
  for (auto field : object.get_object()) {
    const std::string key(field.key);
    const std::string nested = KindOfMember(key);
    if (!nested.empty() && field.value.type() == element_type::OBJECT) {
      out[absl::StrCat(kind, " .", key)].insert("object");
      WalkMembers(field.value, nested, out);
    } else {
      Walk(field.value, kind, absl::StrCat(".", key), out);
    }
  }
}

// The body of one endpoint: where its tweets, users or list sit.
void WalkBody(absl::string_view endpoint, element body, Shapes& out) {
  if (absl::EndsWith(endpoint, "statuses/user_timeline.json") ||
      absl::EndsWith(endpoint, "lists/statuses.json")) {
    out["envelope "].insert(TypeOf(body));
    for (element t : body.get_array()) WalkMembers(t, "tweet", out);
  } else if (absl::EndsWith(endpoint, "lists/show.json")) {
    WalkMembers(body, "list", out);
  } else {
    for (auto field : body.get_object()) {
      const std::string key(field.key);
      if (key == "statuses" || key == "users") {
        out[absl::StrCat("envelope .", key)].insert("array");
        for (element item : field.value.get_array()) {
          WalkMembers(item, key == "statuses" ? "tweet" : "user", out);
        }
      } else {
        Walk(field.value, "envelope", absl::StrCat(".", key), out);
      }
    }
  }
}

std::string SharedDir() {
  const char* dir = std::getenv("PERCH_SHARED_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "/work/shared";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct Endpoint {
  const char* path;
  // Emulator requests (compatibility mode, as the recordings were made)
  // chosen so every kind of object the endpoint can hold shows up.
  std::vector<std::string> queries;
};

const std::vector<Endpoint>& Endpoints() {
  static const auto* endpoints = new std::vector<Endpoint>{
      {"/1.1/statuses/user_timeline.json",
       {"screen_name=perch_dev&count=200",
        "screen_name=perch_popular&count=200"}},
      {"/1.1/search/tweets.json",
       {"q=%23perch", "q=%23perch&count=100", "q=the&count=100",
        "q=%40perch_dev&count=100"}},
      {"/1.1/followers/ids.json", {"screen_name=perch_popular"}},
      {"/1.1/followers/list.json", {"screen_name=perch_dev&count=200"}},
      {"/1.1/lists/show.json",
       {"owner_screen_name=perch_dev&slug=engineering"}},
      {"/1.1/lists/statuses.json",
       {"owner_screen_name=perch_dev&slug=engineering&count=200"}},
      {"/1.1/lists/members.json",
       {"owner_screen_name=perch_dev&slug=engineering&count=200"}},
  };
  return *endpoints;
}

class RecordedShapesTest : public ReadingEmulatorTest,
                           public ::testing::WithParamInterface<Endpoint> {
 protected:
  void SetUp() override {
    bodies_dir_ = absl::StrCat(SharedDir(), "/fixtures/recorded/bodies");
    ReadingEmulatorTest::SetUp();
  }

  // Every recorded body of `endpoint`, walked into `out`; how many.
  int RecordedShapes(absl::string_view endpoint, Shapes& out) {
    const std::string index =
        ReadFile(absl::StrCat(bodies_dir_, "/index.json"));
    simdjson::dom::parser index_parser;
    element entries;
    EXPECT_EQ(index_parser.parse(index).get(entries), simdjson::SUCCESS)
        << "cannot read " << bodies_dir_ << "/index.json";
    int n = 0;
    for (element entry : entries.get_array()) {
      std::string_view uri, body_name;
      if (entry["uri"].get(uri) != simdjson::SUCCESS ||
          entry["body"].get(body_name) != simdjson::SUCCESS) {
        continue;
      }
      const std::string host = "https://api.twitter.com";
      absl::string_view u(uri.data(), uri.size());
      if (!absl::StartsWith(u, host)) continue;
      absl::string_view path = u.substr(host.size());
      path = path.substr(0, path.find('?'));
      if (path != endpoint) continue;
      const std::string body =
          ReadFile(absl::StrCat(bodies_dir_, "/", std::string(body_name)));
      simdjson::dom::parser parser;
      element doc;
      EXPECT_EQ(parser.parse(body).get(doc), simdjson::SUCCESS) << body_name;
      WalkBody(endpoint, doc, out);
      ++n;
    }
    return n;
  }

  std::string bodies_dir_;
};

TEST_P(RecordedShapesTest, EveryRecordedFieldIsThereWithItsType) {
  const Endpoint& endpoint = GetParam();
  Shapes recorded;
  ASSERT_GT(RecordedShapes(endpoint.path, recorded), 0)
      << "no recording of " << endpoint.path << " under " << bodies_dir_;
  ASSERT_GT(recorded.size(), 5u);

  Shapes emulated;
  for (const std::string& query : endpoint.queries) {
    HttpResult result =
        GetWithBearer(absl::StrCat(endpoint.path, "?", query), token_);
    ASSERT_EQ(result.status, 200) << query << ": " << result.body;
    simdjson::dom::parser parser;
    element doc;
    ASSERT_EQ(parser.parse(result.body).get(doc), simdjson::SUCCESS) << query;
    WalkBody(endpoint.path, doc, emulated);
  }

  std::vector<std::string> missing, mistyped;
  for (const auto& [key, types] : recorded) {
    if (Listed(kOmissions, key)) continue;
    auto found = emulated.find(key);
    if (found == emulated.end()) {
      missing.push_back(key);
      continue;
    }
    std::set<std::string> want = types;
    const bool nullable = want.erase("null") > 0;
    std::set<std::string> have = found->second;
    have.erase("null");  // absent values are null upstream too
    for (const std::string& type : want) {
      if (!have.count(type)) {
        mistyped.push_back(absl::StrCat(key, " never ", type));
      }
    }
    if (!nullable) {
      for (const std::string& type : have) {
        if (!want.count(type)) {
          mistyped.push_back(absl::StrCat(key, " is also ", type));
        }
      }
    }
  }
  EXPECT_TRUE(missing.empty())
      << endpoint.path << " lacks:\n  " << absl::StrJoin(missing, "\n  ");
  EXPECT_TRUE(mistyped.empty()) << endpoint.path << " types differ:\n  "
                                << absl::StrJoin(mistyped, "\n  ");
}

INSTANTIATE_TEST_SUITE_P(SevenEndpoints, RecordedShapesTest,
                         ::testing::ValuesIn(Endpoints()),
                         [](const ::testing::TestParamInfo<Endpoint>& info) {
                           std::string name = info.param.path;
                           for (char& c : name) {
                             if (!absl::ascii_isalnum(
                                     static_cast<unsigned char>(c)))
                               c = '_';
                           }
                           return name;
                         });

// --- v2 ---

// Recorded paths perch asks for that the emulator leaves out on purpose.
constexpr Omission kV2Omissions[] = {
    {"tweet .attachments.poll_ids",
     "the world has no polls (and perch expands no poll_ids)"},
    {"tweet .entities.annotations",
     "named-entity annotations are the upstream's language analysis; the "
     "world has none"},
    {"envelope .includes.polls", "perch expands no attachments.poll_ids"},
    {"envelope .includes.places", "perch expands no geo.place_id"},
};

// Paths the emulator sends that no copied recording shows, with the source
// of their shape.
constexpr Omission kV2Unrecorded[] = {
    {"tweet .entities.urls[].media_key",
     "real since 2022 (UPSTREAM-V2.md §2.1 quotes twarc-csv "
     "media_tweet.jsonl); the copied bodies predate it"},
};

// The top-level fields of each kind perch asks for (helpers/COMMON.md),
// defaults included; every envelope path counts.
bool PerchAsks(const std::string& key) {
  static const auto* asked = new std::map<std::string, std::set<std::string>>{
      {"tweet",
       {"id", "text", "edit_history_tweet_ids", "attachments", "author_id",
        "conversation_id", "created_at", "entities", "in_reply_to_user_id",
        "lang", "note_tweet", "possibly_sensitive", "public_metrics",
        "referenced_tweets", "source"}},
      {"user",
       {"id", "name", "username", "created_at", "description", "location",
        "profile_image_url", "protected", "public_metrics", "url", "verified"}},
      {"media",
       {"media_key", "type", "url", "preview_image_url", "width", "height"}},
      {"list",
       {"id", "name", "created_at", "description", "follower_count",
        "member_count", "owner_id", "private"}},
  };
  const size_t space = key.find(' ');
  const std::string kind = key.substr(0, space);
  if (kind == "envelope") return true;
  auto fields = asked->find(kind);
  if (fields == asked->end()) return false;   // polls, places
  std::string field = key.substr(space + 2);  // past " ."
  field = field.substr(0, field.find_first_of(".["));
  return fields->second.count(field) > 0;
}

// Every path of `from` that `keep` selects is in `in` with each of its
// types; the others go to `absent` and `mistyped`.
template <typename Keep>
void CheckContained(const Shapes& from, const Shapes& in, Keep keep,
                    std::vector<std::string>& absent,
                    std::vector<std::string>& mistyped) {
  for (const auto& [key, types] : from) {
    if (!keep(key)) continue;
    auto found = in.find(key);
    if (found == in.end()) {
      absent.push_back(key);
      continue;
    }
    for (const std::string& type : types) {
      if (!found->second.count(type)) {
        mistyped.push_back(absl::StrCat(
            key, ": ", type, " on one side only ",
            "(the other: ", absl::StrJoin(found->second, "|"), ")"));
      }
    }
  }
}

void WalkPlain(element e, const std::string& kind, const std::string& path,
               Shapes& out) {
  out[absl::StrCat(kind, " ", path)].insert(TypeOf(e));
  if (e.type() == element_type::OBJECT) {
    for (auto field : e.get_object()) {
      WalkPlain(field.value, kind,
                absl::StrCat(path, ".", std::string(field.key)), out);
    }
  } else if (e.type() == element_type::ARRAY) {
    for (element item : e.get_array()) {
      WalkPlain(item, kind, absl::StrCat(path, "[]"), out);
    }
  }
}

void WalkObject(element object, const std::string& kind, Shapes& out) {
  for (auto field : object.get_object()) {
    WalkPlain(field.value, kind, absl::StrCat(".", std::string(field.key)),
              out);
  }
}

// What "data" holds for a request path.
std::string DataKind(absl::string_view path) {
  if (absl::StrContains(path, "/tweets")) return "tweet";
  if (absl::StrContains(path, "_lists")) return "list";
  if (absl::StartsWith(path, "/2/lists/") &&
      path.find('/', 9) == absl::string_view::npos) {
    return "list";
  }
  return "user";
}

// One v2 body of a request to `path`; twarc's own "__twarc" member is not
// the upstream's.
void WalkV2Body(absl::string_view path, element body, Shapes& out) {
  const std::string data_kind = DataKind(path);
  for (auto field : body.get_object()) {
    const std::string key(field.key);
    if (key == "__twarc") continue;
    if (key == "data") {
      out["envelope .data"].insert(TypeOf(field.value));
      if (field.value.type() == element_type::ARRAY) {
        for (element item : field.value.get_array()) {
          WalkObject(item, data_kind, out);
        }
      } else {
        WalkObject(field.value, data_kind, out);
      }
    } else if (key == "includes") {
      out["envelope .includes"].insert(TypeOf(field.value));
      for (auto group : field.value.get_object()) {
        const std::string name(group.key);
        out[absl::StrCat("envelope .includes.", name)].insert(
            TypeOf(group.value));
        const std::string kind = name == "users"    ? "user"
                                 : name == "tweets" ? "tweet"
                                 : name == "media"  ? "media"
                                 : name == "polls"  ? "poll"
                                                    : "place";
        for (element item : group.value.get_array()) {
          WalkObject(item, kind, out);
        }
      }
    } else {
      WalkPlain(field.value, "envelope", absl::StrCat(".", key), out);
    }
  }
}

absl::string_view PathOfUri(absl::string_view uri) {
  const size_t scheme = uri.find("://");
  absl::string_view rest =
      scheme == absl::string_view::npos ? uri : uri.substr(scheme + 3);
  rest = rest.substr(std::min(rest.size(), rest.find('/')));
  return rest.substr(0, rest.find('?'));
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

class RecordedV2ShapesTest : public ReadingEmulatorTest {
 protected:

  void Parse(absl::string_view what, const std::string& json,
             absl::string_view path, Shapes& out) {
    simdjson::dom::parser parser;
    element doc;
    ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << what;
    WalkV2Body(path, doc, out);
  }

  // Every recorded v2 body, walked into `out`; how many.
  int RecordedShapes(Shapes& out) {
    const std::string fixtures = absl::StrCat(SharedDir(), "/fixtures");
    int n = 0;
    // tweepy's v2 cassettes (client and async client alike).
    const std::string bodies = absl::StrCat(fixtures, "/recorded/bodies");
    simdjson::dom::parser index_parser;
    element entries;
    EXPECT_EQ(index_parser.parse(ReadFile(absl::StrCat(bodies, "/index.json")))
                  .get(entries),
              simdjson::SUCCESS);
    for (element entry : entries.get_array()) {
      std::string_view uri, body;
      if (entry["uri"].get(uri) != simdjson::SUCCESS ||
          entry["body"].get(body) != simdjson::SUCCESS) {
        continue;
      }
      const absl::string_view path = PathOfUri({uri.data(), uri.size()});
      if (!absl::StartsWith(path, "/2/")) continue;
      const std::string name(body);
      EXPECT_TRUE(absl::StartsWith(name, "test_client_") ||
                  absl::StartsWith(name, "test_asyncclient_"))
          << name;
      Parse(name, ReadFile(absl::StrCat(bodies, "/", name)), path, out);
      ++n;
    }
    // twarc2's captures: a body per line, its URL in __twarc.
    const std::string twarc = absl::StrCat(fixtures, "/recorded-v2/twarc-csv");
    for (const char* file :
         {"2sets.jsonl", "lists.jsonl", "noflat.jsonl", "two_tweets.jsonl",
          "user_timeline.jsonl", "users.jsonl"}) {
      const std::vector<std::string> lines =
          Lines(ReadFile(absl::StrCat(twarc, "/", file)));
      EXPECT_FALSE(lines.empty()) << file;
      for (const std::string& line : lines) {
        simdjson::dom::parser parser;
        element doc;
        std::string_view url;
        EXPECT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << file;
        EXPECT_EQ(doc["__twarc"]["url"].get(url), simdjson::SUCCESS) << file;
        WalkV2Body(PathOfUri({url.data(), url.size()}), doc, out);
        ++n;
      }
    }
    // preocts' two search pages (not their .meta.json).
    for (const char* page : {"page1", "page2"}) {
      Parse(page,
            ReadFile(absl::StrCat(fixtures, "/recorded-v2/preocts/",
                                  "search_recent.", page, ".json")),
            "/2/tweets/search/recent", out);
      ++n;
    }
    return n;
  }

  void Emulated(const std::string& path_and_query, Shapes& out) {
    HttpResult result = GetWithBearer(path_and_query, token_);
    ASSERT_EQ(result.status, 200) << path_and_query << ": " << result.body;
    Parse(path_and_query, result.body, PathOfUri(path_and_query), out);
  }
};

TEST_F(RecordedV2ShapesTest, EmulatorAndRecordingsAgreeOnEveryField) {
  Shapes recorded;
  // 16 tweepy bodies, 8 twarc2 lines, 2 preocts pages.
  ASSERT_EQ(RecordedShapes(recorded), 26);

  const World& w = emulator_->world();
  const std::string dev = absl::StrCat("/2/users/", w.dev().id);
  const std::string popular = absl::StrCat("/2/users/", w.popular().id);
  const std::string list = absl::StrCat("/2/lists/", w.engineering().id);
  Shapes emulated;
  // Perch's requests over every endpoint, with the defaults beside them (as
  // tweepy recorded them), a later page (previous_token) and the errors a
  // 200 carries.
  for (const std::string& request : std::vector<std::string>{
           absl::StrCat("/2/users/by/username/perch_dev?", kPerchUserFields),
           "/2/users/by/username/perch_dev",
           absl::StrCat(dev, "?", kPerchUserFields),
           absl::StrCat(dev, "/tweets?max_results=100&", kPerchTweetParams),
           absl::StrCat(popular, "/tweets?max_results=100&", kPerchTweetParams),
           absl::StrCat(dev, "/tweets"),
           absl::StrCat(
               "/2/tweets/search/recent?query=%23perch&max_results=100&",
               kPerchTweetParams),
           "/2/tweets/search/recent?query=%23perch",
           absl::StrCat(popular, "/followers?max_results=1000&",
                        kPerchUserFields),
           absl::StrCat(popular, "/followers"),
           absl::StrCat(list, "?", kPerchListParams),
           list,
           absl::StrCat(list, "/tweets?max_results=100&", kPerchTweetParams),
           absl::StrCat(list, "/tweets"),
           absl::StrCat(list, "/members?max_results=100&", kPerchUserFields),
           absl::StrCat(list, "/members"),
           absl::StrCat(dev, "/owned_lists?max_results=100&", kPerchListFields),
           "/2/users/by/username/nobody_at_all",
           "/2/users/by/username/perch_banned",
           absl::StrCat("/2/users/", w.private_user().id, "/tweets"),
       }) {
    Emulated(request, emulated);
  }
  HttpResult first =
      GetWithBearer(absl::StrCat(dev, "/tweets?max_results=5"), token_);
  const std::string next = JsonStringMember(
      first.body.substr(first.body.find("\"meta\":") + 7), "next_token");
  ASSERT_FALSE(next.empty()) << first.body;
  Emulated(absl::StrCat(dev, "/tweets?max_results=5&pagination_token=", next),
           emulated);

  std::vector<std::string> unrecorded, mistyped, missing;
  CheckContained(
      emulated, recorded,
      [](const std::string& key) { return !Listed(kV2Unrecorded, key); },
      unrecorded, mistyped);
  CheckContained(
      recorded, emulated,
      [](const std::string& key) {
        return PerchAsks(key) && !Listed(kV2Omissions, key);
      },
      missing, mistyped);
  EXPECT_TRUE(unrecorded.empty())
      << "sent but never recorded:\n  " << absl::StrJoin(unrecorded, "\n  ");
  EXPECT_TRUE(missing.empty()) << "recorded, asked by perch, not sent:\n  "
                               << absl::StrJoin(missing, "\n  ");
  EXPECT_TRUE(mistyped.empty())
      << "types differ:\n  " << absl::StrJoin(mistyped, "\n  ");
  // The walk saw every kind on both sides.
  for (const char* kind :
       {"tweet .id", "user .id", "list .id", "media .media_key",
        "envelope .meta.next_token", "envelope .errors[].type"}) {
    EXPECT_TRUE(recorded.count(kind)) << kind;
    EXPECT_TRUE(emulated.count(kind)) << kind;
  }
}

}  // namespace
}  // namespace perch::emulator::testing
