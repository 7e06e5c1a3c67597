#include "emulator/world.h"

#include <algorithm>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace perch::emulator {
namespace {

// Twitter's snowflake epoch (2010-11-04T01:42:54.657Z) in Unix milliseconds.
constexpr int64_t kTwepochMs = 1288834974657;

bool IsWordByte(char c) {
  // Bytes of multi-byte UTF-8 sequences count as letters: "café" is a word.
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
         (static_cast<unsigned char>(c) & 0x80) != 0;
}

// True if `needle` occurs in `haystack` with no word byte on either side.
bool ContainsWord(absl::string_view haystack, absl::string_view needle) {
  if (needle.empty()) return false;
  for (size_t at = haystack.find(needle); at != absl::string_view::npos;
       at = haystack.find(needle, at + 1)) {
    bool left =
        at == 0 || !IsWordByte(haystack[at - 1]) || !IsWordByte(needle.front());
    size_t after = at + needle.size();
    bool right = after == haystack.size() || !IsWordByte(haystack[after]) ||
                 !IsWordByte(needle.back());
    if (left && right) return true;
  }
  return false;
}

enum class TermKind { kWord, kHashtag, kMention, kPhrase };

struct Term {
  TermKind kind;
  std::string text;  // lower case, without '#', '@' or quotes
};

std::vector<Term> ParseTerms(absl::string_view q) {
  std::vector<Term> terms;
  size_t i = 0;
  while (i < q.size()) {
    if (absl::ascii_isspace(static_cast<unsigned char>(q[i]))) {
      ++i;
      continue;
    }
    if (q[i] == '"') {
      size_t close = q.find('"', i + 1);
      if (close == absl::string_view::npos) close = q.size();
      std::string phrase =
          absl::AsciiStrToLower(q.substr(i + 1, close - i - 1));
      if (!phrase.empty()) terms.push_back({TermKind::kPhrase, phrase});
      i = close + 1;
      continue;
    }
    size_t end = i;
    while (end < q.size() &&
           !absl::ascii_isspace(static_cast<unsigned char>(q[end]))) {
      ++end;
    }
    std::string token = absl::AsciiStrToLower(q.substr(i, end - i));
    i = end;
    if (token.size() > 1 && token[0] == '#') {
      terms.push_back({TermKind::kHashtag, token.substr(1)});
    } else if (token.size() > 1 && token[0] == '@') {
      terms.push_back({TermKind::kMention, token.substr(1)});
    } else {
      terms.push_back({TermKind::kWord, token});
    }
  }
  return terms;
}

}  // namespace

uint64_t SnowflakeId(int64_t unix_ms, uint32_t low_bits) {
  return (static_cast<uint64_t>(unix_ms - kTwepochMs) << 22) |
         (low_bits & ((1u << 22) - 1));
}

int64_t SnowflakeUnixMs(uint64_t id) {
  return static_cast<int64_t>(id >> 22) + kTwepochMs;
}

std::string Slugify(absl::string_view name) {
  std::string slug;
  bool pending_dash = false;
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || c == '_') {
      if (pending_dash && !slug.empty()) slug.push_back('-');
      pending_dash = false;
      slug.push_back(absl::ascii_tolower(u));
    } else {
      pending_dash = true;
    }
  }
  return slug;
}

size_t CodePointCount(absl::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

size_t CodePointOffset(absl::string_view text, size_t n) {
  size_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (seen == n) return i;
    ++seen;
  }
  return text.size();
}

const WorldUser* World::UserById(uint64_t id) const {
  auto it = user_by_id_.find(id);
  return it == user_by_id_.end() ? nullptr : &users_[it->second];
}

const WorldUser* World::UserByScreenName(absl::string_view screen_name) const {
  auto it = user_by_name_.find(absl::AsciiStrToLower(screen_name));
  return it == user_by_name_.end() ? nullptr : &users_[it->second];
}

const WorldList* World::ListById(uint64_t id) const {
  auto it = list_by_id_.find(id);
  return it == list_by_id_.end() ? nullptr : &lists_[it->second];
}

const WorldUser* World::UserByIdText(absl::string_view id_text) const {
  uint64_t id = 0;
  return absl::SimpleAtoi(id_text, &id) ? UserById(id) : nullptr;
}

const WorldList* World::ListByIdText(absl::string_view id_text) const {
  uint64_t id = 0;
  return absl::SimpleAtoi(id_text, &id) ? ListById(id) : nullptr;
}

bool World::VisibleToApps(const WorldList& list) const {
  return !list.is_private && !user(list.owner).suspended;
}

const WorldList* World::ListBySlug(absl::string_view owner_screen_name,
                                   absl::string_view slug) const {
  const WorldUser* owner = UserByScreenName(owner_screen_name);
  if (owner == nullptr) return nullptr;
  const uint32_t owner_index = IndexOf(*owner);
  for (const WorldList& list : lists_) {
    if (list.owner == owner_index && absl::EqualsIgnoreCase(list.slug, slug)) {
      return &list;
    }
  }
  return nullptr;
}

const WorldTweet* World::TweetById(uint64_t id) const {
  auto it = std::lower_bound(
      tweets_.begin(), tweets_.end(), id,
      [](const WorldTweet& t, uint64_t value) { return t.id < value; });
  return it != tweets_.end() && it->id == id ? &*it : nullptr;
}

bool World::Visible(const WorldTweet& tweet) const {
  const WorldUser& author = users_[tweet.author];
  return !author.is_protected && !author.suspended;
}

absl::Span<const uint32_t> World::Window(const std::vector<WorldTweet>& tweets,
                                         absl::Span<const uint32_t> timeline,
                                         const IdPageQuery& query) {
  // Newest first, so ids fall along the span.
  auto begin = timeline.begin();
  if (query.max_id.has_value()) {
    const uint64_t max_id = *query.max_id;
    begin =
        std::partition_point(timeline.begin(), timeline.end(),
                             [&](uint32_t i) { return tweets[i].id > max_id; });
  }
  auto end = std::partition_point(begin, timeline.end(), [&](uint32_t i) {
    return tweets[i].id > query.since_id;
  });
  return timeline.subspan(begin - timeline.begin(), end - begin);
}

std::vector<uint32_t> World::TimelinePage(const WorldUser& user,
                                          const IdPageQuery& query) const {
  absl::Span<const uint32_t> reachable(user.tweets);
  reachable = reachable.subspan(0, std::min(reachable.size(), kTimelineCap));
  absl::Span<const uint32_t> window = Window(tweets_, reachable, query);
  window = window.subspan(0, std::min(window.size(), query.count));
  std::vector<uint32_t> page;
  for (uint32_t i : window) {
    const WorldTweet& t = tweets_[i];
    if (query.exclude_replies && t.kind == TweetKind::kReply) continue;
    if (!query.include_rts && t.kind == TweetKind::kRetweet) continue;
    page.push_back(i);
  }
  return page;
}

std::vector<uint32_t> World::ReachableTimeline(const WorldUser& user,
                                               bool exclude_replies,
                                               bool exclude_retweets) const {
  const size_t reach = std::min(user.tweets.size(), kTimelineCap);
  std::vector<uint32_t> out;
  for (size_t k = 0; k < reach; ++k) {
    const WorldTweet& t = tweets_[user.tweets[k]];
    if (exclude_replies && t.kind == TweetKind::kReply) continue;
    if (exclude_retweets && t.kind == TweetKind::kRetweet) continue;
    out.push_back(user.tweets[k]);
  }
  if (exclude_replies && out.size() > kTimelineCapWithoutReplies) {
    out.resize(kTimelineCapWithoutReplies);
  }
  return out;
}

std::vector<uint32_t> World::ListTimelinePage(const WorldList& list,
                                              const IdPageQuery& query) const {
  std::vector<uint32_t> page;
  for (uint32_t i : Window(tweets_, list.timeline, query)) {
    if (page.size() >= query.count) break;
    if (!query.include_rts && tweets_[i].kind == TweetKind::kRetweet) continue;
    page.push_back(i);
  }
  return page;
}

std::vector<uint32_t> World::Search(const SearchQuery& query,
                                    size_t limit) const {
  std::vector<uint32_t> out;
  const std::vector<Term> terms = ParseTerms(query.q);
  if (terms.empty()) return out;
  int64_t oldest = kWorldNowUnixSeconds - absl::ToInt64Seconds(kSearchWindow);
  if (query.start_time.has_value()) {
    oldest = std::max(oldest, *query.start_time);
  }
  int64_t before = kWorldNowUnixSeconds + 1;
  if (query.end_time.has_value()) before = *query.end_time;
  if (!query.until.empty()) {
    absl::Time day;
    std::string error;
    if (absl::ParseTime("%Y-%m-%d", query.until, absl::UTCTimeZone(), &day,
                        &error)) {
      before = absl::ToUnixSeconds(day);
    }
  }
  const bool popular_only = query.result_type == "popular";
  size_t i = tweets_.size();
  if (query.max_id.has_value()) {
    const uint64_t max_id = *query.max_id;
    i = std::upper_bound(
            tweets_.begin(), tweets_.end(), max_id,
            [](uint64_t value, const WorldTweet& t) { return value < t.id; }) -
        tweets_.begin();
  }
  std::string lower;
  while (i > 0 && out.size() < limit) {
    const WorldTweet& t = tweets_[--i];
    if (t.created_at < oldest || t.id <= query.since_id) break;
    if (t.created_at >= before || !Visible(t)) continue;
    if (!query.lang.empty() && t.lang != query.lang) continue;
    if (popular_only && t.favorite_count < kPopularFavorites) continue;
    // A retweet matches on its text ("RT @name: ..."), its original's
    // entities, and its own author.
    const WorldTweet& content =
        t.kind == TweetKind::kRetweet ? tweets_[t.retweet_of] : t;
    lower = absl::AsciiStrToLower(t.full_text);
    bool all = true;
    for (const Term& term : terms) {
      bool hit = false;
      switch (term.kind) {
        case TermKind::kWord:
        case TermKind::kPhrase:
          hit = ContainsWord(lower, term.text);
          break;
        case TermKind::kHashtag:
          for (const WorldHashtag& h : content.hashtags) {
            hit = hit || absl::EqualsIgnoreCase(h.text, term.text);
          }
          break;
        case TermKind::kMention:
          hit = absl::EqualsIgnoreCase(users_[t.author].screen_name, term.text);
          for (const WorldMention& m : content.mentions) {
            hit = hit ||
                  absl::EqualsIgnoreCase(users_[m.user].screen_name, term.text);
          }
          break;
      }
      if (!hit) {
        all = false;
        break;
      }
    }
    if (all) out.push_back(i);
  }
  return out;
}

std::vector<uint64_t> World::TimelineIds(const WorldUser& user,
                                         bool exclude_replies,
                                         bool include_rts) const {
  IdPageQuery query;
  query.count = kTimelineCap;
  query.exclude_replies = exclude_replies;
  query.include_rts = include_rts;
  return TweetIds(TimelinePage(user, query));
}

std::vector<uint64_t> World::ListTimelineIds(const WorldList& list,
                                             bool include_rts) const {
  IdPageQuery query;
  query.count = list.timeline.size();
  query.include_rts = include_rts;
  return TweetIds(ListTimelinePage(list, query));
}

std::vector<uint64_t> World::SearchIds(const SearchQuery& query) const {
  return TweetIds(Search(query, std::numeric_limits<size_t>::max()));
}

std::vector<uint64_t> World::FollowerIds(const WorldUser& user) const {
  std::vector<uint64_t> ids;
  ids.reserve(user.followers.size());
  for (uint32_t f : user.followers) ids.push_back(users_[f].id);
  return ids;
}

std::vector<uint64_t> World::MemberIds(const WorldList& list) const {
  std::vector<uint64_t> ids;
  ids.reserve(list.members.size());
  for (uint32_t m : list.members) ids.push_back(users_[m].id);
  return ids;
}

std::vector<uint64_t> World::TweetIds(
    absl::Span<const uint32_t> indices) const {
  std::vector<uint64_t> ids;
  ids.reserve(indices.size());
  for (uint32_t i : indices) ids.push_back(tweets_[i].id);
  return ids;
}

}  // namespace perch::emulator
