// The fields and expansions perch asks v2 for (UPSTREAM-V2.md section 1.3):
// without them v2 answers only ids and texts. One list, used by the v2
// dialect and by the benchmark's direct baseline, which must fetch the same
// bodies perch does.
#ifndef PERCH_SERVER_UPSTREAM_V2_FIELDS_H_
#define PERCH_SERVER_UPSTREAM_V2_FIELDS_H_

#include "absl/strings/string_view.h"

namespace perch::upstream::v2_fields {

inline constexpr absl::string_view kTweetFields =
    "attachments,author_id,conversation_id,created_at,entities,"
    "in_reply_to_user_id,lang,note_tweet,possibly_sensitive,public_metrics,"
    "referenced_tweets,source";
inline constexpr absl::string_view kTweetExpansions =
    "author_id,referenced_tweets.id,referenced_tweets.id.author_id,"
    "in_reply_to_user_id,attachments.media_keys,"
    "referenced_tweets.id.attachments.media_keys";
inline constexpr absl::string_view kUserFields =
    "created_at,description,location,profile_image_url,protected,"
    "public_metrics,url,verified";
inline constexpr absl::string_view kMediaFields =
    "media_key,type,url,preview_image_url,width,height";
inline constexpr absl::string_view kListFields =
    "created_at,description,follower_count,member_count,name,owner_id,private";

}  // namespace perch::upstream::v2_fields

#endif  // PERCH_SERVER_UPSTREAM_V2_FIELDS_H_
