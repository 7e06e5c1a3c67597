#include "emulator/world_json.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "emulator/tweet_text.h"

namespace perch::emulator {
namespace {

void WriteIndices(TextSpan span, JsonWriter& out) {
  out.Key("indices").BeginArray().Uint(span.start).Uint(span.end).EndArray();
}

void WriteSize(absl::string_view name, int w, int h, int box, bool crop,
               JsonWriter& out) {
  if (crop) {
    w = h = box;
  } else if (w > box || h > box) {
    // Fit inside box x box, keeping the aspect ratio.
    if (w >= h) {
      h = static_cast<int>(static_cast<int64_t>(h) * box / w);
      w = box;
    } else {
      w = static_cast<int>(static_cast<int64_t>(w) * box / h);
      h = box;
    }
  }
  out.Key(name).BeginObject();
  out.Key("w").Int(w).Key("h").Int(h);
  out.Field("resize", crop ? "crop" : "fit");
  out.EndObject();
}

// One media object. `as_entity`: entities.media shows every kind as a
// "photo" (its preview) and no video details; extended_entities tells the
// truth. `source`: the tweet showing it is a retweet of `owner`.
void WriteMedia(const World& world, const WorldTweet& owner,
                const WorldMedia& media, size_t position, TextSpan span,
                bool as_entity, bool source, JsonWriter& out) {
  const WorldUser& author = world.user(owner.author);
  const std::string path = MediaPath(media);
  const bool photo = media.kind == MediaKind::kPhoto;
  out.BeginObject();
  out.Key("id").Uint(media.id).Field("id_str", absl::StrCat(media.id));
  WriteIndices(span, out);
  out.Field("media_url", absl::StrCat("http://", path));
  out.Field("media_url_https", absl::StrCat("https://", path));
  out.Field("url", owner.media_link);
  out.Field("display_url",
            absl::StrCat("pic.twitter.com/", owner.media_link.substr(13)));
  out.Field("expanded_url", MediaExpandedUrl(world, owner, media, position));
  out.Field("type", as_entity || photo                ? "photo"
                    : media.kind == MediaKind::kVideo ? "video"
                                                      : "animated_gif");
  out.Key("sizes").BeginObject();
  WriteSize("thumb", media.width, media.height, 150, true, out);
  WriteSize("medium", media.width, media.height, 1200, false, out);
  WriteSize("small", media.width, media.height, 680, false, out);
  WriteSize("large", media.width, media.height, 2048, false, out);
  out.EndObject();
  if (source) {
    out.Key("source_status_id").Uint(owner.id);
    out.Field("source_status_id_str", absl::StrCat(owner.id));
    out.Key("source_user_id").Uint(author.id);
    out.Field("source_user_id_str", absl::StrCat(author.id));
  }
  if (!as_entity && !photo) {
    const int g = std::gcd<int>(media.width, media.height);
    out.Key("video_info").BeginObject();
    out.Key("aspect_ratio")
        .BeginArray()
        .Int(media.width / g)
        .Int(media.height / g)
        .EndArray();
    if (media.kind == MediaKind::kVideo) {
      out.Key("duration_millis").Uint(media.duration_ms);
    }
    out.Key("variants").BeginArray();
    for (const VideoVariant& v : VideoVariants(media)) {
      out.BeginObject();
      if (v.bitrate >= 0) out.Key("bitrate").Int(v.bitrate);
      out.Field("content_type", v.content_type).Field("url", v.url);
      out.EndObject();
    }
    out.EndArray();
    out.EndObject();
    if (media.kind == MediaKind::kVideo) {
      out.Key("additional_media_info").BeginObject();
      out.Field("title", "");
      out.Field("description", "");
      out.Key("embeddable").Bool(true);
      out.Key("monetizable").Bool(false);
      if (source) {
        out.Key("source_user");
        WriteUser(world, owner.author, UserJsonOptions(), out);
      }
      out.EndObject();
    }
  }
  out.EndObject();
}

void WriteEntities(const World& world, const WorldTweet& tweet,
                   const RenderedTweet& r, JsonWriter& out) {
  out.Key("entities").BeginObject();
  out.Key("hashtags").BeginArray();
  for (const WorldHashtag& h : r.hashtags) {
    out.BeginObject().Field("text", h.text);
    WriteIndices(h.span, out);
    out.EndObject();
  }
  out.EndArray();
  out.Key("symbols").BeginArray().EndArray();
  out.Key("user_mentions").BeginArray();
  for (const WorldMention& m : r.mentions) {
    const WorldUser& user = world.user(m.user);
    out.BeginObject();
    out.Field("screen_name", user.screen_name).Field("name", user.name);
    out.Key("id").Uint(user.id).Field("id_str", absl::StrCat(user.id));
    WriteIndices(m.span, out);
    out.EndObject();
  }
  out.EndArray();
  out.Key("urls").BeginArray();
  for (const RenderedTweet::Url& u : r.urls) {
    out.BeginObject().Field("url", u.url).Field("expanded_url", u.expanded_url);
    out.Field("display_url", u.display_url);
    WriteIndices(u.span, out);
    out.EndObject();
  }
  out.EndArray();
  const bool copied = r.media_owner != nullptr && r.media_owner != &tweet;
  if (r.media_owner != nullptr) {
    out.Key("media").BeginArray();
    WriteMedia(world, *r.media_owner, r.media_owner->media[0], 0, r.media_span,
               /*as_entity=*/true, copied, out);
    out.EndArray();
  }
  out.EndObject();
  if (r.media_owner != nullptr) {
    out.Key("extended_entities").BeginObject().Key("media").BeginArray();
    for (size_t k = 0; k < r.media_owner->media.size(); ++k) {
      WriteMedia(world, *r.media_owner, r.media_owner->media[k], k,
                 r.media_span, /*as_entity=*/false, copied, out);
    }
    out.EndArray().EndObject();
  }
}

void WriteIdOrNull(absl::string_view key, bool present, uint64_t id,
                   JsonWriter& out) {
  out.Key(key);
  if (present) {
    out.Uint(id);
  } else {
    out.Null();
  }
  out.Key(absl::StrCat(key, "_str"));
  if (present) {
    out.String(absl::StrCat(id));
  } else {
    out.Null();
  }
}

// `depth` 0: a top-level tweet; nested tweets do not nest further quotes.
void WriteTweetAt(const World& world, uint32_t index,
                  const TweetJsonOptions& options, bool include_user, int depth,
                  JsonWriter& out) {
  const WorldTweet& t = world.tweet(index);
  const RenderedTweet r = RenderTweet(world, t, options.mode);
  const WorldTweet& content =
      t.kind == TweetKind::kRetweet ? world.tweet(t.retweet_of) : t;
  out.BeginObject();
  out.Field("created_at", FormatCreatedAt(t.created_at));
  out.Key("id").Uint(t.id).Field("id_str", absl::StrCat(t.id));
  if (options.mode == TweetMode::kExtended) {
    out.Field("full_text", r.text).Key("truncated").Bool(false);
    out.Key("display_text_range")
        .BeginArray()
        .Uint(r.display.start)
        .Uint(r.display.end)
        .EndArray();
  } else {
    out.Field("text", r.text).Key("truncated").Bool(r.truncated);
  }
  if (options.include_entities) WriteEntities(world, t, r, out);
  if (options.search_metadata) {
    out.Key("metadata").BeginObject();
    out.Field("iso_language_code", t.lang);
    out.Field("result_type",
              t.favorite_count >= kPopularFavorites ? "popular" : "recent");
    out.EndObject();
  }
  const TweetSource& source = SourceOf(t);
  out.Field("source",
            absl::StrCat("<a href=\"", source.url, "\" rel=\"nofollow\">",
                         source.name, "</a>"));
  const bool reply = t.kind == TweetKind::kReply;
  const WorldTweet* parent = reply ? &world.tweet(t.in_reply_to) : nullptr;
  const WorldUser* parent_author =
      reply ? &world.user(parent->author) : nullptr;
  WriteIdOrNull("in_reply_to_status_id", reply, reply ? parent->id : 0, out);
  WriteIdOrNull("in_reply_to_user_id", reply, reply ? parent_author->id : 0,
                out);
  out.Key("in_reply_to_screen_name");
  if (reply) {
    out.String(parent_author->screen_name);
  } else {
    out.Null();
  }
  if (include_user) {
    out.Key("user");
    if (options.trim_user) {
      const WorldUser& author = world.user(t.author);
      out.BeginObject().Key("id").Uint(author.id);
      out.Field("id_str", absl::StrCat(author.id)).EndObject();
    } else {
      UserJsonOptions user_options;
      user_options.include_entities = options.include_entities;
      WriteUser(world, t.author, user_options, out);
    }
  }
  out.Key("geo").Null().Key("coordinates").Null().Key("place").Null();
  out.Key("contributors").Null();
  if (t.kind == TweetKind::kRetweet) {
    out.Key("retweeted_status");
    WriteTweetAt(world, static_cast<uint32_t>(t.retweet_of), options,
                 /*include_user=*/true, depth + 1, out);
  }
  const bool quote = content.kind == TweetKind::kQuote;
  out.Key("is_quote_status").Bool(quote);
  if (quote) {
    const WorldTweet& quoted = world.tweet(content.quote_of);
    out.Key("quoted_status_id").Uint(quoted.id);
    out.Field("quoted_status_id_str", absl::StrCat(quoted.id));
    const std::string permalink = absl::StrCat(
        "https://twitter.com/", world.user(quoted.author).screen_name,
        "/status/", quoted.id);
    out.Key("quoted_status_permalink").BeginObject();
    out.Field("url", TcoFor(quoted.id ^ 0x51));
    out.Field("expanded", permalink);
    out.Field("display", ShortDisplay(permalink));
    out.EndObject();
    // Only the tweet that quotes carries the quoted tweet, one level deep.
    if (t.kind == TweetKind::kQuote && depth < 2) {
      TweetJsonOptions nested = options;
      nested.search_metadata = false;
      out.Key("quoted_status");
      WriteTweetAt(world, static_cast<uint32_t>(content.quote_of), nested,
                   /*include_user=*/true, 2, out);
    }
  }
  out.Key("retweet_count").Int(t.retweet_count);
  out.Key("favorite_count").Int(t.favorite_count);
  out.Key("favorited").Bool(false).Key("retweeted").Bool(false);
  if (!content.urls.empty() || !content.media.empty()) {
    out.Key("possibly_sensitive").Bool(content.possibly_sensitive);
  }
  out.Field("lang", t.lang);
  out.EndObject();
}

std::string Hex6(uint32_t color) { return absl::StrFormat("%06X", color); }

}  // namespace

std::string FormatCreatedAt(int64_t unix_seconds) {
  return absl::FormatTime("%a %b %d %H:%M:%S +0000 %Y",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

std::string MediaPath(const WorldMedia& media) {
  switch (media.kind) {
    case MediaKind::kPhoto:
      return absl::StrCat("pbs.twimg.com/media/", media.key, ".jpg");
    case MediaKind::kVideo:
      return absl::StrCat("pbs.twimg.com/ext_tw_video_thumb/", media.id,
                          "/pu/img/", media.key, ".jpg");
    case MediaKind::kAnimatedGif:
      return absl::StrCat("pbs.twimg.com/tweet_video_thumb/", media.key,
                          ".jpg");
  }
  return "";
}

std::string MediaExpandedUrl(const World& world, const WorldTweet& owner,
                             const WorldMedia& media, size_t position) {
  const bool photo = media.kind == MediaKind::kPhoto;
  return absl::StrCat(
      "https://twitter.com/", world.user(owner.author).screen_name, "/status/",
      owner.id, photo ? "/photo/" : "/video/", photo ? position + 1 : 1);
}

std::vector<VideoVariant> VideoVariants(const WorldMedia& media) {
  std::vector<VideoVariant> out;
  if (media.kind == MediaKind::kPhoto) return out;
  if (media.kind == MediaKind::kAnimatedGif) {
    out.push_back({0, "video/mp4",
                   absl::StrCat("https://video.twimg.com/tweet_video/",
                                media.key, ".mp4")});
    return out;
  }
  const std::string base =
      absl::StrCat("https://video.twimg.com/ext_tw_video/", media.id, "/pu/");
  struct Variant {
    int bitrate, w;
  };
  for (Variant v : {Variant{256000, 480}, Variant{0, 0}, Variant{832000, 640},
                    Variant{2176000, 1280}}) {
    if (v.w == 0) {
      out.push_back({-1, "application/x-mpegURL",
                     absl::StrCat(base, "pl/", media.key, ".m3u8?tag=12")});
    } else {
      const int h = v.w * media.height / media.width;
      out.push_back({v.bitrate, "video/mp4",
                     absl::StrCat(base, "vid/", v.w, "x", h, "/", media.key,
                                  ".mp4?tag=12")});
    }
  }
  return out;
}

std::string AvatarPath(const WorldUser& u) {
  if (u.default_profile_image) {
    return "abs.twimg.com/sticky/default_profile_images/"
           "default_profile_normal.png";
  }
  return absl::StrCat(
      "pbs.twimg.com/profile_images/",
      SnowflakeId(u.created_at * 1000 + 86400000, static_cast<uint32_t>(u.id)),
      "/", u.avatar_key, "_normal.jpg");
}

std::string BannerUrl(const WorldUser& u) {
  return absl::StrCat("https://pbs.twimg.com/profile_banners/", u.id, "/",
                      u.created_at + 86400);
}

void WriteTweet(const World& world, uint32_t tweet,
                const TweetJsonOptions& options, JsonWriter& out) {
  WriteTweetAt(world, tweet, options, /*include_user=*/true, 0, out);
}

void WriteUser(const World& world, uint32_t index,
               const UserJsonOptions& options, JsonWriter& out) {
  const WorldUser& u = world.user(index);
  out.BeginObject();
  out.Key("id").Uint(u.id).Field("id_str", absl::StrCat(u.id));
  out.Field("name", u.name).Field("screen_name", u.screen_name);
  out.Field("location", u.location).Field("description", u.description);
  out.Key("url");
  if (u.url.empty()) {
    out.Null();
  } else {
    out.String(u.url_tco);
  }
  if (options.include_entities) {
    out.Key("entities").BeginObject();
    if (!u.url.empty()) {
      out.Key("url").BeginObject().Key("urls").BeginArray().BeginObject();
      out.Field("url", u.url_tco).Field("expanded_url", u.url);
      out.Field("display_url", ShortDisplay(u.url));
      WriteIndices({0, static_cast<uint16_t>(u.url_tco.size())}, out);
      out.EndObject().EndArray().EndObject();
    }
    out.Key("description").BeginObject().Key("urls").BeginArray();
    if (!u.description_url.url.empty()) {
      const WorldUrl& link = u.description_url;
      out.BeginObject().Field("url", link.url);
      out.Field("expanded_url", link.expanded_url);
      out.Field("display_url", link.display_url);
      WriteIndices(link.span, out);
      out.EndObject();
    }
    out.EndArray().EndObject();
    out.EndObject();
  }
  out.Key("protected").Bool(u.is_protected);
  out.Key("followers_count").Uint(u.followers.size());
  out.Key("friends_count").Int(u.friends_count);
  out.Key("listed_count").Int(u.listed_count);
  out.Field("created_at", FormatCreatedAt(u.created_at));
  out.Key("favourites_count").Int(u.favourites_count);
  out.Key("utc_offset").Null().Key("time_zone").Null();
  out.Key("geo_enabled").Bool((u.id & 4) != 0);
  out.Key("verified").Bool(u.verified);
  out.Key("statuses_count").Uint(u.tweets.size());
  out.Key("lang").Null();
  if (options.include_status && !u.tweets.empty() && !u.is_protected &&
      !u.suspended) {
    TweetJsonOptions status_options;
    status_options.mode = options.status_mode;
    status_options.include_entities = options.include_entities;
    out.Key("status");
    WriteTweetAt(world, u.tweets.front(), status_options,
                 /*include_user=*/false, 0, out);
  }
  out.Key("contributors_enabled").Bool(false);
  out.Key("is_translator").Bool(false);
  out.Key("is_translation_enabled").Bool(false);
  const bool themed = (u.profile_color & 1) != 0;
  out.Field("profile_background_color",
            themed ? Hex6(u.profile_color) : "F5F8FA");
  const std::string background =
      themed ? "abs.twimg.com/images/themes/theme14/bg.gif"
             : "abs.twimg.com/images/themes/theme1/bg.png";
  out.Field("profile_background_image_url",
            absl::StrCat("http://", background));
  out.Field("profile_background_image_url_https",
            absl::StrCat("https://", background));
  out.Key("profile_background_tile").Bool(false);
  const std::string avatar = AvatarPath(u);
  out.Field("profile_image_url", absl::StrCat("http://", avatar));
  out.Field("profile_image_url_https", absl::StrCat("https://", avatar));
  if (u.has_banner) out.Field("profile_banner_url", BannerUrl(u));
  out.Field("profile_link_color", themed ? "FA743E" : "1DA1F2");
  out.Field("profile_sidebar_border_color", themed ? "000000" : "C0DEED");
  out.Field("profile_sidebar_fill_color", themed ? "000000" : "DDEEF6");
  out.Field("profile_text_color", themed ? "000000" : "333333");
  out.Key("profile_use_background_image").Bool(!themed);
  out.Key("has_extended_profile").Bool(!u.description.empty());
  out.Key("default_profile").Bool(!themed);
  out.Key("default_profile_image").Bool(u.default_profile_image);
  // App-only: there is no "me" to follow, mute or block anyone.
  out.Key("following").Bool(false).Key("live_following").Bool(false);
  out.Key("follow_request_sent").Bool(false).Key("notifications").Bool(false);
  out.Key("muting").Bool(false).Key("blocking").Bool(false);
  out.Key("blocked_by").Bool(false);
  out.Field("translator_type", "none");
  out.Key("withheld_in_countries").BeginArray().EndArray();
  out.EndObject();
}

void WriteList(const World& world, const WorldList& list, JsonWriter& out) {
  const WorldUser& owner = world.user(list.owner);
  out.BeginObject();
  out.Key("id").Uint(list.id).Field("id_str", absl::StrCat(list.id));
  out.Field("name", list.name);
  out.Field("uri", absl::StrCat("/", owner.screen_name, "/lists/", list.slug));
  out.Key("subscriber_count").Int(list.subscriber_count);
  out.Key("member_count").Uint(list.members.size());
  out.Field("mode", list.is_private ? "private" : "public");
  out.Field("description", list.description);
  out.Field("slug", list.slug);
  out.Field("full_name", absl::StrCat("@", owner.screen_name, "/", list.slug));
  out.Field("created_at", FormatCreatedAt(list.created_at));
  out.Key("following").Bool(false);
  out.Key("user");
  WriteUser(world, list.owner, UserJsonOptions(), out);
  out.EndObject();
}

}  // namespace perch::emulator
