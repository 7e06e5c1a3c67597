#include "emulator/v2_params.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"

namespace perch::emulator {
namespace {

constexpr absl::string_view kTweetFields[] = {
    "article",
    "attachments",
    "author_id",
    "card_uri",
    "community_id",
    "context_annotations",
    "conversation_id",
    "created_at",
    "display_text_range",
    "edit_controls",
    "edit_history_tweet_ids",
    "entities",
    "geo",
    "id",
    "in_reply_to_user_id",
    "lang",
    "media_metadata",
    "non_public_metrics",
    "note_tweet",
    "organic_metrics",
    "possibly_sensitive",
    "promoted_metrics",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "scopes",
    "source",
    "suggested_source_links",
    "suggested_source_links_with_counts",
    "text",
    "withheld",
};
constexpr absl::string_view kTweetExpansions[] = {
    "article.cover_media",
    "article.media_entities",
    "attachments.media_keys",
    "attachments.media_source_tweet",
    "attachments.poll_ids",
    "author_id",
    "edit_history_tweet_ids",
    "entities.mentions.username",
    "geo.place_id",
    "in_reply_to_user_id",
    "entities.note.mentions.username",
    "referenced_tweets.id",
    "referenced_tweets.id.attachments.media_keys",
    "referenced_tweets.id.author_id",
};
constexpr absl::string_view kUserFields[] = {
    "affiliation",
    "confirmed_email",
    "connection_status",
    "created_at",
    "description",
    "entities",
    "id",
    "is_identity_verified",
    "location",
    "most_recent_tweet_id",
    "name",
    "parody",
    "pinned_tweet_id",
    "profile_banner_url",
    "profile_image_url",
    "protected",
    "public_metrics",
    "receives_your_dm",
    "subscription",
    "subscription_type",
    "url",
    "username",
    "verified",
    "verified_followers_count",
    "verified_type",
    "withheld",
};
constexpr absl::string_view kUserExpansions[] = {
    "affiliation.user_id", "most_recent_tweet_id", "pinned_tweet_id"};
constexpr absl::string_view kMediaFields[] = {
    "alt_text",
    "duration_ms",
    "height",
    "media_key",
    "non_public_metrics",
    "organic_metrics",
    "preview_image_url",
    "promoted_metrics",
    "public_metrics",
    "type",
    "url",
    "variants",
    "width",
};
constexpr absl::string_view kListFields[] = {
    "created_at",   "description", "follower_count", "id",
    "member_count", "name",        "owner_id",       "private",
};
constexpr absl::string_view kListExpansions[] = {"owner_id"};
constexpr absl::string_view kPollFields[] = {"duration_minutes", "end_datetime",
                                             "id", "options", "voting_status"};
constexpr absl::string_view kPlaceFields[] = {"contained_within",
                                              "country",
                                              "country_code",
                                              "full_name",
                                              "geo",
                                              "id",
                                              "name",
                                              "place_type"};
constexpr absl::string_view kExcludes[] = {"replies", "retweets"};
constexpr absl::string_view kSortOrders[] = {"recency", "relevancy"};

constexpr absl::string_view kIdPattern = "^[0-9]{1,19}$";
constexpr absl::string_view kUsernamePattern = "^[A-Za-z0-9_]{1,15}$";

bool Contains(absl::Span<const absl::string_view> names,
              absl::string_view name) {
  for (absl::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}

InvalidParameter Problem(absl::string_view name, absl::string_view value,
                         std::string message) {
  return {std::string(name), std::string(value), std::move(message)};
}

bool MatchesId(absl::string_view value) {
  if (value.empty() || value.size() > 19) return false;
  for (char c : value) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool MatchesUsername(absl::string_view value) {
  if (value.empty() || value.size() > 15) return false;
  for (char c : value) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

// A comma-separated list whose every item is in `allowed`; each bad item is
// its own problem, as the upstream reports them.
void ReadEnumList(absl::string_view name, absl::string_view value,
                  absl::Span<const absl::string_view> allowed, NameSet& out,
                  std::vector<InvalidParameter>* problems) {
  for (absl::string_view item : absl::StrSplit(value, ',')) {
    if (Contains(allowed, item)) {
      out.insert(std::string(item));
      continue;
    }
    problems->push_back(Problem(
        name, item,
        absl::StrCat("The `", name, "` query parameter value [", item,
                     "] is not one of [", absl::StrJoin(allowed, ","), "]")));
  }
}

std::optional<uint64_t> ReadId(absl::string_view name, absl::string_view value,
                               std::vector<InvalidParameter>* problems) {
  uint64_t id = 0;
  if (MatchesId(value) && absl::SimpleAtoi(value, &id)) return id;
  problems->push_back(
      Problem(name, value,
              absl::StrCat("The `", name, "` query parameter value [", value,
                           "] does not match ", kIdPattern)));
  return std::nullopt;
}

std::optional<int64_t> ReadTime(absl::string_view name, absl::string_view value,
                                std::vector<InvalidParameter>* problems) {
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, value, &time, &error)) {
    return absl::ToUnixSeconds(time);
  }
  problems->push_back(
      Problem(name, value,
              absl::StrCat("The `", name, "` query parameter value [", value,
                           "] is not a valid RFC3339 date-time")));
  return std::nullopt;
}

}  // namespace

absl::Span<const absl::string_view> TweetFieldNames() { return kTweetFields; }
absl::Span<const absl::string_view> UserFieldNames() { return kUserFields; }
absl::Span<const absl::string_view> MediaFieldNames() { return kMediaFields; }
absl::Span<const absl::string_view> ListFieldNames() { return kListFields; }

std::optional<InvalidParameter> CheckPathParameter(absl::string_view name,
                                                   absl::string_view value) {
  const bool username = name == "username";
  if (username ? MatchesUsername(value) : MatchesId(value)) return std::nullopt;
  return Problem(name, value,
                 absl::StrCat("The `", name, "` query parameter value [", value,
                              "] does not match ",
                              username ? kUsernamePattern : kIdPattern));
}

std::optional<V2Params> ParseV2Params(const FormFields& params,
                                      const V2ParamSpec& spec,
                                      std::vector<InvalidParameter>* problems) {
  const size_t problems_before = problems->size();
  V2Params out;
  out.max_results = spec.default_results;
  absl::Span<const absl::string_view> expansions =
      spec.primary == V2Primary::kTweets ? absl::MakeConstSpan(kTweetExpansions)
      : spec.primary == V2Primary::kUsers
          ? absl::MakeConstSpan(kUserExpansions)
          : absl::MakeConstSpan(kListExpansions);
  NameSet ignored;  // poll and place fields: the world has neither
  for (const auto& [name, value] : params) {
    if (!Contains(spec.allowed, name)) {
      problems->push_back(Problem(
          name, value,
          absl::StrCat("The query parameter [", name, "] is not one of [",
                       absl::StrJoin(spec.allowed, ","), "]")));
    } else if (name == "tweet.fields") {
      ReadEnumList(name, value, kTweetFields, out.tweet_fields, problems);
    } else if (name == "user.fields") {
      ReadEnumList(name, value, kUserFields, out.user_fields, problems);
    } else if (name == "media.fields") {
      ReadEnumList(name, value, kMediaFields, out.media_fields, problems);
    } else if (name == "list.fields") {
      ReadEnumList(name, value, kListFields, out.list_fields, problems);
    } else if (name == "poll.fields") {
      ReadEnumList(name, value, kPollFields, ignored, problems);
    } else if (name == "place.fields") {
      ReadEnumList(name, value, kPlaceFields, ignored, problems);
    } else if (name == "expansions") {
      ReadEnumList(name, value, expansions, out.expansions, problems);
    } else if (name == "max_results") {
      int n = 0;
      if (!absl::SimpleAtoi(value, &n) || n < spec.min_results ||
          n > spec.max_results) {
        problems->push_back(
            Problem(name, value,
                    absl::StrCat("The `max_results` query parameter value [",
                                 value, "] is not between ", spec.min_results,
                                 " and ", spec.max_results)));
      } else {
        out.max_results = n;
      }
    } else if (name == "pagination_token" || name == "next_token") {
      if (value.empty()) {
        problems->push_back(Problem(
            name, value,
            absl::StrCat("The `", name, "` query parameter can not be empty")));
      } else if (out.page_token.empty()) {
        out.page_token = value;
        out.page_token_name =
            name == "next_token" ? "next_token" : "pagination_token";
      }
    } else if (name == "since_id") {
      out.since_id = ReadId(name, value, problems);
    } else if (name == "until_id") {
      out.until_id = ReadId(name, value, problems);
    } else if (name == "start_time") {
      out.start_time = ReadTime(name, value, problems);
    } else if (name == "end_time") {
      out.end_time = ReadTime(name, value, problems);
    } else if (name == "exclude") {
      NameSet excluded;
      ReadEnumList(name, value, kExcludes, excluded, problems);
      out.exclude_replies = excluded.contains("replies");
      out.exclude_retweets = excluded.contains("retweets");
    } else if (name == "sort_order") {
      NameSet order;
      if (value.find(',') == absl::string_view::npos) {
        ReadEnumList(name, value, kSortOrders, order, problems);
      } else {
        problems->push_back(Problem(
            name, value,
            absl::StrCat("The `sort_order` query parameter value [", value,
                         "] is not one of [recency,relevancy]")));
      }
      if (!order.empty()) out.sort_order = *order.begin();
    } else if (name == "query") {
      out.query = value;
    }
  }
  if (problems->size() != problems_before) return std::nullopt;
  return out;
}

}  // namespace perch::emulator
