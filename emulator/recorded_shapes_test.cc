// The emulator's bodies have the shape of the real ones: for each of the
// seven read endpoints, every field path of the recorded responses'
// tweet, user and list objects (and of the envelope around them) is present
// in the emulator's answers with the same JSON type. A recorded null matches
// any type; the few fields the world never fills are listed below with why.
// Recordings: $PERCH_SHARED_DIR/fixtures/recorded/bodies (index.json).
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "emulator/emulator_test_support.h"
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

bool Omitted(const std::string& key) {
  for (const Omission& o : kOmissions) {
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

class RecordedShapesTest : public EmulatorTest,
                           public ::testing::WithParamInterface<Endpoint> {
 protected:
  void SetUp() override {
    bodies_dir_ = absl::StrCat(SharedDir(), "/fixtures/recorded/bodies");
    StartEmulator();
    token_ = ObtainToken();
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
  std::string token_;
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
    if (Omitted(key)) continue;
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

}  // namespace
}  // namespace perch::emulator::testing
