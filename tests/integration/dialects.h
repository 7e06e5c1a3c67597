// The two upstream dialects the integration suites run against: their names
// as ServerConfig::upstream_api takes them, the gtest parameter that runs a
// suite once per dialect, and the upstream read paths each dialect's
// requests count under in the emulator (v1.1 paths, v2 route patterns).
#ifndef PERCH_TESTS_INTEGRATION_DIALECTS_H_
#define PERCH_TESTS_INTEGRATION_DIALECTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "emulator/emulator.h"
#include "gtest/gtest.h"

namespace perch::testing {

inline constexpr char kV1[] = "v1.1";
inline constexpr char kV2[] = "v2";

inline bool IsV2(const std::string& api) { return api == kV2; }

// For INSTANTIATE_TEST_SUITE_P(..., BothDialects(), DialectTestName).
inline auto BothDialects() {
  return ::testing::Values(std::string(kV1), std::string(kV2));
}
// "v1_1", "v2": gtest names allow no '.'.
inline std::string DialectName(const std::string& api) {
  return IsV2(api) ? "v2" : "v1_1";
}
struct DialectTestName {
  std::string operator()(
      const ::testing::TestParamInfo<std::string>& info) const {
    return DialectName(info.param);
  }
};

// Where each RPC's upstream requests go, as the emulator counts them.
struct DialectPaths {
  std::string user_lookup;  // v2 only: screen name -> id
  std::string timeline;
  std::string search;
  std::string followers;     // the users view
  std::string follower_ids;  // ids_only; the same endpoint on v2
  std::string list;          // metadata
  std::string list_tweets;
  std::string list_members;
  std::string owned_lists;  // v2 only: owner + slug -> list id

  // Every distinct read path, for counting all upstream reads.
  std::vector<std::string> reads() const {
    std::vector<std::string> all;
    for (const std::string* p :
         {&user_lookup, &timeline, &search, &followers, &follower_ids, &list,
          &list_tweets, &list_members, &owned_lists}) {
      if (p->empty()) continue;
      bool seen = false;
      for (const std::string& q : all) seen = seen || q == *p;
      if (!seen) all.push_back(*p);
    }
    return all;
  }
};

inline DialectPaths PathsOf(const std::string& api) {
  if (IsV2(api)) {
    return {"/2/users/by/username/:username",
            "/2/users/:id/tweets",
            "/2/tweets/search/recent",
            "/2/users/:id/followers",
            "/2/users/:id/followers",
            "/2/lists/:id",
            "/2/lists/:id/tweets",
            "/2/lists/:id/members",
            "/2/users/:id/owned_lists"};
  }
  return {"",
          "/1.1/statuses/user_timeline.json",
          "/1.1/search/tweets.json",
          "/1.1/followers/list.json",
          "/1.1/followers/ids.json",
          "/1.1/lists/show.json",
          "/1.1/lists/statuses.json",
          "/1.1/lists/members.json",
          ""};
}

// Every read request the emulator has counted, whichever dialect sent it
// (token requests excluded).
inline int64_t UpstreamReads(const emulator::Emulator& upstream) {
  int64_t n = 0;
  for (const auto& [path, count] : upstream.RequestCounts()) {
    if (absl::StartsWith(path, "/1.1/") || absl::StartsWith(path, "/2/")) {
      n += count;
    }
  }
  return n;
}

}  // namespace perch::testing

#endif  // PERCH_TESTS_INTEGRATION_DIALECTS_H_
