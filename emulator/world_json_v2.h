// The v2 JSON of the World's objects (UPSTREAM-V2.md §2): tweets, users,
// lists and media carrying exactly the fields asked for (the defaults
// otherwise), and the includes the asked expansions pull in, each object
// once. Ids, texts, entities, counts and media are the ones world_json.cc
// shows over v1.1. Pure: World in, bytes out; which objects a response
// holds and its envelope are world_reads_v2.cc's business.
#ifndef PERCH_EMULATOR_WORLD_JSON_V2_H_
#define PERCH_EMULATOR_WORLD_JSON_V2_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "emulator/json_writer.h"
#include "emulator/problem_bodies.h"
#include "emulator/v2_params.h"
#include "emulator/world.h"

namespace perch::emulator {

// "2024-06-01T12:00:00.000Z": v2 always shows milliseconds.
std::string FormatIsoTime(int64_t unix_seconds);

// "3_<id>" for a photo, "7_<id>" for a video, "16_<id>" for a GIF.
std::string MediaKey(const WorldMedia& media);

// One object each, with `params`' fields. A tweet is rendered from `tweet`
// itself (tests may pass a modified copy); the world resolves what it
// points at.
void WriteV2Tweet(const World& world, const WorldTweet& tweet,
                  const V2Params& params, JsonWriter& out);
void WriteV2User(const World& world, const WorldUser& user,
                 const V2Params& params, JsonWriter& out);
void WriteV2List(const World& world, const WorldList& list,
                 const V2Params& params, JsonWriter& out);
void WriteV2Media(const WorldTweet& owner, size_t position,
                  const V2Params& params, JsonWriter& out);

// Collects what a response's expansions include, in first-seen order, each
// object once, and the partial errors for referenced objects the app may
// not see (§3.2: section "includes").
class V2Includes {
 public:
  V2Includes(const World& world, const V2Params& params)
      : world_(world), params_(params) {}

  // The expansions of one object in "data".
  void ExpandTweet(uint32_t tweet);
  void ExpandUser(const WorldUser& user);
  void ExpandList(const WorldList& list);

  // `"includes":{...}` when anything was included, then `"errors":[...]`
  // when there are any; nothing otherwise.
  void Write(JsonWriter& out) const;

 private:
  void AddUser(uint32_t user, absl::string_view parameter,
               absl::string_view value);
  void AddTweet(uint32_t tweet, absl::string_view parameter);
  void AddMediaOf(const WorldTweet& tweet);
  void AddError(PartialError error);

  const World& world_;
  const V2Params& params_;
  std::vector<uint32_t> users_, tweets_;
  absl::flat_hash_set<uint32_t> seen_users_, seen_tweets_, seen_media_owners_;
  std::vector<const WorldTweet*> media_owners_;
  std::vector<PartialError> errors_;
  absl::flat_hash_set<std::string> seen_errors_;
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_WORLD_JSON_V2_H_
