#include "emulator/world_builder.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace perch::emulator {
namespace {

constexpr int kActiveUsers = 1800;  // they tweet
constexpr int kLurkers = 11000;  // they only follow (perch_popular needs them)
constexpr int kRandomLists = 40;
constexpr int kCampaignTweets = 30;  // #perch tweets by others, last 6 days

constexpr int64_t kSecond = 1000;  // in ms
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kNowMs = kWorldNowUnixSeconds * kSecond;

// Users who joined before this have the small sequential ids of the
// pre-snowflake era; later ones have snowflakes (above 2^53).
constexpr int64_t kSnowflakeUsersSince = 1356998400;  // 2013-01-01

int64_t UnixSeconds(int y, int m, int d) {
  return absl::ToUnixSeconds(absl::FromCivil(
      absl::CivilSecond(y, m, d, 0, 0, 0), absl::UTCTimeZone()));
}

// The newest tweets of perch_dev, newest first: one of every shape a client
// must handle, so the first page of its timeline (and of a #perch search)
// shows all of them.
constexpr WorldBuilder::Feature kDevShowcase[] = {
    WorldBuilder::kPhoto,          WorldBuilder::kFourPhotos,
    WorldBuilder::kVideo,          WorldBuilder::kAnimatedGif,
    WorldBuilder::kLink,           WorldBuilder::kReplyToOther,
    WorldBuilder::kRetweetOfVideo, WorldBuilder::kQuote,
    WorldBuilder::kRetweetOfQuote, WorldBuilder::kLongText,
    WorldBuilder::kTwoMentions,    WorldBuilder::kEmoji,
    WorldBuilder::kSelfReply,      WorldBuilder::kSensitiveLink,
};

constexpr absl::string_view kEnglish[] = {
    "perch",      "gateway",   "tokens",    "latency",  "river",
    "morning",    "coffee",    "release",   "build",    "deploy",
    "review",     "pager",     "incident",  "fixed",    "shipped",
    "tests",      "green",     "cache",     "timeline", "search",
    "followers",  "lists",     "bearer",    "cursor",   "pagination",
    "snowflake",  "json",      "parser",    "loopback", "emulator",
    "weekend",    "fishing",   "lake",      "boat",     "weather",
    "sunny",      "rain",      "walk",      "dog",      "lunch",
    "pizza",      "music",     "album",     "book",     "reading",
    "writing",    "thread",    "talk",      "slides",   "meetup",
    "team",       "hiring",    "remote",    "keyboard", "terminal",
    "compiler",   "warnings",  "linker",    "cmake",    "ninja",
    "grpc",       "protobuf",  "http",      "curl",     "libevent",
    "epoll",      "threads",   "mutex",     "deadlock", "benchmark",
    "throughput", "dashboard", "alert",     "pods",     "rollout",
    "canary",     "rollback",  "database",  "index",    "query",
    "schema",     "migration", "today",     "tomorrow", "yesterday",
    "finally",    "again",     "really",    "great",    "tiny",
    "huge",       "quiet",     "busy",      "happy",    "tired",
    "learning",   "debugging", "profiling", "naming",   "things",
    "hard",       "easy",      "fun",       "new",      "old",
    "first",      "last",      "fast",      "slow",     "the",
    "the",        "a",         "a",         "and",      "and",
    "with",       "for",       "on",        "in",       "is",
    "was",        "we",        "our",       "my",       "this",
    "that",       "just",      "about",     "from",     "to",
    "of",         "it",        "so",        "very",     "more",
};
constexpr absl::string_view kSpanish[] = {
    "hola",   "café",   "mañana", "río",     "pescado", "código",   "prueba",
    "equipo", "semana", "lluvia", "sol",     "perca",   "servidor", "de",
    "la",     "el",     "y",      "con",     "para",    "muy",      "hoy",
    "nuevo",  "rápido", "lento",  "gracias", "amigos",  "música",   "libro",
    "lago",   "barco",  "pesca",  "trabajo", "noche",   "día",      "ciudad",
};
constexpr absl::string_view kFrench[] = {
    "bonjour", "café",    "rivière", "poisson", "déploiement", "équipe",
    "pêche",   "été",     "très",    "le",      "la",          "et",
    "avec",    "pour",    "nouveau", "rapide",  "lent",        "merci",
    "amis",    "musique", "livre",   "lac",     "bateau",      "travail",
    "nuit",    "jour",    "ville",   "serveur", "perche",      "semaine",
};
constexpr absl::string_view kGerman[] = {
    "über",    "Fluss", "Barsch",  "Kaffee", "Straße", "schön", "Woche",
    "Prüfung", "und",   "mit",     "für",    "heute",  "neu",   "schnell",
    "langsam", "danke", "Freunde", "Musik",  "Buch",   "See",   "Boot",
    "Arbeit",  "Nacht", "Tag",     "Stadt",  "Server", "Regen", "Sonne",
};
constexpr absl::string_view kHashtags[] = {
    "cpp",     "grpc",          "opensource",       "devops",
    "fishing", "coffee",        "MondayMotivation", "100DaysOfCode",
    "sre",     "observability", "weekend",          "rustlang",
    "golang",  "python",        "TwitterAPI",       "bugfix",
    "release", "rivers",
};
// U+1F41F and U+1F680 need UTF-16 surrogate pairs in the upstream's escapes.
constexpr absl::string_view kEmojis[] = {"🐟", "🚀", "☕", "✨", "🎣", "🌊", "👀"};
constexpr absl::string_view kAdjectives[] = {
    "quiet",  "rapid",  "tiny",   "brave", "sunny",  "misty",  "lucky",
    "clever", "silver", "golden", "amber", "cosmic", "gentle", "wild",
    "urban",  "lazy",   "happy",  "swift", "bold",   "calm"};
constexpr absl::string_view kNouns[] = {
    "heron",  "otter",  "bream",   "pike",   "trout",  "carp",   "salmon",
    "pebble", "river",  "lake",    "harbor", "reef",   "delta",  "willow",
    "fern",   "maple",  "comet",   "pixel",  "kernel", "packet", "socket",
    "buffer", "cursor", "walleye", "minnow"};
constexpr absl::string_view kFirstNames[] = {
    "Ana",   "Ravi",   "Mei",  "Olu",   "Zoë",    "José",  "Łukasz", "Søren",
    "Aoife", "Fatima", "Kai",  "Chloé", "Jürgen", "Hana",  "Noah",   "Lena",
    "Tomás", "Ingrid", "Yuki", "Amara", "Diego",  "Priya", "Emeka",  "Sofía",
    "Elif",  "Nils",   "Maya", "Omar",  "Grace",  "Mateus"};
constexpr absl::string_view kLastNames[] = {
    "Silva", "Okafor", "Nakamura", "Müller", "García",  "Kowalski", "Dubois",
    "Rossi", "Nguyen", "Haddad",   "Larsen", "O'Brien", "Patel",    "Mensah",
    "Costa", "Yilmaz", "Schmidt",  "Moreau", "Ivanova", "Lee"};
constexpr absl::string_view kLocations[] = {"",
                                            "",
                                            "",
                                            "Lisbon, Portugal",
                                            "Lagos",
                                            "Brooklyn, NY",
                                            "Berlin",
                                            "São Paulo",
                                            "Montréal, QC",
                                            "Kyoto",
                                            "Nairobi",
                                            "Earth",
                                            "127.0.0.1",
                                            "the river bank",
                                            "Dublin",
                                            "Austin, TX",
                                            "Zürich"};
constexpr absl::string_view kListSlugs[] = {
    "fishing-friends", "cpp",           "sre-folks",
    "coffee",          "weekend-reads", "grpc",
    "rivers",          "music",         "news",
    "builders",        "test-accounts", "favorites",
    "conference",      "team",          "local"};

constexpr absl::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

template <typename T, size_t N>
const T& Pick(WorldRng& rng, const T (&items)[N]) {
  return items[rng.Below(static_cast<uint32_t>(N))];
}

absl::Span<const absl::string_view> Vocabulary(absl::string_view lang) {
  if (lang == "es") return kSpanish;
  if (lang == "fr") return kFrench;
  if (lang == "de") return kGerman;
  return kEnglish;
}

std::string Capitalized(absl::string_view word) {
  std::string out(word);
  if (!out.empty())
    out[0] = absl::ascii_toupper(static_cast<unsigned char>(out[0]));
  return out;
}

// "perch.example/docs/cursors" as the upstream shortens links for display.
std::string DisplayUrl(absl::string_view expanded) {
  absl::string_view rest = expanded;
  for (absl::string_view scheme : {"https://", "http://"}) {
    if (absl::StartsWith(rest, scheme)) rest.remove_prefix(scheme.size());
  }
  if (absl::StartsWith(rest, "www.")) rest.remove_prefix(4);
  if (CodePointCount(rest) <= 26) return std::string(rest);
  return absl::StrCat(rest.substr(0, CodePointOffset(rest, 25)), "…");
}

}  // namespace

uint64_t WorldRng::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint32_t WorldRng::Below(uint32_t n) {
  return static_cast<uint32_t>(((Next() >> 32) * n) >> 32);
}

int64_t WorldRng::Between(int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo));
}

double WorldRng::Unit() {
  return static_cast<double>(Next() >> 11) * 0x1.0p-53;
}

TextSpan WorldBuilder::TextBuilder::Append(absl::string_view piece) {
  TextSpan span;
  span.start = cp;
  text.append(piece.data(), piece.size());
  cp = static_cast<uint16_t>(cp + CodePointCount(piece));
  span.end = cp;
  return span;
}

std::shared_ptr<const World> World::Generate(uint64_t seed) {
  return WorldBuilder(seed).Build();
}

WorldBuilder::WorldBuilder(uint64_t seed)
    : rng_(seed ^ 0x7065726368576F72ull), world_(new World()) {
  world_->seed_ = seed;
}

std::shared_ptr<const World> WorldBuilder::Build() {
  MakeUsers();
  MakeFollowers();
  MakeLists();
  MakeSlots();
  MakeTweets();
  Finish();
  return std::shared_ptr<const World>(world_.release());
}

std::string WorldBuilder::Base62(int length) {
  std::string out;
  out.reserve(length);
  for (int i = 0; i < length; ++i) out.push_back(kBase62[rng_.Below(62)]);
  return out;
}

std::string WorldBuilder::TcoLink() {
  return absl::StrCat("https://t.co/", Base62(10));
}

uint64_t WorldBuilder::UniqueUserId(uint64_t id) {
  while (!user_ids_taken_.insert(id).second) ++id;
  return id;
}

std::string WorldBuilder::UniqueScreenName() {
  for (;;) {
    std::string name;
    absl::string_view adjective = Pick(rng_, kAdjectives);
    absl::string_view noun = Pick(rng_, kNouns);
    switch (rng_.Below(4)) {
      case 0:
        name = absl::StrCat(adjective, noun);
        break;
      case 1:
        name = absl::StrCat(adjective, "_", noun);
        break;
      case 2:
        name = absl::StrCat(noun, rng_.Below(10000));
        break;
      default:
        name = absl::StrCat(Capitalized(adjective), Capitalized(noun),
                            rng_.Below(100));
        break;
    }
    if (name.size() > 15) continue;
    if (names_taken_.insert(absl::AsciiStrToLower(name)).second) return name;
  }
}

uint32_t WorldBuilder::AddUser(absl::string_view screen_name,
                               int64_t created_at, uint64_t fixed_id) {
  WorldUser user;
  user.screen_name = std::string(screen_name);
  names_taken_.insert(absl::AsciiStrToLower(screen_name));
  user.created_at = created_at;
  if (fixed_id != 0) {
    user.id = UniqueUserId(fixed_id);
  } else if (created_at < kSnowflakeUsersSince) {
    // Sequential-looking: grows with the sign-up time.
    user.id = UniqueUserId(
        1000000 +
        static_cast<uint64_t>(created_at - UnixSeconds(2007, 1, 1)) / 2);
  } else {
    user.id = UniqueUserId(SnowflakeId(created_at * kSecond + rng_.Below(1000),
                                       rng_.Below(1u << 22)));
  }
  world_->users_.push_back(std::move(user));
  return static_cast<uint32_t>(world_->users_.size() - 1);
}

void WorldBuilder::FillProfile(WorldUser& user, bool lurker) {
  absl::string_view first = Pick(rng_, kFirstNames);
  absl::string_view last = Pick(rng_, kLastNames);
  switch (rng_.Below(8)) {
    case 0:
      user.name = std::string(first);
      break;
    case 1:
      user.name = absl::StrCat(first, " ", Pick(rng_, kEmojis));
      break;
    default:
      user.name = absl::StrCat(first, " ", last);
  }
  user.location = std::string(Pick(rng_, kLocations));
  const double lang_roll = rng_.Unit();
  user.lang = lang_roll < 0.82   ? "en"
              : lang_roll < 0.88 ? "es"
              : lang_roll < 0.94 ? "fr"
                                 : "de";
  if (!lurker || rng_.Chance(0.2)) {
    std::vector<std::string> words;
    int n = 3 + rng_.Below(10);
    absl::Span<const absl::string_view> vocabulary = Vocabulary(user.lang);
    for (int i = 0; i < n; ++i) {
      words.emplace_back(vocabulary[rng_.Below(vocabulary.size())]);
    }
    user.description =
        absl::StrCat(Capitalized(absl::StrJoin(words, " ")), ".");
    if (rng_.Chance(0.15)) {
      AddDescriptionLink(
          user, absl::StrCat("https://blog.example.com/", Pick(rng_, kNouns)));
    }
  }
  if (!lurker && rng_.Chance(0.35)) {
    std::string host = absl::AsciiStrToLower(user.screen_name);
    std::replace(host.begin(), host.end(), '_', '-');
    user.url = absl::StrCat("https://", host, ".example.com");
    user.url_tco = TcoLink();
  }
  user.verified = !lurker && rng_.Chance(0.005);
  user.favourites_count = lurker ? rng_.Below(200) : rng_.Below(40000);
  user.profile_color = rng_.Below(0x1000000);
  user.avatar_key = Base62(8);
  user.default_profile_image = lurker && rng_.Chance(0.5);
  user.has_banner = !lurker && rng_.Chance(0.7);
}

void WorldBuilder::AddDescriptionLink(WorldUser& user,
                                      absl::string_view expanded) {
  WorldUrl& link = user.description_url;
  link.url = TcoLink();
  link.expanded_url = std::string(expanded);
  link.display_url = DisplayUrl(expanded);
  const uint16_t start =
      static_cast<uint16_t>(CodePointCount(user.description) + 1);
  link.span = {start, static_cast<uint16_t>(start + link.url.size())};
  absl::StrAppend(&user.description, " ", link.url);
}

void WorldBuilder::MakeUsers() {
  World& w = *world_;
  w.users_.reserve(6 + kActiveUsers + kLurkers);
  w.dev_ = AddUser(kDevScreenName, UnixSeconds(2019, 3, 14) + 51234, 0);
  w.popular_ = AddUser(kPopularScreenName, UnixSeconds(2014, 5, 2) + 7000, 0);
  w.private_ = AddUser(kPrivateScreenName, UnixSeconds(2020, 2, 11) + 3600, 0);
  w.banned_ = AddUser(kBannedScreenName, UnixSeconds(2021, 7, 20) + 600, 0);
  w.firehose_ = AddUser(kFirehoseScreenName, UnixSeconds(2016, 1, 10), 0);
  w.classic_ = AddUser(kClassicScreenName, UnixSeconds(2007, 2, 20) + 51354,
                       kClassicUserId);
  for (uint32_t i :
       {w.dev_, w.popular_, w.private_, w.banned_, w.firehose_, w.classic_}) {
    FillProfile(w.users_[i], /*lurker=*/false);
    w.users_[i].lang = "en";
    w.users_[i].has_banner = true;
    w.users_[i].default_profile_image = false;
  }
  WorldUser& dev = w.users_[w.dev_];
  dev.name = "perch dev";
  dev.description =
      "Test account of the perch team: timelines, followers and lists for "
      "the emulator. #perch";
  dev.description_url = WorldUrl();
  AddDescriptionLink(dev, "https://perch.example/docs/emulator");
  dev.location = "Loopback";
  dev.url = "https://perch.example";
  dev.url_tco = TcoLink();
  WorldUser& popular = w.users_[w.popular_];
  popular.name = "Perch Popular";
  popular.verified = true;
  w.users_[w.private_].name = "Perch Private";
  w.users_[w.private_].is_protected = true;
  w.users_[w.banned_].name = "Perch Banned";
  w.users_[w.banned_].suspended = true;
  w.users_[w.firehose_].name = "Perch Firehose 🚀";
  w.users_[w.firehose_].description = "Posts all day. Ask for more than 3,200.";
  w.users_[w.firehose_].description_url = WorldUrl();
  w.users_[w.classic_].name = "Perch Classic";
  w.users_[w.classic_].verified = true;

  const int64_t earliest = UnixSeconds(2007, 3, 1);
  const int64_t latest = kWorldNowUnixSeconds - 45 * 86400;
  for (int i = 0; i < kActiveUsers + kLurkers; ++i) {
    const bool lurker = i >= kActiveUsers;
    uint32_t index =
        AddUser(UniqueScreenName(), rng_.Between(earliest, latest), 0);
    FillProfile(w.users_[index], lurker);
    if (!lurker) active_.push_back(index);
  }
}

void WorldBuilder::MakeFollowers() {
  World& w = *world_;
  // Everyone may follow except the suspended account.
  std::vector<uint32_t> pool;
  pool.reserve(w.users_.size());
  for (uint32_t i = 0; i < w.users_.size(); ++i) {
    if (!w.users_[i].suspended) pool.push_back(i);
  }
  // A partial Fisher-Yates over a pool that stays a permutation between
  // calls, so it never needs resetting: O(count) per user.
  auto pick = [&](uint32_t user, size_t count) {
    count = std::min(count, pool.size() - 1);
    std::vector<uint32_t>& followers = w.users_[user].followers;
    followers.reserve(count);
    const uint32_t n = static_cast<uint32_t>(pool.size());
    for (uint32_t t = 0; followers.size() < count; ++t) {
      uint32_t j = t + rng_.Below(n - t);
      std::swap(pool[t], pool[j]);
      if (pool[t] != user) followers.push_back(pool[t]);
    }
  };
  pick(w.popular_, 12345);
  pick(w.dev_, 850);
  pick(w.classic_, 300);
  pick(w.private_, 120);
  pick(w.firehose_, 2000);
  pick(w.banned_, 40);
  const double log_max = std::log(600.0);
  for (uint32_t i = 0; i < w.users_.size(); ++i) {
    if (!w.users_[i].followers.empty() || i <= w.classic_) continue;
    const bool lurker = i >= w.classic_ + 1 + kActiveUsers;
    size_t count =
        lurker ? rng_.Below(6)
               : static_cast<size_t>(std::exp(rng_.Unit() * log_max)) - 1;
    pick(i, count);
  }
  for (const WorldUser& user : w.users_) {
    for (uint32_t f : user.followers) ++w.users_[f].friends_count;
  }
}

uint32_t WorldBuilder::RandomVisibleUser() {
  return active_[rng_.Below(static_cast<uint32_t>(active_.size()))];
}

void WorldBuilder::AddList(uint32_t owner, absl::string_view slug,
                           absl::string_view name,
                           absl::string_view description, bool is_private,
                           int64_t created_at, uint64_t fixed_id,
                           std::vector<uint32_t> members) {
  WorldList list;
  list.id = fixed_id != 0 ? fixed_id
                          : SnowflakeId(created_at * kSecond + rng_.Below(1000),
                                        rng_.Below(1u << 22));
  list.owner = owner;
  list.slug = std::string(slug);
  list.name = std::string(name);
  list.description = std::string(description);
  list.is_private = is_private;
  list.created_at = created_at;
  list.subscriber_count = static_cast<int32_t>(rng_.Below(200));
  list.members = std::move(members);
  world_->lists_.push_back(std::move(list));
}

void WorldBuilder::MakeLists() {
  World& w = *world_;
  // Distinct members drawn from the active users, plus `fixed` (added first,
  // so listed last: members are newest first).
  auto members = [&](size_t count, std::vector<uint32_t> fixed) {
    absl::flat_hash_set<uint32_t> seen(fixed.begin(), fixed.end());
    std::vector<uint32_t> out;
    while (out.size() < count) {
      uint32_t u = RandomVisibleUser();
      if (seen.insert(u).second) out.push_back(u);
    }
    out.insert(out.end(), fixed.rbegin(), fixed.rend());
    return out;
  };
  w.engineering_ = static_cast<uint32_t>(w.lists_.size());
  AddList(w.dev_, kEngineeringSlug, "Engineering",
          "People who build perch, and people perch builds for.", false,
          UnixSeconds(2021, 9, 1) + 4242, 0,
          members(44, {w.dev_, w.popular_, w.private_, w.classic_}));
  AddList(w.dev_, kSecretSlug, "Secret plans", "Only perch_dev sees this.",
          true, UnixSeconds(2022, 1, 3), 0, members(5, {}));
  w.classics_ = static_cast<uint32_t>(w.lists_.size());
  AddList(w.classic_, kClassicListSlug, "Classics",
          "Accounts from the early days.", false,
          UnixSeconds(2013, 2, 5) + 65661, kClassicListId,
          members(24, {w.classic_}));
  absl::flat_hash_set<std::string> taken;
  for (int i = 0; i < kRandomLists; ++i) {
    uint32_t owner = RandomVisibleUser();
    absl::string_view slug = Pick(rng_, kListSlugs);
    if (!taken.insert(absl::StrCat(owner, "/", slug)).second) continue;
    std::string name = Capitalized(slug);
    std::replace(name.begin(), name.end(), '-', ' ');
    AddList(owner, slug, name, rng_.Chance(0.5) ? "" : "Good people.",
            rng_.Chance(0.1),
            rng_.Between(UnixSeconds(2014, 1, 1), kWorldNowUnixSeconds - 86400),
            0, members(5 + rng_.Below(146), {}));
  }
}

void WorldBuilder::AddSlots(uint32_t author, int count, int64_t from_ms,
                            int64_t to_ms) {
  for (int i = 0; i < count; ++i) {
    slots_.push_back(
        {rng_.Between(from_ms, to_ms), author, kPlain, false, false});
  }
}

void WorldBuilder::MakeSlots() {
  World& w = *world_;
  // perch_dev: the showcase within the last 3 days, then 166 older tweets.
  for (size_t k = 0; k < std::size(kDevShowcase); ++k) {
    const Feature f = kDevShowcase[k];
    const bool retweet = f == kRetweetOfVideo || f == kRetweetOfQuote;
    slots_.push_back({kNowMs - static_cast<int64_t>(k + 1) * 4 * kHour -
                          rng_.Between(0, 2 * kHour),
                      w.dev_, f, !retweet, true});
  }
  const size_t dev_first = slots_.size();
  AddSlots(w.dev_, 166, kNowMs - 120 * kDay, kNowMs - 3 * kDay);
  for (size_t i = dev_first; i < slots_.size(); ++i) {
    slots_[i].perch_tag = rng_.Chance(0.25);
  }
  AddSlots(w.popular_, 420, kNowMs - 700 * kDay, kNowMs);
  // A few popular #perch tweets, so result_type=popular finds some.
  for (int i = 0; i < 6; ++i) {
    slots_.push_back({kNowMs - rng_.Between(kHour, 5 * kDay), w.popular_,
                      kPlain, true, false});
  }
  AddSlots(w.private_, 60, kNowMs - 300 * kDay, kNowMs);
  AddSlots(w.banned_, 40, UnixSeconds(2021, 8, 1) * kSecond,
           UnixSeconds(2023, 1, 1) * kSecond);
  AddSlots(w.firehose_, 3400, kNowMs - 200 * kDay, kNowMs);
  AddSlots(w.classic_, 120, kNowMs - 1000 * kDay, kNowMs);
  const double log_max = std::log(40.0);
  for (uint32_t u : active_) {
    int count = static_cast<int>(std::exp(rng_.Unit() * log_max));
    int64_t from =
        std::max(w.users_[u].created_at * kSecond + kDay, kNowMs - 540 * kDay);
    AddSlots(u, count, from, kNowMs);
  }
  for (int i = 0; i < kCampaignTweets; ++i) {
    slots_.push_back({kNowMs - rng_.Between(kHour, 6 * kDay),
                      RandomVisibleUser(), kPlain, true, false});
  }
  // Time order decides ids; ties keep insertion order (stable), so the
  // result does not depend on the sort's implementation.
  std::stable_sort(slots_.begin(), slots_.end(),
                   [](const Slot& a, const Slot& b) { return a.ms < b.ms; });
}

template <typename Pred>
int32_t WorldBuilder::FindRecent(uint32_t before, Pred pick, bool scan) {
  const std::vector<WorldTweet>& tweets = world_->tweets_;
  if (scan) {
    for (uint32_t j = before; j > 0;) {
      --j;
      if (pick(tweets[j])) return static_cast<int32_t>(j);
    }
    return kNoIndex;
  }
  const uint32_t range = std::min<uint32_t>(before, 3000);
  if (range == 0) return kNoIndex;
  for (int attempt = 0; attempt < 12; ++attempt) {
    uint32_t j = before - 1 - rng_.Below(range);
    if (pick(tweets[j])) return static_cast<int32_t>(j);
  }
  return kNoIndex;
}

void WorldBuilder::MakeTweets() {
  world_->tweets_.resize(slots_.size());
  last_own_.assign(world_->users_.size(), kNoIndex);
  for (uint32_t i = 0; i < slots_.size(); ++i) MakeTweet(slots_[i], i);
}

void WorldBuilder::MakeTweet(const Slot& slot, uint32_t index) {
  World& w = *world_;
  WorldTweet& t = w.tweets_[index];
  const WorldUser& author = w.users_[slot.author];
  t.author = slot.author;
  t.created_at = slot.ms / kSecond;
  // Strictly increasing, so index order is id order.
  t.id =
      std::max(SnowflakeId(slot.ms, rng_.Below(1u << 22)), last_tweet_id_ + 1);
  last_tweet_id_ = t.id;
  t.lang = author.lang;
  t.source = slot.author == w.firehose_
                 ? kBotSource
                 : static_cast<uint8_t>((author.id >> 3) % (kSourceCount - 1));

  Feature feature = slot.feature;
  if (!slot.forced) {
    const double roll = rng_.Unit();
    const bool bot = slot.author == w.firehose_;
    if (slot.perch_tag) {
      feature = roll < 0.15 ? kPhoto : roll < 0.2 ? kVideo : kPlain;
    } else if (bot) {
      feature = roll < 0.08 ? kSelfReply : roll < 0.15 ? kRetweet : kPlain;
    } else {
      feature = roll < 0.16    ? kReplyToOther
                : roll < 0.19  ? kSelfReply
                : roll < 0.30  ? kRetweet
                : roll < 0.35  ? kQuote
                : roll < 0.42  ? kPhoto
                : roll < 0.435 ? kFourPhotos
                : roll < 0.46  ? kVideo
                : roll < 0.475 ? kAnimatedGif
                : roll < 0.595 ? kLink
                : roll < 0.60  ? kSensitiveLink
                : roll < 0.70  ? kLongText
                : roll < 0.75  ? kTwoMentions
                : roll < 0.79  ? kEmoji
                               : kPlain;
    }
  }
  const uint32_t me = slot.author;
  auto visible = [&](const WorldTweet& o) { return w.Visible(o); };
  switch (feature) {
    case kRetweet:
    case kRetweetOfVideo:
    case kRetweetOfQuote: {
      const bool want_video = feature == kRetweetOfVideo;
      const bool want_quote = feature == kRetweetOfQuote;
      int32_t original = FindRecent(
          index,
          [&](const WorldTweet& o) {
            if (o.kind == TweetKind::kRetweet || o.author == me ||
                !visible(o)) {
              return false;
            }
            if (want_video) {
              // Short enough that compatibility mode keeps the media too.
              return !o.media.empty() && o.media[0].kind == MediaKind::kVideo &&
                     o.length + w.users_[o.author].screen_name.size() + 6 <=
                         140;
            }
            return !want_quote || o.kind == TweetKind::kQuote;
          },
          slot.forced);
      if (original != kNoIndex) {
        MakeRetweet(t, static_cast<uint32_t>(original));
        return;
      }
      feature = kPlain;
      break;
    }
    case kReplyToOther:
    case kSelfReply: {
      int32_t parent = feature == kSelfReply
                           ? last_own_[me]
                           : FindRecent(
                                 index,
                                 [&](const WorldTweet& o) {
                                   return o.kind != TweetKind::kRetweet &&
                                          o.author != me && visible(o);
                                 },
                                 slot.forced);
      if (parent != kNoIndex) {
        t.kind = TweetKind::kReply;
        t.in_reply_to = parent;
      }
      break;
    }
    case kQuote: {
      int32_t quoted = FindRecent(
          index,
          [&](const WorldTweet& o) {
            return o.kind != TweetKind::kRetweet && o.author != me &&
                   visible(o);
          },
          slot.forced);
      if (quoted != kNoIndex) {
        t.kind = TweetKind::kQuote;
        t.quote_of = quoted;
      }
      break;
    }
    default:
      break;
  }
  Compose(t, feature, slot.perch_tag, slot.forced);
  SetCounts(t);
  last_own_[me] = static_cast<int32_t>(index);
  if (slot.perch_tag && slot.author == w.popular_) {
    t.favorite_count =
        kPopularFavorites + static_cast<int32_t>(rng_.Below(5000));
  }
}

void WorldBuilder::MakeRetweet(WorldTweet& t, uint32_t original) {
  const World& w = *world_;
  const WorldTweet& o = w.tweets_[original];
  t.kind = TweetKind::kRetweet;
  t.retweet_of = static_cast<int32_t>(original);
  t.full_text =
      absl::StrCat("RT @", w.users_[o.author].screen_name, ": ", o.full_text);
  t.length = static_cast<uint16_t>(CodePointCount(t.full_text));
  t.display = {0, t.length};
  t.lang = o.lang;
  t.retweet_count = o.retweet_count;
  t.favorite_count = 0;
  t.possibly_sensitive = o.possibly_sensitive;
}

void WorldBuilder::AddBody(TextBuilder& b, absl::string_view lang,
                           size_t max_cp, WorldTweet& tweet,
                           bool mention_inside) {
  absl::Span<const absl::string_view> vocabulary = Vocabulary(lang);
  const uint16_t start = b.cp;
  bool capital = true;
  int words = 0;
  int in_sentence = 0;
  int sentence = 5 + static_cast<int>(rng_.Below(9));
  const int mention_at =
      mention_inside ? 1 + static_cast<int>(rng_.Below(4)) : -1;
  for (;;) {
    absl::string_view word = vocabulary[rng_.Below(vocabulary.size())];
    const size_t used = b.cp - start;
    if (words >= 2 && used + CodePointCount(word) + 2 > max_cp) break;
    if (words > 0) b.Append(" ");
    if (words == mention_at) {
      const WorldUser& other = world_->users_[RandomVisibleUser()];
      WorldMention mention;
      mention.user = world_->IndexOf(other);
      mention.span = b.Append(absl::StrCat("@", other.screen_name));
      tweet.mentions.push_back(mention);
      b.Append(" ");
    }
    b.Append(capital ? Capitalized(word) : std::string(word));
    capital = false;
    ++words;
    if (++in_sentence == sentence) {
      b.Append(rng_.Chance(0.2) ? "!" : ".");
      capital = true;
      in_sentence = 0;
      sentence = 5 + static_cast<int>(rng_.Below(9));
    }
  }
  if (!capital) b.Append(".");
}

void WorldBuilder::AddMedia(WorldTweet& t, TextBuilder& b, MediaKind kind,
                            int count) {
  b.Append(" ");
  t.media_link = TcoLink();
  t.media_span = b.Append(t.media_link);
  for (int k = 0; k < count; ++k) {
    WorldMedia m;
    m.kind = kind;
    m.id = SnowflakeId(t.created_at * kSecond - kSecond - rng_.Below(120000),
                       rng_.Below(1u << 22));
    m.key = Base62(15);
    switch (kind) {
      case MediaKind::kPhoto: {
        static constexpr uint16_t kSizes[][2] = {
            {1200, 675}, {2048, 1536}, {1080, 1350}, {1920, 1080}, {640, 640}};
        const auto& size = Pick(rng_, kSizes);
        m.width = size[0];
        m.height = size[1];
        break;
      }
      case MediaKind::kVideo:
        m.width = rng_.Chance(0.7) ? 1280 : 720;
        m.height = m.width == 1280 ? 720 : 1280;
        m.duration_ms = 5000 + rng_.Below(135000);
        break;
      case MediaKind::kAnimatedGif:
        m.width = 498;
        m.height = 278;
        break;
    }
    t.media.push_back(std::move(m));
  }
}

void WorldBuilder::Compose(WorldTweet& t, Feature feature, bool perch_tag,
                           bool showcase) {
  const World& w = *world_;
  TextBuilder b;
  if (t.kind == TweetKind::kReply) {
    const WorldTweet& parent = w.tweets_[t.in_reply_to];
    std::vector<uint32_t> to = {parent.author};
    if (!parent.mentions.empty() && rng_.Chance(0.3)) {
      uint32_t other = parent.mentions.front().user;
      if (other != parent.author && other != t.author) to.push_back(other);
    }
    for (uint32_t u : to) {
      WorldMention mention;
      mention.user = u;
      mention.span = b.Append(absl::StrCat("@", w.users_[u].screen_name));
      t.mentions.push_back(mention);
      b.Append(" ");
    }
    t.display.start = b.cp;
  }

  std::vector<std::string> tags;
  if (perch_tag) {
    const double roll = rng_.Unit();
    tags.push_back(roll < 0.8 ? "perch" : roll < 0.95 ? "Perch" : "PERCH");
  }
  if (rng_.Chance(0.25)) tags.emplace_back(Pick(rng_, kHashtags));
  const bool link =
      feature == kLink || feature == kSensitiveLink || rng_.Chance(0.06);
  const bool emoji = feature == kEmoji || rng_.Chance(0.04);
  int media_count = 0;
  MediaKind media_kind = MediaKind::kPhoto;
  switch (feature) {
    case kPhoto:
      media_count = 1;
      break;
    case kFourPhotos:
      media_count = 4;
      break;
    case kVideo:
      media_count = 1;
      media_kind = MediaKind::kVideo;
      break;
    case kAnimatedGif:
      media_count = 1;
      media_kind = MediaKind::kAnimatedGif;
      break;
    default:
      break;
  }
  size_t reserved = (link ? 24 : 0) + (media_count > 0 ? 24 : 0) +
                    (emoji ? 3 : 0) + (feature == kTwoMentions ? 17 : 0);
  for (const std::string& tag : tags) reserved += tag.size() + 2;
  size_t target =
      feature == kLongText
          ? 150 + rng_.Below(90)
          : (t.author == world_->firehose_ ? 20 : 25) + rng_.Below(95);
  // Most media tweets are short: compatibility mode then keeps the media.
  if (media_count > 0 && (showcase || rng_.Chance(0.7))) {
    target = std::min<size_t>(target, 30 + rng_.Below(20));
  }
  // An inline mention takes up to 17 more.
  const size_t room =
      279 - b.cp - std::min<size_t>(reserved + 17, 279 - b.cp - 40);
  AddBody(b, t.lang, std::min(target, room), t,
          feature == kTwoMentions || rng_.Chance(0.08));
  if (feature == kTwoMentions) {
    const WorldUser& other = w.users_[RandomVisibleUser()];
    b.Append(" cc ");
    WorldMention mention;
    mention.user = w.IndexOf(other);
    mention.span = b.Append(absl::StrCat("@", other.screen_name));
    t.mentions.push_back(mention);
  }
  for (const std::string& tag : tags) {
    b.Append(" ");
    t.hashtags.push_back({tag, b.Append(absl::StrCat("#", tag))});
  }
  if (link) {
    WorldUrl url;
    switch (rng_.Below(4)) {
      case 0:
        url.expanded_url =
            absl::StrCat("https://perch.example/docs/", Pick(rng_, kEnglish));
        break;
      case 1:
        url.expanded_url =
            absl::StrCat("https://blog.example.com/2024/", Pick(rng_, kEnglish),
                         "-", Pick(rng_, kEnglish), "-", Pick(rng_, kNouns));
        break;
      case 2:
        url.expanded_url = absl::StrCat(
            "https://github.example/perch/perch/pull/", 100 + rng_.Below(900));
        break;
      default:
        url.expanded_url = absl::StrCat("https://news.example.org/story/",
                                        rng_.Below(1000000));
    }
    url.display_url = DisplayUrl(url.expanded_url);
    url.url = TcoLink();
    b.Append(" ");
    url.span = b.Append(url.url);
    t.urls.push_back(std::move(url));
  }
  if (emoji) {
    b.Append(" ");
    b.Append(Pick(rng_, kEmojis));
  }
  t.display.end = b.cp;
  if (media_count > 0) AddMedia(t, b, media_kind, media_count);
  t.full_text = std::move(b.text);
  t.length = b.cp;
  t.possibly_sensitive = feature == kSensitiveLink ||
                         ((link || media_count > 0) && rng_.Chance(0.02));
}

void WorldBuilder::SetCounts(WorldTweet& t) {
  const double reach =
      static_cast<double>(world_->users_[t.author].followers.size());
  const double u = rng_.Unit();
  t.favorite_count =
      static_cast<int32_t>(reach * u * u * u * 0.25) + rng_.Below(4);
  t.retweet_count = static_cast<int32_t>(t.favorite_count * rng_.Unit() * 0.3);
}

void WorldBuilder::Finish() {
  World& w = *world_;
  for (uint32_t i = 0; i < w.tweets_.size(); ++i) {
    WorldTweet& t = w.tweets_[i];
    w.users_[t.author].tweets.push_back(i);
    // Replies point at older tweets, whose conversation is already known.
    t.conversation = i;
    if (t.in_reply_to != kNoIndex) {
      WorldTweet& parent = w.tweets_[t.in_reply_to];
      ++parent.reply_count;
      t.conversation = parent.conversation;
    }
    if (t.quote_of != kNoIndex) ++w.tweets_[t.quote_of].quote_count;
  }
  for (WorldUser& user : w.users_) {
    std::reverse(user.tweets.begin(), user.tweets.end());
  }
  for (WorldList& list : w.lists_) {
    for (uint32_t m : list.members) {
      const WorldUser& member = w.users_[m];
      if (!list.is_private) ++w.users_[m].listed_count;
      if (member.is_protected || member.suspended) continue;
      list.timeline.insert(list.timeline.end(), member.tweets.begin(),
                           member.tweets.end());
    }
    std::sort(list.timeline.begin(), list.timeline.end(),
              [](uint32_t a, uint32_t b) { return a > b; });
  }
  w.user_by_id_.reserve(w.users_.size());
  w.user_by_name_.reserve(w.users_.size());
  for (uint32_t i = 0; i < w.users_.size(); ++i) {
    w.user_by_id_.emplace(w.users_[i].id, i);
    w.user_by_name_.emplace(absl::AsciiStrToLower(w.users_[i].screen_name), i);
  }
  for (uint32_t i = 0; i < w.lists_.size(); ++i) {
    w.list_by_id_.emplace(w.lists_[i].id, i);
  }
}

}  // namespace perch::emulator
