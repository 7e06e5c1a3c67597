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
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "server/mapping/json_reader.h"
#include "server/mapping/readers.h"

namespace perch::mapping::v2 {
namespace {

using internal::ForEachElement;
using internal::ForEachField;
using internal::IsNull;
using internal::JsonDocument;
using internal::JsonValue;
using internal::Malformed;
using internal::ReadCount;
using internal::ReadFlag;
using internal::ReadId;
using internal::ReadNullableBool;
using internal::ReadNullableId;
using internal::ReadNullableInt64;
using internal::ReadNullableString;
using internal::ReadObject;
using internal::Within;
using perch::v1::Entities;
using perch::v1::Media;
using perch::v1::Tweet;
using perch::v1::TwitterList;
using perch::v1::User;
using simdjson::ondemand::raw_json_string;

// v1.1 nests a quote inside a retweet and no deeper; includes can chain
// further (a quote of a quote that another tweet of the page references),
// and a hostile body can make a cycle. Below this depth referenced tweets
// are left unset, which is also what a missing include does.
constexpr int kMaxNestedDepth = 2;

// ---- scalars --------------------------------------------------------------

// Reads `width` ASCII digits at `pos`; false if any is missing or not a digit.
bool Digits(absl::string_view text, size_t pos, size_t width, int* out) {
  if (pos + width > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

// "2022-10-03T17:57:11.000Z", v2's created_at: RFC 3339 with an optional
// fraction of 1-9 digits and an offset of "Z" or "+hh:mm"/"-hh:mm". Strict:
// a time that does not exist is an error, never a normalised guess.
bool ParseIsoTime(absl::string_view text, google::protobuf::Timestamp* out) {
  int year, month, day, hour, minute, second;
  if (!Digits(text, 0, 4, &year) || !Digits(text, 5, 2, &month) ||
      !Digits(text, 8, 2, &day) || !Digits(text, 11, 2, &hour) ||
      !Digits(text, 14, 2, &minute) || !Digits(text, 17, 2, &second) ||
      text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 59) return false;
  const absl::CivilDay date(year, month, day);
  if (date.year() != year || date.month() != month || date.day() != day) {
    return false;
  }
  size_t pos = 19;
  int32_t nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    const size_t start = ++pos;
    int32_t scale = 100000000;
    while (pos < text.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(text[pos]))) {
      if (pos - start == 9) return false;
      nanos += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return false;
  }
  const absl::string_view zone = text.substr(pos);
  absl::Duration offset;
  int offset_hours = 0, offset_minutes = 0;
  if (zone == "Z") {
    offset = absl::ZeroDuration();
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
             Digits(zone, 1, 2, &offset_hours) && zone[3] == ':' &&
             Digits(zone, 4, 2, &offset_minutes) && offset_hours <= 23 &&
             offset_minutes <= 59) {
    offset = absl::Hours(offset_hours) + absl::Minutes(offset_minutes);
    if (zone[0] == '-') offset = -offset;
  } else {
    return false;
  }
  const absl::Time local =
      absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second),
                      absl::UTCTimeZone());
  // "+02:00" is two hours ahead of UTC, so UTC is the local time minus it.
  out->set_seconds(absl::ToUnixSeconds(local - offset));
  out->set_nanos(nanos);
  return true;
}

// Runs `read` unless the value is JSON null, which the upstream writes where
// a member is absent (the field then stays unset).
template <typename ReadFn>
absl::Status UnlessNull(JsonValue& value, absl::string_view field,
                        ReadFn read) {
  bool is_null = false;
  if (absl::Status status = IsNull(value, field, &is_null);
      !status.ok() || is_null) {
    return status;
  }
  return read();
}

// A created_at member; null leaves the timestamp unset, anything that is not
// an RFC 3339 time is an error.
template <typename MutableFn>
absl::Status ReadNullableIsoTime(JsonValue& value, absl::string_view field,
                                 MutableFn mutable_timestamp) {
  return UnlessNull(value, field, [&]() -> absl::Status {
    std::string_view text;
    if (auto error = value.get_string().get(text); error) {
      return Malformed(field, "expected a created_at string", error);
    }
    if (!ParseIsoTime(absl::string_view(text.data(), text.size()),
                      mutable_timestamp())) {
      return Malformed(field, "not a \"yyyy-mm-ddThh:mm:ss.sssZ\" time");
    }
    return absl::OkStatus();
  });
}

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

class UserReader {
 public:
  explicit UserReader(User* out) : out_(out) {}

  absl::Status operator()(raw_json_string key, JsonValue& value) {
    if (key == "id") {
      saw_id_ = true;
      return ReadId(value, ".id", out_->mutable_id());
    }
    if (key == "username") {
      return ReadNullableString(value, ".username",
                                out_->mutable_screen_name());
    }
    if (key == "name") {
      return ReadNullableString(value, ".name", out_->mutable_name());
    }
    if (key == "description") {
      return ReadNullableString(value, ".description",
                                out_->mutable_description());
    }
    if (key == "location") {
      return ReadNullableString(value, ".location", out_->mutable_location());
    }
    if (key == "url") {
      return ReadNullableString(value, ".url", out_->mutable_url());
    }
    if (key == "created_at") {
      return ReadNullableIsoTime(value, ".created_at",
                                 [this] { return out_->mutable_created_at(); });
    }
    if (key == "public_metrics") {
      return ReadNullableObject(
          value, ".public_metrics",
          [this](raw_json_string metric, JsonValue& count) -> absl::Status {
            return Metric(metric, count);
          });
    }
    if (key == "verified") {
      return ReadFlag(value, ".verified", out_, &User::set_verified);
    }
    if (key == "protected") {
      return ReadFlag(value, ".protected", out_, &User::set_protected_);
    }
    if (key == "profile_image_url") {
      return ReadNullableString(value, ".profile_image_url",
                                out_->mutable_profile_image_url());
    }
    return absl::OkStatus();
  }

  absl::Status Finish() const {
    if (!saw_id_) return Malformed(".id", "missing");
    return absl::OkStatus();
  }

 private:
  // Every count is optional: the set has drifted over the years (§2.2).
  absl::Status Metric(raw_json_string key, JsonValue& value) {
    if (key == "followers_count") {
      return ReadCount(value, ".followers_count", out_,
                       &User::set_followers_count);
    }
    if (key == "following_count") {
      return ReadCount(value, ".following_count", out_,
                       &User::set_following_count);
    }
    if (key == "listed_count") {
      return ReadCount(value, ".listed_count", out_, &User::set_listed_count);
    }
    if (key == "tweet_count") {
      return ReadCount(value, ".tweet_count", out_, &User::set_tweet_count);
    }
    return absl::OkStatus();
  }

  User* out_;
  bool saw_id_ = false;
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

absl::Status ReadHashtag(JsonValue& value, Entities* out) {
  auto* hashtag = out->add_hashtags();
  return ForEachField(
      value, [&](raw_json_string key, JsonValue& member) -> absl::Status {
        if (key == "tag") {
          return ReadNullableString(member, ".tag", hashtag->mutable_text());
        }
        return absl::OkStatus();
      });
}

absl::Status ReadMention(JsonValue& value, Entities* out) {
  auto* mention = out->add_user_mentions();
  return ForEachField(
      value, [&](raw_json_string key, JsonValue& member) -> absl::Status {
        if (key == "username") {
          return ReadNullableString(member, ".username",
                                    mention->mutable_screen_name());
        }
        if (key == "id") {
          return ReadNullableId(member, ".id", mention->mutable_user_id());
        }
        return absl::OkStatus();
      });
}

absl::Status ReadUrl(JsonValue& value, EntitiesRead* out) {
  auto* url = out->entities.add_urls();
  std::string& media_key = out->url_media_keys.emplace_back();
  return ForEachField(
      value, [&](raw_json_string key, JsonValue& member) -> absl::Status {
        if (key == "url") {
          return ReadNullableString(member, ".url", url->mutable_url());
        }
        if (key == "expanded_url") {
          return ReadNullableString(member, ".expanded_url",
                                    url->mutable_expanded_url());
        }
        if (key == "display_url") {
          return ReadNullableString(member, ".display_url",
                                    url->mutable_display_url());
        }
        if (key == "media_key") {
          return UnlessNull(member, ".media_key", [&] {
            return ReadMediaKey(member, ".media_key", &media_key);
          });
        }
        return absl::OkStatus();
      });
}

absl::Status ReadEntities(JsonValue& value, absl::string_view field,
                          EntitiesRead* out) {
  return ReadNullableObject(
      value, field,
      [&](raw_json_string key, JsonValue& member) -> absl::Status {
        if (key == "hashtags") {
          return ReadNullableArray(member, ".hashtags", [&](JsonValue& e) {
            return ReadHashtag(e, &out->entities);
          });
        }
        if (key == "mentions") {
          return ReadNullableArray(member, ".mentions", [&](JsonValue& e) {
            return ReadMention(e, &out->entities);
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

// One pass over a tweet object's members. Choices that depend on members
// that may come later are made in Finish(): note_tweet's text and entities
// win over the cut `text` and its entities, and which urls are media links
// depends on attachments.
class TweetReader {
 public:
  explicit TweetReader(RawTweet* out) : out_(out), tweet_(&out->tweet) {}

  absl::Status operator()(raw_json_string key, JsonValue& value) {
    if (key == "id") {
      saw_id_ = true;
      return ReadId(value, ".id", tweet_->mutable_id());
    }
    if (key == "text") {
      if (saw_note_text_) return absl::OkStatus();
      return ReadNullableString(value, ".text", tweet_->mutable_text());
    }
    if (key == "note_tweet") return ReadNote(value);
    if (key == "created_at") {
      return ReadNullableIsoTime(value, ".created_at", [this] {
        return tweet_->mutable_created_at();
      });
    }
    if (key == "author_id") {
      return ReadNullableId(value, ".author_id", &out_->refs.author_id);
    }
    if (key == "lang") {
      return ReadNullableString(value, ".lang", tweet_->mutable_lang());
    }
    if (key == "public_metrics") {
      return ReadNullableObject(
          value, ".public_metrics",
          [this](raw_json_string metric, JsonValue& count) -> absl::Status {
            return Metric(metric, count);
          });
    }
    if (key == "in_reply_to_user_id") {
      return ReadNullableId(value, ".in_reply_to_user_id",
                            tweet_->mutable_in_reply_to_user_id());
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
    if (key == "source") {
      return ReadNullableString(value, ".source", tweet_->mutable_source());
    }
    if (key == "possibly_sensitive") {
      return ReadFlag(value, ".possibly_sensitive", tweet_,
                      &Tweet::set_possibly_sensitive);
    }
    return absl::OkStatus();
  }

  absl::Status Finish() {
    if (!saw_id_) return Malformed(".id", "missing");
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

  // Every count is optional: impression_count and bookmark_count came and
  // went over the years (§2.1).
  absl::Status Metric(raw_json_string key, JsonValue& value) {
    if (key == "retweet_count") {
      return ReadCount(value, ".retweet_count", tweet_,
                       &Tweet::set_retweet_count);
    }
    if (key == "reply_count") {
      return ReadCount(value, ".reply_count", tweet_, &Tweet::set_reply_count);
    }
    if (key == "like_count") {
      return ReadCount(value, ".like_count", tweet_, &Tweet::set_like_count);
    }
    if (key == "quote_count") {
      return ReadCount(value, ".quote_count", tweet_, &Tweet::set_quote_count);
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
  EntitiesRead entities_;
  EntitiesRead note_entities_;
  bool saw_id_ = false;
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

class ListReader {
 public:
  explicit ListReader(RawList* out) : out_(out), list_(&out->list) {}

  absl::Status operator()(raw_json_string key, JsonValue& value) {
    if (key == "id") {
      saw_id_ = true;
      return ReadId(value, ".id", list_->mutable_id());
    }
    if (key == "name") {
      return ReadNullableString(value, ".name", list_->mutable_name());
    }
    if (key == "description") {
      return ReadNullableString(value, ".description",
                                list_->mutable_description());
    }
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
    if (key == "member_count") {
      return ReadCount(value, ".member_count", list_,
                       &TwitterList::set_member_count);
    }
    if (key == "follower_count") {
      return ReadCount(value, ".follower_count", list_,
                       &TwitterList::set_subscriber_count);
    }
    if (key == "created_at") {
      return ReadNullableIsoTime(
          value, ".created_at", [this] { return list_->mutable_created_at(); });
    }
    if (key == "owner_id") {
      return ReadNullableId(value, ".owner_id", &out_->owner_id);
    }
    return absl::OkStatus();
  }

  absl::Status Finish() {
    if (!saw_id_) return Malformed(".id", "missing");
    list_->set_slug(Slugify(list_->name()));
    return absl::OkStatus();
  }

 private:
  RawList* out_;
  TwitterList* list_;
  bool saw_id_ = false;
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

// Runs `read(doc, out)` on the body into a fresh Out; an error becomes
// perch's malformed-response error, naming `what`.
template <typename Out, typename ReadFn>
absl::StatusOr<Out> Parse(JsonText json, absl::string_view what, ReadFn read) {
  Out out;
  absl::Status status = internal::ParseJson(
      json, [&](JsonDocument& doc) { return read(doc, out); });
  if (!status.ok()) return internal::PublicError(what, status);
  return out;
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
  return Parse<TweetPage>(
      json, "v2 tweet page",
      [](JsonDocument& doc, TweetPage& page) -> absl::Status {
        std::vector<RawTweet> data;
        Includes includes;
        absl::Status status =
            ReadBody(doc, DataShape::kArray, &page, &page.has_data, &includes,
                     [&](JsonValue& element) {
                       return ReadRawTweet(element, &data.emplace_back());
                     });
        if (!status.ok()) return status;
        includes.Index();
        page.tweets.reserve(data.size());
        for (RawTweet& raw : data) {
          Tweet& tweet = page.tweets.emplace_back(std::move(raw.tweet));
          ResolveTweet(includes, raw.refs, 0, &tweet);
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<UserPage> ParseUserPage(JsonText json) {
  return Parse<UserPage>(
      json, "v2 user page", [](JsonDocument& doc, UserPage& page) {
        return ReadBody(doc, DataShape::kArray, &page, &page.has_data,
                        /*includes=*/nullptr, [&](JsonValue& element) {
                          return ReadUser(element, &page.users.emplace_back());
                        });
      });
}

absl::StatusOr<UserLookup> ParseUserLookup(JsonText json) {
  return Parse<UserLookup>(
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
  return Parse<ListLookup>(
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
  return Parse<ListsPage>(
      json, "v2 list page",
      [](JsonDocument& doc, ListsPage& page) -> absl::Status {
        std::vector<RawList> data;
        Includes includes;
        absl::Status status =
            ReadBody(doc, DataShape::kArray, &page, &page.has_data, &includes,
                     [&](JsonValue& element) {
                       return ReadRawList(element, &data.emplace_back());
                     });
        if (!status.ok()) return status;
        includes.Index();
        page.lists.reserve(data.size());
        for (RawList& raw : data) {
          ResolveList(includes, raw);
          page.lists.push_back(std::move(raw.list));
        }
        return absl::OkStatus();
      });
}

}  // namespace perch::mapping::v2
