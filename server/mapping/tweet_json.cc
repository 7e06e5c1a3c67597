#include "server/mapping/tweet_json.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/types/span.h"
#include "server/mapping/field_table.h"
#include "server/mapping/json_reader.h"
#include "server/mapping/readers.h"
#include "server/mapping/shared_fields.h"

namespace perch::mapping {
namespace internal {

perch::v1::Media::Type MediaType(absl::string_view type) {
  if (type == "photo") return perch::v1::Media::TYPE_PHOTO;
  if (type == "video") return perch::v1::Media::TYPE_VIDEO;
  if (type == "animated_gif") return perch::v1::Media::TYPE_ANIMATED_GIF;
  return perch::v1::Media::TYPE_UNSPECIFIED;
}

namespace {

using perch::v1::Entities;
using perch::v1::Hashtag;
using perch::v1::Media;
using perch::v1::Tweet;
using perch::v1::UrlEntity;
using perch::v1::UserMention;
using simdjson::ondemand::raw_json_string;
using enum FieldKind;

// Real tweets nest at most a quote inside a retweet; the limit only stops a
// hostile body from recursing deep into the stack.
constexpr int kMaxTweetNesting = 4;

absl::Status ReadTweetAt(JsonValue& value, int depth, Tweet* out);

constexpr Field<Media> kMediaFields[] = {
    {kId, ".id_str", &Media::mutable_id},
    {kString, ".media_url_https", &Media::mutable_media_url},
    {kString, ".url", &Media::mutable_url},
    {kString, ".expanded_url", &Media::mutable_expanded_url},
};

absl::Status ReadMedia(JsonValue& value, Media* out) {
  return ForEachField(
      value, [&](raw_json_string key, JsonValue& member) -> absl::Status {
        if (key == "type") {
          std::string type;
          absl::Status status = ReadNullableString(member, ".type", &type);
          out->set_type(MediaType(type));
          return status;
        }
        return ReadTableMember<kMediaFields>(key, member, out);
      });
}

absl::Status ReadMediaList(JsonValue& value,
                           google::protobuf::RepeatedPtrField<Media>* out) {
  return Within(".media",
                ForEachElement(value, [&](size_t, JsonValue& element) {
                  return ReadMedia(element, out->Add());
                }));
}

constexpr Field<Hashtag> kHashtagFields[] = {
    {kString, ".text", &Hashtag::mutable_text},
};

constexpr Field<UserMention> kMentionFields[] = {
    {kId, ".id_str", &UserMention::mutable_user_id},
    {kString, ".screen_name", &UserMention::mutable_screen_name},
    {kString, ".name", &UserMention::mutable_name},
};

// An entities array (`field`, e.g. ".hashtags") of objects whose members
// are all in `kFields`, each read into the message `add` appends.
template <const auto& kFields, typename Message>
absl::Status ReadEntityArray(JsonValue& value, absl::string_view field,
                             google::protobuf::RepeatedPtrField<Message>* add) {
  return Within(field, ForEachElement(value, [&](size_t, JsonValue& element) {
                  return ReadFields<kFields>(element, add->Add());
                }));
}

// v1.1's own plain tweet members; the rest are kTweetSharedFields.
constexpr Field<Tweet> kV1TweetFields[] = {
    {kRequiredId, ".id_str", &Tweet::mutable_id},
    {kCreatedAt, ".created_at", &Tweet::mutable_created_at},
    {kCount, ".reply_count", &Tweet::set_reply_count},
    {kCount, ".retweet_count", &Tweet::set_retweet_count},
    {kCount, ".quote_count", &Tweet::set_quote_count},
    {kCount, ".favorite_count", &Tweet::set_like_count},
    {kId, ".in_reply_to_status_id_str", &Tweet::mutable_in_reply_to_tweet_id},
    {kId, ".in_reply_to_user_id_str", &Tweet::mutable_in_reply_to_user_id},
    {kString, ".in_reply_to_screen_name",
     &Tweet::mutable_in_reply_to_screen_name},
};

// One pass over a tweet object's members. Two choices need state until the
// end: full_text wins over text, and extended_entities.media wins over
// entities.media, whichever order the members come in.
class TweetReader {
 public:
  TweetReader(int depth, Tweet* out) : depth_(depth), out_(out), fields_(out) {}

  absl::Status operator()(raw_json_string key, JsonValue& value) {
    if (key == "full_text") {
      saw_full_text_ = true;
      return ReadNullableString(value, ".full_text", out_->mutable_text());
    }
    if (key == "text") {
      if (saw_full_text_) return absl::OkStatus();
      return ReadNullableString(value, ".text", out_->mutable_text());
    }
    if (key == "user") {
      return Within(".user", ReadUser(value, out_->mutable_author()));
    }
    if (key == "retweeted_status") {
      return Nested(value, ".retweeted_status",
                    [&] { return out_->mutable_retweeted_tweet(); });
    }
    if (key == "quoted_status") {
      return Nested(value, ".quoted_status",
                    [&] { return out_->mutable_quoted_tweet(); });
    }
    if (key == "entities") return Within(".entities", ReadEntities(value));
    if (key == "extended_entities") {
      return Within(".extended_entities", ReadExtendedEntities(value));
    }
    return fields_(key, value);
  }

  absl::Status Finish() const { return fields_.Finish(); }

 private:
  // A nested tweet, or null (then the field stays unset).
  template <typename MutableFn>
  absl::Status Nested(JsonValue& value, absl::string_view field,
                      MutableFn mutable_tweet) {
    return UnlessNull(value, field, [&]() -> absl::Status {
      if (depth_ >= kMaxTweetNesting) {
        return Malformed(field, "tweets nested too deep");
      }
      return Within(field, ReadTweetAt(value, depth_ + 1, mutable_tweet()));
    });
  }

  absl::Status ReadEntities(JsonValue& value) {
    return UnlessNull(value, "", [&] {
      Entities* entities = out_->mutable_entities();
      return ForEachField(
          value, [&](raw_json_string key, JsonValue& member) -> absl::Status {
            if (key == "hashtags") {
              return ReadEntityArray<kHashtagFields>(
                  member, ".hashtags", entities->mutable_hashtags());
            }
            if (key == "user_mentions") {
              return ReadEntityArray<kMentionFields>(
                  member, ".user_mentions", entities->mutable_user_mentions());
            }
            if (key == "urls") {
              return ReadEntityArray<kUrlEntityFields>(
                  member, ".urls", entities->mutable_urls());
            }
            if (key == "media" && !saw_extended_media_) {
              return ReadMediaList(member, entities->mutable_media());
            }
            return absl::OkStatus();
          });
    });
  }

  // extended_entities.media lists every attachment with its true type
  // (entities.media shows only the first, and calls videos and GIFs
  // "photo"), so it replaces whatever entities.media gave.
  absl::Status ReadExtendedEntities(JsonValue& value) {
    return UnlessNull(value, "", [&] {
      return ForEachField(
          value, [&](raw_json_string key, JsonValue& member) -> absl::Status {
            if (key != "media") return absl::OkStatus();
            saw_extended_media_ = true;
            auto* media = out_->mutable_entities()->mutable_media();
            media->Clear();
            return ReadMediaList(member, media);
          });
    });
  }

  int depth_;
  Tweet* out_;
  FieldReader<kV1TweetFields, kTweetSharedFields> fields_;
  bool saw_full_text_ = false;
  bool saw_extended_media_ = false;
};

absl::Status ReadTweetAt(JsonValue& value, int depth, Tweet* out) {
  TweetReader reader(depth, out);
  return ReadObject(value, reader);
}

}  // namespace

absl::Status ReadTweet(JsonValue& value, Tweet* out) {
  return ReadTweetAt(value, 0, out);
}

absl::Status ReadTweets(JsonValue& value, std::vector<Tweet>* out) {
  return ForEachElement(value, [&](size_t, JsonValue& element) {
    return ReadTweet(element, &out->emplace_back());
  });
}

absl::Status ReadTweets(JsonDocument& doc, std::vector<Tweet>* out) {
  return ForEachElement(doc, [&](size_t, JsonValue& element) {
    return ReadTweet(element, &out->emplace_back());
  });
}

}  // namespace internal

absl::StatusOr<std::vector<perch::v1::Tweet>> ParseTweetArray(JsonText json) {
  return internal::ParseBody<std::vector<perch::v1::Tweet>>(
      json, "tweet array",
      [](internal::JsonDocument& doc, std::vector<perch::v1::Tweet>& tweets) {
        return internal::ReadTweets(doc, &tweets);
      });
}

}  // namespace perch::mapping
