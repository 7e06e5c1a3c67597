// The v1.1 JSON of the World's objects, field for field and type for type as
// the recorded responses have them (tweets, users, lists), in both text
// modes: tweet_mode=extended (full_text, display_text_range) and the
// 140-character compatibility mode (text, truncated). Pure: World in, bytes
// out; which objects a response holds is world_reads.cc's business.
#ifndef PERCH_EMULATOR_WORLD_JSON_H_
#define PERCH_EMULATOR_WORLD_JSON_H_

#include <cstdint>
#include <string>
#include <vector>

#include "emulator/json_writer.h"
#include "emulator/tweet_text.h"
#include "emulator/world.h"

namespace perch::emulator {

struct TweetJsonOptions {
  TweetMode mode = TweetMode::kCompat;
  bool include_entities = true;  // include_entities=false drops both nodes
  bool trim_user = false;        // "user" is only {id, id_str}
  bool search_metadata = false;  // search/tweets adds "metadata"
};

// One tweet object; a retweet nests its original, a quote the quoted tweet
// (one level deep, as the upstream does).
void WriteTweet(const World& world, uint32_t tweet,
                const TweetJsonOptions& options, JsonWriter& out);

struct UserJsonOptions {
  bool include_entities = true;  // include_user_entities / include_entities
  // The user's newest tweet as "status" (without "user"), as followers/list
  // and lists/members add it unless skip_status; never for protected users.
  bool include_status = false;
  TweetMode status_mode = TweetMode::kCompat;
};

void WriteUser(const World& world, uint32_t user,
               const UserJsonOptions& options, JsonWriter& out);

// lists/show's object, with the owner as "user".
void WriteList(const World& world, const WorldList& list, JsonWriter& out);

// "Wed Oct 10 20:19:24 +0000 2018".
std::string FormatCreatedAt(int64_t unix_seconds);

// Where both dialects point for the same object. MediaPath has no scheme
// (v1.1 shows it as http:// and https://): a photo itself, a video's or
// GIF's still. `position` is the medium's index in its tweet.
std::string MediaPath(const WorldMedia& media);
std::string MediaExpandedUrl(const World& world, const WorldTweet& owner,
                             const WorldMedia& media, size_t position);
std::string AvatarPath(const WorldUser& user);  // no scheme

// A video's or GIF's playable files (none for a photo).
struct VideoVariant {
  int bitrate = -1;  // -1: none (the HLS playlist)
  std::string content_type;
  std::string url;
};
std::vector<VideoVariant> VideoVariants(const WorldMedia& media);
std::string BannerUrl(const WorldUser& user);

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_WORLD_JSON_H_
