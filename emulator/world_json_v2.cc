#include "emulator/world_json_v2.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "emulator/tweet_text.h"
#include "emulator/world_json.h"

namespace perch::emulator {
namespace {

// Posts stay editable this long after they are created.
constexpr int64_t kEditWindowSeconds = 3600;

bool Asked(const NameSet& fields, absl::string_view name) {
  return fields.contains(name);
}

void WriteIdArray(absl::string_view key, uint64_t id, JsonWriter& out) {
  out.Key(key).BeginArray().String(absl::StrCat(id)).EndArray();
}

void WriteSpan(TextSpan span, JsonWriter& out) {
  out.Key("start").Uint(span.start).Key("end").Uint(span.end);
}

absl::string_view HostOf(absl::string_view url) {
  absl::string_view rest = url.substr(url.find("//") + 2);
  return rest.substr(0, rest.find('/'));
}

// FNV-1a: the same on every standard library, unlike std::hash.
uint64_t Fnv1a(absl::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return h;
}

// The page a link unwinds to, as the upstream's link preview shows it.
void WriteUnwound(const RenderedTweet::Url& u, JsonWriter& out) {
  absl::string_view expanded = u.expanded_url;
  const absl::string_view host = HostOf(expanded);
  absl::string_view last = expanded.substr(expanded.rfind('/') + 1);
  std::string title;
  for (absl::string_view word : absl::StrSplit(last, '-')) {
    std::string w(word);
    if (!w.empty())
      w[0] = absl::ascii_toupper(static_cast<unsigned char>(w[0]));
    absl::StrAppend(&title, title.empty() ? "" : " ", w);
  }
  const uint64_t image = Fnv1a(u.url) % 1000000000000ull;
  out.Key("images").BeginArray();
  struct Image {
    const char* name;
    int width, height;
  };
  for (Image i : {Image{"orig", 1200, 630}, Image{"150x150", 150, 150}}) {
    out.BeginObject();
    out.Field("url", absl::StrCat("https://pbs.twimg.com/news_img/", image,
                                  "?format=jpg&name=", i.name));
    out.Key("width").Int(i.width).Key("height").Int(i.height);
    out.EndObject();
  }
  out.EndArray();
  out.Key("status").Int(200);
  out.Field("title", absl::StrCat(title, " | ", host));
  out.Field("description", absl::StrCat("A page on ", host, "."));
  out.Field("unwound_url", u.expanded_url);
}

void WriteEntities(const World& world, const RenderedTweet& r,
                   JsonWriter& out) {
  std::vector<std::pair<TextSpan, const RenderedTweet::Url*>> urls;
  for (const RenderedTweet::Url& u : r.urls) urls.push_back({u.span, &u});
  const size_t media_count =
      r.media_owner != nullptr ? r.media_owner->media.size() : 0;
  if (r.hashtags.empty() && r.mentions.empty() && urls.empty() &&
      media_count == 0) {
    return;
  }
  out.Key("entities").BeginObject();
  if (!r.hashtags.empty()) {
    out.Key("hashtags").BeginArray();
    for (const WorldHashtag& h : r.hashtags) {
      out.BeginObject();
      WriteSpan(h.span, out);
      out.Field("tag", h.text).EndObject();
    }
    out.EndArray();
  }
  if (!r.mentions.empty()) {
    out.Key("mentions").BeginArray();
    for (const WorldMention& m : r.mentions) {
      const WorldUser& user = world.user(m.user);
      out.BeginObject();
      WriteSpan(m.span, out);
      out.Field("username", user.screen_name);
      out.Field("id", absl::StrCat(user.id)).EndObject();
    }
    out.EndArray();
  }
  if (!urls.empty() || media_count > 0) {
    out.Key("urls").BeginArray();
    for (const RenderedTweet::Url& u : r.urls) {
      out.BeginObject();
      WriteSpan(u.span, out);
      out.Field("url", u.url).Field("expanded_url", u.expanded_url);
      out.Field("display_url", u.display_url);
      WriteUnwound(u, out);
      out.EndObject();
    }
    // One entity per attachment, all on the one pic link (as v2 does).
    for (size_t k = 0; k < media_count; ++k) {
      const WorldTweet& owner = *r.media_owner;
      out.BeginObject();
      WriteSpan(r.media_span, out);
      out.Field("url", owner.media_link);
      // Every one names the first attachment, as entities.media does.
      out.Field("expanded_url",
                MediaExpandedUrl(world, owner, owner.media[0], 0));
      out.Field("display_url",
                absl::StrCat("pic.twitter.com/", owner.media_link.substr(13)));
      out.Field("media_key", MediaKey(owner.media[k]));
      out.EndObject();
    }
    out.EndArray();
  }
  out.EndObject();
}

void WriteNote(const World& world, const WorldTweet& tweet, JsonWriter& out) {
  const RenderedTweet whole = RenderTweet(world, tweet, TweetMode::kExtended);
  out.Key("note_tweet").BeginObject();
  out.Field("text", whole.text);
  RenderedTweet entities = whole;
  entities.media_owner = nullptr;  // media stays in attachments
  WriteEntities(world, entities, out);
  out.EndObject();
}

}  // namespace

std::string FormatIsoTime(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S.000Z",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

std::string MediaKey(const WorldMedia& media) {
  const char* prefix = media.kind == MediaKind::kPhoto   ? "3_"
                       : media.kind == MediaKind::kVideo ? "7_"
                                                         : "16_";
  return absl::StrCat(prefix, media.id);
}

void WriteV2Tweet(const World& world, const WorldTweet& t,
                  const V2Params& params, JsonWriter& out) {
  const NameSet& f = params.tweet_fields;
  const RenderedTweet r = RenderTweet(world, t, TweetMode::kV2);
  const bool retweet = t.kind == TweetKind::kRetweet;
  const WorldTweet& content = retweet ? world.tweet(t.retweet_of) : t;
  out.BeginObject();
  if (Asked(f, "attachments") && r.media_owner != nullptr) {
    out.Key("attachments").BeginObject().Key("media_keys").BeginArray();
    for (const WorldMedia& m : r.media_owner->media) out.String(MediaKey(m));
    out.EndArray().EndObject();
  }
  if (Asked(f, "author_id")) {
    out.Field("author_id", absl::StrCat(world.user(t.author).id));
  }
  if (Asked(f, "conversation_id")) {
    out.Field("conversation_id", absl::StrCat(world.tweet(t.conversation).id));
  }
  if (Asked(f, "created_at"))
    out.Field("created_at", FormatIsoTime(t.created_at));
  if (Asked(f, "display_text_range")) {
    const uint16_t length = static_cast<uint16_t>(CodePointCount(r.text));
    out.Key("display_text_range")
        .BeginArray()
        .Uint(std::min(r.display.start, length))
        .Uint(std::min(r.display.end, length))
        .EndArray();
  }
  if (Asked(f, "edit_controls")) {
    out.Key("edit_controls").BeginObject();
    out.Key("edits_remaining").Int(5);
    out.Key("is_edit_eligible").Bool(false);
    out.Field("editable_until",
              FormatIsoTime(t.created_at + kEditWindowSeconds));
    out.EndObject();
  }
  WriteIdArray("edit_history_tweet_ids", t.id, out);
  if (Asked(f, "entities")) WriteEntities(world, r, out);
  out.Field("id", absl::StrCat(t.id));
  if (Asked(f, "in_reply_to_user_id") && t.kind == TweetKind::kReply) {
    const WorldTweet& parent = world.tweet(t.in_reply_to);
    out.Field("in_reply_to_user_id",
              absl::StrCat(world.user(parent.author).id));
  }
  if (Asked(f, "lang")) out.Field("lang", t.lang);
  if (Asked(f, "note_tweet") && !retweet && t.length > kV2TextLength) {
    WriteNote(world, t, out);
  }
  if (Asked(f, "possibly_sensitive")) {
    out.Key("possibly_sensitive").Bool(content.possibly_sensitive);
  }
  if (Asked(f, "public_metrics")) {
    out.Key("public_metrics").BeginObject();
    out.Key("retweet_count").Int(t.retweet_count);
    out.Key("reply_count").Int(t.reply_count);
    out.Key("like_count").Int(t.favorite_count);
    out.Key("quote_count").Int(t.quote_count);
    out.EndObject();
  }
  if (Asked(f, "referenced_tweets")) {
    const char* type = nullptr;
    int32_t other = kNoIndex;
    switch (t.kind) {
      case TweetKind::kRetweet:
        type = "retweeted", other = t.retweet_of;
        break;
      case TweetKind::kQuote:
        type = "quoted", other = t.quote_of;
        break;
      case TweetKind::kReply:
        type = "replied_to", other = t.in_reply_to;
        break;
      case TweetKind::kOriginal:
        break;
    }
    if (type != nullptr) {
      out.Key("referenced_tweets").BeginArray().BeginObject();
      out.Field("type", type).Field("id", absl::StrCat(world.tweet(other).id));
      out.EndObject().EndArray();
    }
  }
  if (Asked(f, "reply_settings")) out.Field("reply_settings", "everyone");
  if (Asked(f, "source")) out.Field("source", SourceOf(t).name);
  out.Field("text", r.text);
  out.EndObject();
}

void WriteV2User(const World& world, const WorldUser& u, const V2Params& params,
                 JsonWriter& out) {
  const NameSet& f = params.user_fields;
  out.BeginObject();
  if (Asked(f, "created_at"))
    out.Field("created_at", FormatIsoTime(u.created_at));
  if (Asked(f, "description")) out.Field("description", u.description);
  const bool has_url = !u.url.empty();
  const bool has_description_url = !u.description_url.url.empty();
  if (Asked(f, "entities") && (has_url || has_description_url)) {
    out.Key("entities").BeginObject();
    auto link = [&out](absl::string_view key, TextSpan span,
                       absl::string_view url, absl::string_view expanded,
                       absl::string_view display) {
      out.Key(key).BeginObject().Key("urls").BeginArray().BeginObject();
      WriteSpan(span, out);
      out.Field("url", url).Field("expanded_url", expanded);
      out.Field("display_url", display);
      out.EndObject().EndArray().EndObject();
    };
    if (has_url) {
      link("url", {0, static_cast<uint16_t>(u.url_tco.size())}, u.url_tco,
           u.url, ShortDisplay(u.url));
    }
    if (has_description_url) {
      const WorldUrl& d = u.description_url;
      link("description", d.span, d.url, d.expanded_url, d.display_url);
    }
    out.EndObject();
  }
  out.Field("id", absl::StrCat(u.id));
  if (Asked(f, "location") && !u.location.empty()) {
    out.Field("location", u.location);
  }
  if (Asked(f, "most_recent_tweet_id") && !u.tweets.empty()) {
    out.Field("most_recent_tweet_id",
              absl::StrCat(world.tweet(u.tweets.front()).id));
  }
  out.Field("name", u.name);
  if (Asked(f, "profile_banner_url") && u.has_banner) {
    out.Field("profile_banner_url", BannerUrl(u));
  }
  if (Asked(f, "profile_image_url")) {
    out.Field("profile_image_url", absl::StrCat("https://", AvatarPath(u)));
  }
  if (Asked(f, "protected")) out.Key("protected").Bool(u.is_protected);
  if (Asked(f, "public_metrics")) {
    out.Key("public_metrics").BeginObject();
    out.Key("followers_count").Uint(u.followers.size());
    out.Key("following_count").Int(u.friends_count);
    out.Key("tweet_count").Uint(u.tweets.size());
    out.Key("listed_count").Int(u.listed_count);
    out.EndObject();
  }
  if (Asked(f, "url")) out.Field("url", u.url_tco);
  out.Field("username", u.screen_name);
  if (Asked(f, "verified")) out.Key("verified").Bool(u.verified);
  if (Asked(f, "verified_type")) {
    out.Field("verified_type", u.verified ? "blue" : "none");
  }
  out.EndObject();
}

void WriteV2List(const World& world, const WorldList& list,
                 const V2Params& params, JsonWriter& out) {
  const NameSet& f = params.list_fields;
  out.BeginObject();
  if (Asked(f, "created_at")) {
    out.Field("created_at", FormatIsoTime(list.created_at));
  }
  if (Asked(f, "description")) out.Field("description", list.description);
  if (Asked(f, "follower_count")) {
    out.Key("follower_count").Int(list.subscriber_count);
  }
  out.Field("id", absl::StrCat(list.id));
  if (Asked(f, "member_count")) {
    out.Key("member_count").Uint(list.members.size());
  }
  out.Field("name", list.name);
  if (Asked(f, "owner_id")) {
    out.Field("owner_id", absl::StrCat(world.user(list.owner).id));
  }
  if (Asked(f, "private")) out.Key("private").Bool(list.is_private);
  out.EndObject();
}

void WriteV2Media(const WorldTweet& owner, size_t position,
                  const V2Params& params, JsonWriter& out) {
  const NameSet& f = params.media_fields;
  const WorldMedia& m = owner.media[position];
  const bool photo = m.kind == MediaKind::kPhoto;
  out.BeginObject();
  if (Asked(f, "duration_ms") && m.kind == MediaKind::kVideo) {
    out.Key("duration_ms").Uint(m.duration_ms);
  }
  if (Asked(f, "height")) out.Key("height").Uint(m.height);
  out.Field("media_key", MediaKey(m));
  if (Asked(f, "preview_image_url") && !photo) {
    out.Field("preview_image_url", absl::StrCat("https://", MediaPath(m)));
  }
  if (Asked(f, "public_metrics") && m.kind == MediaKind::kVideo) {
    out.Key("public_metrics").BeginObject();
    out.Key("view_count").Uint(m.id % 100000 + 10 * owner.favorite_count);
    out.EndObject();
  }
  out.Field("type", photo                         ? "photo"
                    : m.kind == MediaKind::kVideo ? "video"
                                                  : "animated_gif");
  if (Asked(f, "url") && photo) {
    out.Field("url", absl::StrCat("https://", MediaPath(m)));
  }
  if (Asked(f, "variants") && !photo) {
    out.Key("variants").BeginArray();
    for (const VideoVariant& v : VideoVariants(m)) {
      out.BeginObject();
      if (v.bitrate >= 0) out.Key("bit_rate").Int(v.bitrate);
      out.Field("content_type", v.content_type).Field("url", v.url);
      out.EndObject();
    }
    out.EndArray();
  }
  if (Asked(f, "width")) out.Key("width").Uint(m.width);
  out.EndObject();
}

void V2Includes::AddUser(uint32_t index, absl::string_view parameter,
                         absl::string_view value) {
  const WorldUser& user = world_.user(index);
  if (user.suspended) {
    AddError(SuspendedError(parameter, value));
    return;
  }
  if (seen_users_.insert(index).second) users_.push_back(index);
}

void V2Includes::AddTweet(uint32_t index, absl::string_view parameter) {
  const WorldTweet& tweet = world_.tweet(index);
  if (!world_.Visible(tweet)) {
    AddError(NotAuthorizedError("tweet", parameter, absl::StrCat(tweet.id),
                                "includes"));
    return;
  }
  if (seen_tweets_.insert(index).second) tweets_.push_back(index);
}

void V2Includes::AddError(PartialError error) {
  if (seen_errors_.insert(absl::StrCat(error.parameter, "\n", error.value))
          .second) {
    errors_.push_back(std::move(error));
  }
}

void V2Includes::AddMediaOf(const WorldTweet& tweet) {
  const uint32_t index = static_cast<uint32_t>(&tweet - world_.tweets().data());
  if (seen_media_owners_.insert(index).second) media_owners_.push_back(&tweet);
}

void V2Includes::ExpandTweet(uint32_t index) {
  const WorldTweet& t = world_.tweet(index);
  if (params_.Expands("author_id")) {
    AddUser(t.author, "author_id", absl::StrCat(world_.user(t.author).id));
  }
  if (params_.Expands("in_reply_to_user_id") && t.kind == TweetKind::kReply) {
    const uint32_t parent_author = world_.tweet(t.in_reply_to).author;
    AddUser(parent_author, "in_reply_to_user_id",
            absl::StrCat(world_.user(parent_author).id));
  }
  const bool mentions = params_.Expands("entities.mentions.username");
  const bool media = params_.Expands("attachments.media_keys");
  if (mentions || media) {
    const RenderedTweet r = RenderTweet(world_, t, TweetMode::kV2);
    if (mentions) {
      for (const WorldMention& m : r.mentions) {
        AddUser(m.user, "entities.mentions.username",
                world_.user(m.user).screen_name);
      }
    }
    if (media && r.media_owner != nullptr) AddMediaOf(*r.media_owner);
  }
  int32_t referenced = kNoIndex;
  switch (t.kind) {
    case TweetKind::kRetweet:
      referenced = t.retweet_of;
      break;
    case TweetKind::kQuote:
      referenced = t.quote_of;
      break;
    case TweetKind::kReply:
      referenced = t.in_reply_to;
      break;
    case TweetKind::kOriginal:
      break;
  }
  if (referenced == kNoIndex) return;
  const WorldTweet& other = world_.tweet(referenced);
  const bool visible = world_.Visible(other);
  if (params_.Expands("referenced_tweets.id")) {
    AddTweet(static_cast<uint32_t>(referenced), "referenced_tweets.id");
  }
  if (!visible) return;
  if (params_.Expands("referenced_tweets.id.author_id")) {
    AddUser(other.author, "referenced_tweets.id.author_id",
            absl::StrCat(world_.user(other.author).id));
  }
  if (params_.Expands("referenced_tweets.id.attachments.media_keys") &&
      !other.media.empty()) {
    AddMediaOf(other);
  }
}

void V2Includes::ExpandUser(const WorldUser& user) {
  if (params_.Expands("most_recent_tweet_id") && !user.tweets.empty() &&
      !user.is_protected && !user.suspended) {
    AddTweet(user.tweets.front(), "most_recent_tweet_id");
  }
}

void V2Includes::ExpandList(const WorldList& list) {
  if (params_.Expands("owner_id")) {
    AddUser(list.owner, "owner_id", absl::StrCat(world_.user(list.owner).id));
  }
}

void V2Includes::Write(JsonWriter& out) const {
  if (!users_.empty() || !tweets_.empty() || !media_owners_.empty()) {
    out.Key("includes").BeginObject();
    if (!users_.empty()) {
      out.Key("users").BeginArray();
      for (uint32_t u : users_)
        WriteV2User(world_, world_.user(u), params_, out);
      out.EndArray();
    }
    if (!tweets_.empty()) {
      out.Key("tweets").BeginArray();
      for (uint32_t t : tweets_) {
        WriteV2Tweet(world_, world_.tweet(t), params_, out);
      }
      out.EndArray();
    }
    if (!media_owners_.empty()) {
      out.Key("media").BeginArray();
      for (const WorldTweet* owner : media_owners_) {
        for (size_t k = 0; k < owner->media.size(); ++k) {
          WriteV2Media(*owner, k, params_, out);
        }
      }
      out.EndArray();
    }
    out.EndObject();
  }
  if (!errors_.empty()) {
    out.Key("errors").BeginArray();
    for (const PartialError& e : errors_) WritePartialError(e, out);
    out.EndArray();
  }
}

}  // namespace perch::emulator
