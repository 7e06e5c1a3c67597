// Maps X API v2 bodies to perch.v1 messages (v2_json.h). v2 splits what
// v1.1 nested: a tweet names its author, referenced tweets and media by id,
// and the objects sit in `includes`, which may come before or after `data`.
// So one forward pass reads every object with its references still as ids
// (RawTweet, RawList), and only after the whole body is read are the
// references resolved against an index of `includes`.
#include "server/mapping/v2_json.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/mapping/field_table.h"
#include "server/mapping/json_reader.h"
#include "server/mapping/readers.h"
#include "server/mapping/shared_fields.h"

namespace perch::mapping::v2 {
namespace {

using internal::Field;
using internal::FieldReader;
using internal::ForEachElement;
using internal::ForEachField;
using internal::JsonDocument;
using internal::JsonValue;
using internal::Malformed;
using internal::ReadFields;
using internal::ReadId;
using internal::ReadNullableBool;
using internal::ReadNullableId;
using internal::ReadNullableInt64;
using internal::ReadNullableString;
using internal::ReadObject;
using internal::ReadTableMember;
using internal::UnlessNull;
using internal::Within;
using perch::v1::Entities;
using perch::v1::Media;
using perch::v1::Tweet;
using perch::v1::TwitterList;
using perch::v1::User;
using simdjson::ondemand::raw_json_string;
using enum internal::FieldKind;

// v1.1 nests a quote inside a retweet and no deeper; includes can chain
// further (a quote of a quote that another tweet of the page references),
// and a hostile body can make a cycle. Below this depth referenced tweets
// are left unset, which is also what a missing include does.
constexpr int kMaxNestedDepth = 2;

// ---- scalars --------------------------------------------------------------

// A media_key is "<type>_<id>" ("3_1611076914248286208"); the id is what
// v1.1 called the media id.
bool IsMediaKey(absl::string_view key) {
  const size_t underscore = key.find('_');
  return underscore != absl::string_view::npos &&
         internal::IsDecimalDigits(key.substr(0, underscore)) &&
         internal::IsDecimalDigits(key.substr(underscore + 1));
}

absl::Status ReadMediaKey(JsonValue& value, absl::string_view field,
                          std::string* out) {
  absl::Status status = internal::ReadString(value, field, out);
  if (status.ok() && !IsMediaKey(*out)) {
    return Malformed(field, "not a \"<n>_<id>\" media key");
  }
  return status;
}

// Calls `read` on each element of an array member, or nothing when it is
// null; errors are prefixed with `field` and the index.
template <typename ReadFn>
absl::Status ReadNullableArray(JsonValue& value, absl::string_view field,
                               ReadFn read) {
  return UnlessNull(value, field, [&] {
    return Within(field, ForEachElement(value, [&](size_t, JsonValue& element) {
                    return read(element);
                  }));
  });
}

// Same for an object member, with `read` getting each of its fields.
template <typename ReadFn>
absl::Status ReadNullableObject(JsonValue& value, absl::string_view field,
                                ReadFn read) {
  return UnlessNull(value, field, [&] {
    return Within(
        field, ForEachField(value, [&](raw_json_string key, JsonValue& member) {
          return read(key, member);
        }));
  });
}

// `public_metrics`, a user's or a tweet's: counts, each read through the
// `kMetrics` table (every one optional), others ignored.
template <const auto& kMetrics, typename Message>
absl::Status ReadPublicMetrics(JsonValue& value, Message* out) {
  return ReadNullableObject(value, ".public_metrics",
                            [out](raw_json_string metric, JsonValue& count) {
                              return ReadTableMember<kMetrics>(metric, count,
                                                               out);
                            });
}

// ---- problems and meta ----------------------------------------------------

absl::Status ReadProblem(JsonValue& value, Problem* out) {
  struct Member {
    const char* key;
    const char* path;
    std::string Problem::*field;
  };
  static constexpr Member kMembers[] = {
      {"type", ".type", &Problem::type},
      {"title", ".title", &Problem::title},
      {"detail", ".detail", &Problem::detail},
      {"parameter", ".parameter", &Problem::parameter},
      {"value", ".value", &Problem::value},
      {"resource_type", ".resource_type", &Problem::resource_type},
      {"resource_id", ".resource_id", &Problem::resource_id},
      {"section", ".section", &Problem::section},
  };
  return ForEachField(
      value, [&](raw_json_string key, JsonValue& member) -> absl::Status {
        for (const Member& m : kMembers) {
          if (key == m.key)
            return ReadNullableString(member, m.path, &(out->*m.field));
        }
        return absl::OkStatus();
      });
}

absl::Status ReadErrors(JsonValue& value, std::vector<Problem>* out) {
  return ReadNullableArray(value, ".errors", [&](JsonValue& element) {
    return ReadProblem(element, &out->emplace_back());
  });
}

absl::Status ReadMeta(JsonValue& value, Meta* out) {
  return ReadNullableObject(
      value, ".meta",
      [&](raw_json_string key, JsonValue& member) -> absl::Status {
        if (key == "result_count") {
          return ReadNullableInt64(member, ".result_count", &out->result_count);
        }
        if (key == "next_token") {
          return ReadNullableString(member, ".next_token", &out->next_token);
        }
        if (key == "newest_id") {
          return ReadNullableId(member, ".newest_id", &out->newest_id);
        }
        if (key == "oldest_id") {
          return ReadNullableId(member, ".oldest_id", &out->oldest_id);
        }
        return absl::OkStatus();
      });
}

// ---- users ----------------------------------------------------------------

// v2's own plain user members; the rest are kUserProfileFields.
constexpr Field<User> kUserFields[] = {
    {kRequiredId, ".id", &User::mutable_id},
    {kString, ".username", &User::mutable_screen_name},
    {kIsoTime, ".created_at", &User::mutable_created_at},
    {kString, ".profile_image_url", &User::mutable_profile_image_url},
};

// Every count is optional: the set has drifted over the years (§2.2).
constexpr Field<User> kUserMetrics[] = {
    {kCount, ".followers_count", &User::set_followers_count},
    {kCount, ".following_count", &User::set_following_count},
    {kCount, ".listed_count", &User::set_listed_count},
    {kCount, ".tweet_count", &User::set_tweet_count},
};

class UserReader {
 public:
  explicit UserReader(User* out) : out_(out), fields_(out) {}

  absl::Status operator()(raw_json_string key, JsonValue& value) {
    if (key == "public_metrics") {
      return ReadPublicMetrics<kUserMetrics>(value, out_);
    }
    return fields_(key, value);
  }

  absl::Status Finish() const { return fields_.Finish(); }

 private:
  User* out_;
  FieldReader<kUserFields, internal::kUserProfileFields> fields_;
};

template <typename Container>
absl::Status ReadUser(Container& container, User* out) {
  UserReader reader(out);
  return ReadObject(container, reader);
}

// ---- tweets ---------------------------------------------------------------

// What a tweet names by id, resolved against `includes` once the body is
// read.
struct TweetRefs {
  std::string author_id;
  std::string retweeted_id;
  std::string quoted_id;
  std::vector<std::string> media_keys;  // attachments.media_keys, in order
  // The t.co links of the attached media, taken out of entities.urls (v1.1
  // lists them only with the media). media_key is "" when the link does not
  // name one (bodies before 2022).
  struct MediaLink {
    std::string media_key;
    std::string url;
    std::string expanded_url;
  };
  std::vector<MediaLink> media_links;
};

struct RawTweet {
  Tweet tweet;
  TweetRefs refs;
};

// A tweet's `entities` or `note_tweet.entities`: hashtags, mentions and
// urls, plus each url's media_key ("" for none), which Entities has no
// field for.
struct EntitiesRead {
  Entities entities;
  std::vector<std::string> url_media_keys;
};

constexpr Field<perch::v1::Hashtag> kHashtagFields[] = {
    {kString, ".tag", &perch::v1::Hashtag::mutable_text},
};

constexpr Field<perch::v1::UserMention> kMentionFields[] = {
    {kString, ".username", &perch::v1::UserMention::mutable_screen_name},
    {kId, ".id", &perch::v1::UserMention::mutable_user_id},
};

absl::Status ReadUrl(JsonValue& value, EntitiesRead* out) {
  auto* url = out->entities.add_urls();
  std::string& media_key = out->url_media_keys.emplace_back();
  return ForEachField(
      value, [&](raw_json_string key, JsonValue& member) -> absl::Status {
        if (key == "media_key") {
          return UnlessNull(member, ".media_key", [&] {
            return ReadMediaKey(member, ".media_key", &media_key);
          });
        }
        return ReadTableMember<internal::kUrlEntityFields>(key, member, url);
      });
}

absl::Status ReadEntities(JsonValue& value, absl::string_view field,
                          EntitiesRead* out) {
  return ReadNullableObject(
      value, field,
      [&](raw_json_string key, JsonValue& member) -> absl::Status {
        if (key == "hashtags") {
          return ReadNullableArray(member, ".hashtags", [&](JsonValue& e) {
            return ReadFields<kHashtagFields>(e, out->entities.add_hashtags());
          });
        }
        if (key == "mentions") {
          return ReadNullableArray(member, ".mentions", [&](JsonValue& e) {
            return ReadFields<kMentionFields>(
                e, out->entities.add_user_mentions());
          });
        }
        if (key == "urls") {
          return ReadNullableArray(
              member, ".urls", [&](JsonValue& e) { return ReadUrl(e, out); });
        }
        return absl::OkStatus();
      });
}

// A pic link in entities.urls: it names a media_key, or (before 2022, when
// it did not) it expands to the tweet's /photo/n or /video/n page.
bool IsMediaLink(const perch::v1::UrlEntity& url, absl::string_view media_key) {
  return !media_key.empty() ||
         absl::StrContains(url.expanded_url(), "/photo/") ||
         absl::StrContains(url.expanded_url(), "/video/");
}

// v2's own plain tweet members; the rest are kTweetSharedFields.
constexpr Field<Tweet> kTweetFields[] = {
    {kRequiredId, ".id", &Tweet::mutable_id},
    {kIsoTime, ".created_at", &Tweet::mutable_created_at},
    {kId, ".in_reply_to_user_id", &Tweet::mutable_in_reply_to_user_id},
};

// Every count is optional: impression_count and bookmark_count came and
// went over the years (§2.1).
constexpr Field<Tweet> kTweetMetrics[] = {
    {kCount, ".retweet_count", &Tweet::set_retweet_count},
    {kCount, ".reply_count", &Tweet::set_reply_count},
    {kCount, ".like_count", &Tweet::set_like_count},
    {kCount, ".quote_count", &Tweet::set_quote_count},
};

// One pass over a tweet object's members. Choices that depend on members
// that may come later are made in Finish(): note_tweet's text and entities
// win over the cut `text` and its entities, and which urls are media links
// depends on attachments.
class TweetReader {
 public:
  explicit TweetReader(RawTweet* out)
      : out_(out), tweet_(&out->tweet), fields_(tweet_) {}

  absl::Status operator()(raw_json_string key, JsonValue& value) {
    if (key == "text") {
      if (saw_note_text_) return absl::OkStatus();
      return ReadNullableString(value, ".text", tweet_->mutable_text());
    }
    if (key == "note_tweet") return ReadNote(value);
    if (key == "author_id") {
      return ReadNullableId(value, ".author_id", &out_->refs.author_id);
    }
    if (key == "public_metrics") {
      return ReadPublicMetrics<kTweetMetrics>(value, tweet_);
    }
    if (key == "referenced_tweets") {
      return ReadNullableArray(value, ".referenced_tweets",
                               [this](JsonValue& e) { return Reference(e); });
    }
    if (key == "entities") return ReadEntities(value, ".entities", &entities_);
    if (key == "attachments") {
      return ReadNullableObject(
          value, ".attachments",
          [this](raw_json_string name, JsonValue& member) -> absl::Status {
            if (name != "media_keys") return absl::OkStatus();
            return ReadNullableArray(
                member, ".media_keys", [this](JsonValue& e) {
                  return ReadMediaKey(e, "",
                                      &out_->refs.media_keys.emplace_back());
                });
          });
    }
    return fields_(key, value);
  }

  absl::Status Finish() {
    if (absl::Status status = fields_.Finish(); !status.ok()) return status;
    EntitiesRead& chosen = saw_note_entities_ ? note_entities_ : entities_;
    SplitMediaLinks(chosen);
    // Only a tweet that has entities gets the message, as in v1.1 bodies.
    if (chosen.entities.ByteSizeLong() > 0) {
      tweet_->mutable_entities()->Swap(&chosen.entities);
    }
    return absl::OkStatus();
  }

 private:
  absl::Status ReadNote(JsonValue& value) {
    return ReadNullableObject(
        value, ".note_tweet",
        [this](raw_json_string key, JsonValue& member) -> absl::Status {
          if (key == "text") {
            saw_note_text_ = true;
            return ReadNullableString(member, ".text", tweet_->mutable_text());
          }
          if (key == "entities") {
            saw_note_entities_ = true;
            return ReadEntities(member, ".entities", &note_entities_);
          }
          return absl::OkStatus();
        });
  }

  absl::Status Reference(JsonValue& value) {
    std::string type;
    std::string id;
    bool saw_id = false;
    absl::Status status = ForEachField(
        value, [&](raw_json_string key, JsonValue& member) -> absl::Status {
          if (key == "type") return ReadNullableString(member, ".type", &type);
          if (key == "id") {
            saw_id = true;
            return ReadId(member, ".id", &id);
          }
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
    if (!saw_id) return Malformed(".id", "missing");
    if (type == "replied_to") {
      tweet_->set_in_reply_to_tweet_id(std::move(id));
    } else if (type == "retweeted") {
      out_->refs.retweeted_id = std::move(id);
    } else if (type == "quoted") {
      out_->refs.quoted_id = std::move(id);
    }
    return absl::OkStatus();
  }

  // Moves the pic links of a tweet with attachments out of `read`'s urls
  // into refs.media_links, keeping the order of the rest.
  void SplitMediaLinks(EntitiesRead& read) {
    if (out_->refs.media_keys.empty()) return;
    auto* urls = read.entities.mutable_urls();
    int kept = 0;
    for (int i = 0; i < urls->size(); ++i) {
      perch::v1::UrlEntity* url = urls->Mutable(i);
      std::string& media_key = read.url_media_keys[i];
      if (IsMediaLink(*url, media_key)) {
        out_->refs.media_links.push_back(
            {std::move(media_key), std::move(*url->mutable_url()),
             std::move(*url->mutable_expanded_url())});
        continue;
      }
      if (kept != i) urls->SwapElements(kept, i);
      ++kept;
    }
    urls->DeleteSubrange(kept, urls->size() - kept);
  }

  RawTweet* out_;
  Tweet* tweet_;
  FieldReader<kTweetFields, internal::kTweetSharedFields> fields_;
  EntitiesRead entities_;
  EntitiesRead note_entities_;
  bool saw_note_text_ = false;
  bool saw_note_entities_ = false;
};

absl::Status ReadRawTweet(JsonValue& value, RawTweet* out) {
  TweetReader reader(out);
  return ReadObject(value, reader);
}

// ---- media ----------------------------------------------------------------

struct IncludedMedia {
  std::string media_key;
  Media media;
};

absl::Status ReadIncludedMedia(JsonValue& value, IncludedMedia* out) {
  bool saw_key = false;
  std::string url;
  std::string preview_image_url;
  absl::Status status = ForEachField(
      value, [&](raw_json_string key, JsonValue& member) -> absl::Status {
        if (key == "media_key") {
          saw_key = true;
          return ReadMediaKey(member, ".media_key", &out->media_key);
        }
        if (key == "type") {
          std::string type;
          absl::Status read = ReadNullableString(member, ".type", &type);
          out->media.set_type(internal::MediaType(type));
          return read;
        }
        if (key == "url") return ReadNullableString(member, ".url", &url);
        if (key == "preview_image_url") {
          return ReadNullableString(member, ".preview_image_url",
                                    &preview_image_url);
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  if (!saw_key) return Malformed(".media_key", "missing");
  out->media.set_id(out->media_key.substr(out->media_key.find('_') + 1));
  // Videos and GIFs have no `url`; v1.1's media_url was their preview.
  const bool photo = out->media.type() == Media::TYPE_PHOTO ||
                     out->media.type() == Media::TYPE_UNSPECIFIED;
  out->media.set_media_url(
      photo && !url.empty() ? std::move(url) : std::move(preview_image_url));
  return absl::OkStatus();
}

// ---- includes and resolution ----------------------------------------------

// `includes`, then an index by id over it. The index points into the
// vectors, so it is built only after the body is read (no more growth).
class Includes {
 public:
  absl::Status Read(JsonValue& value) {
    return ReadNullableObject(
        value, ".includes",
        [this](raw_json_string key, JsonValue& member) -> absl::Status {
          if (key == "users") {
            return ReadNullableArray(member, ".users", [this](JsonValue& e) {
              return ReadUser(e, &users_.emplace_back());
            });
          }
          if (key == "tweets") {
            return ReadNullableArray(member, ".tweets", [this](JsonValue& e) {
              return ReadRawTweet(e, &tweets_.emplace_back());
            });
          }
          if (key == "media") {
            return ReadNullableArray(member, ".media", [this](JsonValue& e) {
              return ReadIncludedMedia(e, &media_.emplace_back());
            });
          }
          return absl::OkStatus();
        });
  }

  // The first object wins when an id repeats.
  void Index() {
    for (const User& user : users_) users_by_id_.emplace(user.id(), &user);
    for (const RawTweet& raw : tweets_) {
      tweets_by_id_.emplace(raw.tweet.id(), &raw);
    }
    for (const IncludedMedia& m : media_)
      media_by_key_.emplace(m.media_key, &m);
  }

  const User* FindUser(absl::string_view id) const {
    return Find(users_by_id_, id);
  }
  const RawTweet* FindTweet(absl::string_view id) const {
    return Find(tweets_by_id_, id);
  }
  const IncludedMedia* FindMedia(absl::string_view key) const {
    return Find(media_by_key_, key);
  }

 private:
  template <typename T>
  static const T* Find(
      const absl::flat_hash_map<absl::string_view, const T*>& map,
      absl::string_view id) {
    if (id.empty()) return nullptr;
    auto it = map.find(id);
    return it == map.end() ? nullptr : it->second;
  }

  std::vector<User> users_;
  std::vector<RawTweet> tweets_;
  std::vector<IncludedMedia> media_;
  absl::flat_hash_map<absl::string_view, const User*> users_by_id_;
  absl::flat_hash_map<absl::string_view, const RawTweet*> tweets_by_id_;
  absl::flat_hash_map<absl::string_view, const IncludedMedia*> media_by_key_;
};

void ResolveMedia(const Includes& includes, const TweetRefs& refs,
                  Entities* out) {
  for (const std::string& key : refs.media_keys) {
    Media* media = out->add_media();
    if (const IncludedMedia* included = includes.FindMedia(key)) {
      *media = included->media;
    } else {
      // Not expanded (e.g. a retweet's copy of its original's media): the
      // key still says which media it is.
      media->set_id(key.substr(key.find('_') + 1));
    }
    // The link naming this key, else the first pic link (bodies before 2022
    // name none; every photo of a tweet shares one t.co link).
    const TweetRefs::MediaLink* link = nullptr;
    for (const TweetRefs::MediaLink& candidate : refs.media_links) {
      if (candidate.media_key == key) {
        link = &candidate;
        break;
      }
    }
    if (link == nullptr && !refs.media_links.empty()) {
      link = &refs.media_links.front();
    }
    if (link != nullptr) {
      media->set_url(link->url);
      media->set_expanded_url(link->expanded_url);
    }
  }
}

// Fills what `refs` names into `out`, which already holds the tweet's own
// members.
void ResolveTweet(const Includes& includes, const TweetRefs& refs, int depth,
                  Tweet* out) {
  if (const User* author = includes.FindUser(refs.author_id)) {
    *out->mutable_author() = *author;
  } else if (!refs.author_id.empty()) {
    out->mutable_author()->set_id(refs.author_id);
  }
  if (const User* replied = includes.FindUser(out->in_reply_to_user_id())) {
    out->set_in_reply_to_screen_name(replied->screen_name());
  }
  if (!refs.media_keys.empty()) {
    ResolveMedia(includes, refs, out->mutable_entities());
  }
  // A referenced tweet from includes, resolved one level deeper; unset when
  // it is missing or the nesting is deep enough. Returns the include.
  const auto nest = [&](absl::string_view id,
                        Tweet* (Tweet::*mutable_nested)()) -> const RawTweet* {
    const RawTweet* raw = includes.FindTweet(id);
    if (raw == nullptr || depth >= kMaxNestedDepth) return raw;
    Tweet* nested = (out->*mutable_nested)();
    *nested = raw->tweet;
    ResolveTweet(includes, raw->refs, depth + 1, nested);
    return raw;
  };
  nest(refs.quoted_id, &Tweet::mutable_quoted_tweet);
  const RawTweet* original =
      nest(refs.retweeted_id, &Tweet::mutable_retweeted_tweet);
  // v2 cuts a retweet's text ("RT @x: …"); v1.1's full_text was the whole
  // original behind the same prefix.
  if (original != nullptr) {
    if (const User* author = includes.FindUser(original->refs.author_id)) {
      out->set_text(absl::StrCat("RT @", author->screen_name(), ": ",
                                 original->tweet.text()));
    }
  }
}

// ---- lists ----------------------------------------------------------------

struct RawList {
  TwitterList list;
  std::string owner_id;
};

// v2's own plain list members; the rest are kListSharedFields.
constexpr Field<TwitterList> kListFields[] = {
    {kRequiredId, ".id", &TwitterList::mutable_id},
    {kCount, ".follower_count", &TwitterList::set_subscriber_count},
    {kIsoTime, ".created_at", &TwitterList::mutable_created_at},
};

class ListReader {
 public:
  explicit ListReader(RawList* out)
      : out_(out), list_(&out->list), fields_(list_) {}

  absl::Status operator()(raw_json_string key, JsonValue& value) {
    if (key == "private") {
      // Absent or null: not reported (MODE_UNSPECIFIED).
      return UnlessNull(value, ".private", [&] {
        bool is_private = false;
        absl::Status status = ReadNullableBool(value, ".private", &is_private);
        list_->set_mode(is_private ? TwitterList::MODE_PRIVATE
                                   : TwitterList::MODE_PUBLIC);
        return status;
      });
    }
    if (key == "owner_id") {
      return ReadNullableId(value, ".owner_id", &out_->owner_id);
    }
    return fields_(key, value);
  }

  absl::Status Finish() {
    if (absl::Status status = fields_.Finish(); !status.ok()) return status;
    list_->set_slug(Slugify(list_->name()));
    return absl::OkStatus();
  }

 private:
  RawList* out_;
  TwitterList* list_;
  FieldReader<kListFields, internal::kListSharedFields> fields_;
};

template <typename Container>
absl::Status ReadRawList(Container& container, RawList* out) {
  ListReader reader(out);
  return ReadObject(container, reader);
}

void ResolveList(const Includes& includes, RawList& raw) {
  TwitterList& list = raw.list;
  if (const User* owner = includes.FindUser(raw.owner_id)) {
    *list.mutable_owner() = *owner;
    list.set_full_name(
        absl::StrCat("@", owner->screen_name(), "/", list.slug()));
  } else if (!raw.owner_id.empty()) {
    list.mutable_owner()->set_id(std::move(raw.owner_id));
  }
}

// ---- bodies ---------------------------------------------------------------

// A body's `data`: an array on pages, one object on lookups.
enum class DataShape { kArray, kObject };

template <typename Out>
constexpr bool kHasMeta = requires(Out out) {
  out.meta;
};

// One pass over a body's members: `data` (null or absent: no data) to
// `read_data`, per element or as the one object; `includes` into `includes`
// (nullptr: skipped, the body needs none); `errors` and, on pages, `meta`
// into `out`. Other members are ignored.
template <typename Out, typename ReadData>
absl::Status ReadBody(JsonDocument& doc, DataShape shape, Out* out,
                      bool* has_data, Includes* includes, ReadData read_data) {
  return ForEachField(
      doc, [&](raw_json_string key, JsonValue& value) -> absl::Status {
        if (key == "data") {
          return UnlessNull(value, ".data", [&]() -> absl::Status {
            *has_data = true;
            if (shape == DataShape::kObject) {
              return Within(".data", read_data(value));
            }
            return Within(".data",
                          ForEachElement(value, [&](size_t, JsonValue& e) {
                            return read_data(e);
                          }));
          });
        }
        if (key == "includes" && includes != nullptr) {
          return includes->Read(value);
        }
        if (key == "errors") return ReadErrors(value, &out->errors);
        if constexpr (kHasMeta<Out>) {
          if (key == "meta") return ReadMeta(value, &out->meta);
        }
        return absl::OkStatus();
      });
}

// A page whose `data` elements name objects in `includes`: each element is
// read into a Raw by `read_raw`, and once the whole body is read (includes
// may come after data), `resolve(includes, raw, item)` makes each item.
template <typename Raw, typename Page, typename Item, typename ReadRaw,
          typename Resolve>
absl::Status ReadResolvedPage(JsonDocument& doc, Page* page,
                              std::vector<Item>* items, ReadRaw read_raw,
                              Resolve resolve) {
  std::vector<Raw> data;
  Includes includes;
  absl::Status status =
      ReadBody(doc, DataShape::kArray, page, &page->has_data, &includes,
               [&](JsonValue& element) {
                 return read_raw(element, &data.emplace_back());
               });
  if (!status.ok()) return status;
  includes.Index();
  items->reserve(data.size());
  for (Raw& raw : data) resolve(includes, raw, &items->emplace_back());
  return absl::OkStatus();
}

}  // namespace

std::string ProblemName(absl::string_view type) {
  absl::string_view name = type;
  while (absl::ConsumeSuffix(&name, "/")) {
  }
  const size_t slash = name.rfind('/');
  if (slash != absl::string_view::npos) name.remove_prefix(slash + 1);
  return std::string(name);
}

std::string Slugify(absl::string_view name) {
  std::string slug;
  slug.reserve(name.size());
  bool separator = false;
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || c == '_') {
      if (separator && !slug.empty()) slug.push_back('-');
      separator = false;
      slug.push_back(absl::ascii_tolower(u));
    } else {
      separator = true;
    }
  }
  return slug;
}

absl::StatusOr<TweetPage> ParseTweetPage(JsonText json) {
  return internal::ParseBody<TweetPage>(
      json, "v2 tweet page", [](JsonDocument& doc, TweetPage& page) {
        return ReadResolvedPage<RawTweet>(
            doc, &page, &page.tweets, ReadRawTweet,
            [](const Includes& includes, RawTweet& raw, Tweet* tweet) {
              *tweet = std::move(raw.tweet);
              ResolveTweet(includes, raw.refs, 0, tweet);
            });
      });
}

absl::StatusOr<UserPage> ParseUserPage(JsonText json) {
  return internal::ParseBody<UserPage>(
      json, "v2 user page", [](JsonDocument& doc, UserPage& page) {
        return ReadBody(doc, DataShape::kArray, &page, &page.has_data,
                        /*includes=*/nullptr, [&](JsonValue& element) {
                          return ReadUser(element, &page.users.emplace_back());
                        });
      });
}

absl::StatusOr<UserLookup> ParseUserLookup(JsonText json) {
  return internal::ParseBody<UserLookup>(
      json, "v2 user lookup",
      [](JsonDocument& doc, UserLookup& lookup) -> absl::Status {
        bool has_data = false;
        User user;
        absl::Status status =
            ReadBody(doc, DataShape::kObject, &lookup, &has_data,
                     /*includes=*/nullptr,
                     [&](JsonValue& value) { return ReadUser(value, &user); });
        if (status.ok() && has_data) lookup.user = std::move(user);
        return status;
      });
}

absl::StatusOr<ListLookup> ParseListLookup(JsonText json) {
  return internal::ParseBody<ListLookup>(
      json, "v2 list lookup",
      [](JsonDocument& doc, ListLookup& lookup) -> absl::Status {
        bool has_data = false;
        RawList raw;
        Includes includes;
        absl::Status status = ReadBody(
            doc, DataShape::kObject, &lookup, &has_data, &includes,
            [&](JsonValue& value) { return ReadRawList(value, &raw); });
        if (!status.ok() || !has_data) return status;
        includes.Index();
        ResolveList(includes, raw);
        lookup.list = std::move(raw.list);
        return absl::OkStatus();
      });
}

absl::StatusOr<ListsPage> ParseListsPage(JsonText json) {
  return internal::ParseBody<ListsPage>(
      json, "v2 list page", [](JsonDocument& doc, ListsPage& page) {
        return ReadResolvedPage<RawList>(
            doc, &page, &page.lists, ReadRawList<JsonValue>,
            [](const Includes& includes, RawList& raw, TwitterList* list) {
              ResolveList(includes, raw);
              *list = std::move(raw.list);
            });
      });
}

}  // namespace perch::mapping::v2
