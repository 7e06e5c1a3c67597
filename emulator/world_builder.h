// Generates a World from a seed: users and their profiles, the follower
// graph, lists, and tweets in time order (replies, retweets and quotes point
// only at older tweets), with the named fixtures world.h promises. Private to
// World::Generate; a small PRNG of our own keeps it identical on every
// standard library.
#ifndef PERCH_EMULATOR_WORLD_BUILDER_H_
#define PERCH_EMULATOR_WORLD_BUILDER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "emulator/world.h"

namespace perch::emulator {

// splitmix64: tiny, fast, and the same sequence everywhere (std::
// distributions are not).
class WorldRng {
 public:
  explicit WorldRng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, n); n > 0.
  uint32_t Below(uint32_t n);
  // Uniform in [lo, hi); lo < hi.
  int64_t Between(int64_t lo, int64_t hi);
  // Uniform in [0, 1).
  double Unit();
  bool Chance(double p) { return Unit() < p; }

 private:
  uint64_t state_;
};

class WorldBuilder {
 public:
  explicit WorldBuilder(uint64_t seed);
  std::shared_ptr<const World> Build();

  // Exposed for the features table in world_builder.cc.
  enum Feature : uint8_t {
    kPlain,
    kRetweet,  // of anything
    kPhoto,
    kFourPhotos,
    kVideo,
    kAnimatedGif,
    kLink,
    kReplyToOther,
    kRetweetOfVideo,
    kQuote,
    kRetweetOfQuote,
    kLongText,
    kTwoMentions,
    kEmoji,
    kSelfReply,
    kSensitiveLink,
  };

 private:
  struct Slot {
    int64_t ms;
    uint32_t author;
    Feature feature;
    bool perch_tag;  // must carry #perch
    bool forced;     // `feature` is required, not rolled
  };

  // Appends pieces of a tweet's text, tracking code points for indices.
  struct TextBuilder {
    std::string text;
    uint16_t cp = 0;
    TextSpan Append(absl::string_view piece);
  };

  void MakeUsers();
  uint32_t AddUser(absl::string_view screen_name, int64_t created_at,
                   uint64_t fixed_id);
  void FillProfile(WorldUser& user, bool lurker);
  void AddDescriptionLink(WorldUser& user, absl::string_view expanded);
  std::string UniqueScreenName();
  void MakeFollowers();
  void MakeLists();
  void AddList(uint32_t owner, absl::string_view slug, absl::string_view name,
               absl::string_view description, bool is_private,
               int64_t created_at, uint64_t fixed_id,
               std::vector<uint32_t> members);
  void MakeSlots();
  void AddSlots(uint32_t author, int count, int64_t from_ms, int64_t to_ms);
  void MakeTweets();
  void MakeTweet(const Slot& slot, uint32_t index);
  void MakeRetweet(WorldTweet& tweet, uint32_t original);
  // `showcase`: keep media tweets short enough for compatibility mode.
  void Compose(WorldTweet& tweet, Feature feature, bool perch_tag,
               bool showcase);
  void AddBody(TextBuilder& b, absl::string_view lang, size_t max_cp,
               WorldTweet& tweet, bool mention_inside);
  void AddMedia(WorldTweet& tweet, TextBuilder& b, MediaKind kind, int count);
  void SetCounts(WorldTweet& tweet);
  // An older tweet, or kNoIndex: `pick` says which are acceptable.
  template <typename Pred>
  int32_t FindRecent(uint32_t before, Pred pick, bool scan);
  void Finish();

  std::string TcoLink();
  std::string Base62(int length);
  uint64_t UniqueUserId(uint64_t id);
  uint32_t RandomVisibleUser();

  WorldRng rng_;
  std::unique_ptr<World> world_;
  absl::flat_hash_set<std::string> names_taken_;
  absl::flat_hash_set<uint64_t> user_ids_taken_;
  std::vector<Slot> slots_;
  // Users the generator may mention, reply to or add to lists.
  std::vector<uint32_t> active_;
  uint64_t last_tweet_id_ = 0;
  // Per user, their newest tweet so far that is not a retweet (threads).
  std::vector<int32_t> last_own_;
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_WORLD_BUILDER_H_
