#include "server/mapping/tweet_json.h"

#include <cstdint>
#include <string>
#include <utility>

#include "server/mapping/json_reader.h"
#include "server/mapping/readers.h"

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
using perch::v1::Media;
using perch::v1::Tweet;
using simdjson::ondemand::raw_json_string;

// Real tweets nest at most a quote inside a retweet; the limit only stops a
// hostile body from recursing deep into the stack.
constexpr int kMaxTweetNesting = 4;

absl::Status ReadTweetAt(JsonValue& value, int depth, Tweet* out);

absl::Status ReadMedia(JsonValue& value, Media* out) {
  return ForEachField(
      value, [&](raw_json_string key, JsonValue& member) -> absl::Status {
        if (key == "id_str") {
          return ReadNullableId(member, ".id_str", out->mutable_id());
        }
        if (key == "type") {
          std::string type;
          absl::Status status = ReadNullableString(member, ".type", &type);
          out->set_type(MediaType(type));
          return status;
        }
        if (key == "media_url_https") {
          return ReadNullableString(member, ".media_url_https",
                                    out->mutable_media_url());
        }
        if (key == "url") {
          return ReadNullableString(member, ".url", out->mutable_url());
        }
        if (key == "expanded_url") {
          return ReadNullableString(member, ".expanded_url",
                                    out->mutable_expanded_url());
        }
        return absl::OkStatus();
      });
}

absl::Status ReadMediaList(JsonValue& value,
                           google::protobuf::RepeatedPtrField<Media>* out) {
  return Within(".media",
                ForEachElement(value, [&](size_t, JsonValue& element) {
                  return ReadMedia(element, out->Add());
                }));
}

absl::Status ReadHashtags(JsonValue& value, Entities* out) {
  return Within(
      ".hashtags", ForEachElement(value, [&](size_t, JsonValue& element) {
        auto* hashtag = out->add_hashtags();
        return ForEachField(
            element,
            [&](raw_json_string key, JsonValue& member) -> absl::Status {
              if (key == "text") {
                return ReadNullableString(member, ".text",
                                          hashtag->mutable_text());
              }
              return absl::OkStatus();
            });
      }));
}

absl::Status ReadMentions(JsonValue& value, Entities* out) {
  return Within(
      ".user_mentions", ForEachElement(value, [&](size_t, JsonValue& element) {
        auto* mention = out->add_user_mentions();
        return ForEachField(
            element,
            [&](raw_json_string key, JsonValue& member) -> absl::Status {
              if (key == "id_str") {
                return ReadNullableId(member, ".id_str",
                                      mention->mutable_user_id());
              }
              if (key == "screen_name") {
                return ReadNullableString(member, ".screen_name",
                                          mention->mutable_screen_name());
              }
              if (key == "name") {
                return ReadNullableString(member, ".name",
                                          mention->mutable_name());
              }
              return absl::OkStatus();
            });
      }));
}

absl::Status ReadUrls(JsonValue& value, Entities* out) {
  return Within(
      ".urls", ForEachElement(value, [&](size_t, JsonValue& element) {
        auto* url = out->add_urls();
        return ForEachField(
            element,
            [&](raw_json_string key, JsonValue& member) -> absl::Status {
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
              return absl::OkStatus();
            });
      }));
}

// One pass over a tweet object's members. Two choices need state until the
// end: full_text wins over text, and extended_entities.media wins over
// entities.media, whichever order the members come in.
class TweetReader {
 public:
  TweetReader(int depth, Tweet* out) : depth_(depth), out_(out) {}

  absl::Status operator()(raw_json_string key, JsonValue& value) {
    if (key == "id_str") {
      saw_id_ = true;
      return ReadId(value, ".id_str", out_->mutable_id());
    }
    if (key == "full_text") {
      saw_full_text_ = true;
      return ReadNullableString(value, ".full_text", out_->mutable_text());
    }
    if (key == "text") {
      if (saw_full_text_) return absl::OkStatus();
      return ReadNullableString(value, ".text", out_->mutable_text());
    }
    if (key == "created_at") {
      return ReadNullableCreatedAt(
          value, ".created_at", [this] { return out_->mutable_created_at(); });
    }
    if (key == "user") {
      return Within(".user", ReadUser(value, out_->mutable_author()));
    }
    if (key == "lang") {
      return ReadNullableString(value, ".lang", out_->mutable_lang());
    }
    if (key == "reply_count") {
      return ReadCount(value, ".reply_count", out_, &Tweet::set_reply_count);
    }
    if (key == "retweet_count") {
      return ReadCount(value, ".retweet_count", out_,
                       &Tweet::set_retweet_count);
    }
    if (key == "quote_count") {
      return ReadCount(value, ".quote_count", out_, &Tweet::set_quote_count);
    }
    if (key == "favorite_count") {
      return ReadCount(value, ".favorite_count", out_, &Tweet::set_like_count);
    }
    if (key == "in_reply_to_status_id_str") {
      return ReadNullableId(value, ".in_reply_to_status_id_str",
                            out_->mutable_in_reply_to_tweet_id());
    }
    if (key == "in_reply_to_user_id_str") {
      return ReadNullableId(value, ".in_reply_to_user_id_str",
                            out_->mutable_in_reply_to_user_id());
    }
    if (key == "in_reply_to_screen_name") {
      return ReadNullableString(value, ".in_reply_to_screen_name",
                                out_->mutable_in_reply_to_screen_name());
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
    if (key == "source") {
      return ReadNullableString(value, ".source", out_->mutable_source());
    }
    if (key == "possibly_sensitive") {
      bool flag = false;
      absl::Status status =
          ReadNullableBool(value, ".possibly_sensitive", &flag);
      out_->set_possibly_sensitive(flag);
      return status;
    }
    return absl::OkStatus();
  }

  absl::Status Finish() const {
    if (!saw_id_) return Malformed(".id_str", "missing");
    return absl::OkStatus();
  }

 private:
  // A nested tweet, or null (then the field stays unset).
  template <typename MutableFn>
  absl::Status Nested(JsonValue& value, absl::string_view field,
                      MutableFn mutable_tweet) {
    bool is_null = false;
    if (absl::Status status = IsNull(value, field, &is_null); !status.ok()) {
      return status;
    }
    if (is_null) return absl::OkStatus();
    if (depth_ >= kMaxTweetNesting) {
      return Malformed(field, "tweets nested too deep");
    }
    return Within(field, ReadTweetAt(value, depth_ + 1, mutable_tweet()));
  }

  absl::Status ReadEntities(JsonValue& value) {
    bool is_null = false;
    if (absl::Status status = IsNull(value, "", &is_null); !status.ok()) {
      return status;
    }
    if (is_null) return absl::OkStatus();
    Entities* entities = out_->mutable_entities();
    return ForEachField(
        value, [&](raw_json_string key, JsonValue& member) -> absl::Status {
          if (key == "hashtags") return ReadHashtags(member, entities);
          if (key == "user_mentions") return ReadMentions(member, entities);
          if (key == "urls") return ReadUrls(member, entities);
          if (key == "media" && !saw_extended_media_) {
            return ReadMediaList(member, entities->mutable_media());
          }
          return absl::OkStatus();
        });
  }

  // extended_entities.media lists every attachment with its true type
  // (entities.media shows only the first, and calls videos and GIFs
  // "photo"), so it replaces whatever entities.media gave.
  absl::Status ReadExtendedEntities(JsonValue& value) {
    bool is_null = false;
    if (absl::Status status = IsNull(value, "", &is_null); !status.ok()) {
      return status;
    }
    if (is_null) return absl::OkStatus();
    return ForEachField(
        value, [&](raw_json_string key, JsonValue& member) -> absl::Status {
          if (key != "media") return absl::OkStatus();
          saw_extended_media_ = true;
          auto* media = out_->mutable_entities()->mutable_media();
          media->Clear();
          return ReadMediaList(member, media);
        });
  }

  int depth_;
  Tweet* out_;
  bool saw_id_ = false;
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
  std::vector<perch::v1::Tweet> tweets;
  absl::Status status =
      internal::ParseJson(json, [&](internal::JsonDocument& doc) {
        return internal::ReadTweets(doc, &tweets);
      });
  if (!status.ok()) return internal::PublicError("tweet array", status);
  return tweets;
}

}  // namespace perch::mapping
