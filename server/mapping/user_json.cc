#include "server/mapping/user_json.h"

#include "server/mapping/field_table.h"
#include "server/mapping/json_reader.h"
#include "server/mapping/readers.h"
#include "server/mapping/shared_fields.h"

namespace perch::mapping {
namespace internal {
namespace {

using perch::v1::User;
using enum FieldKind;

// v1.1's own user members; the rest are kUserProfileFields.
constexpr Field<User> kV1UserFields[] = {
    {kRequiredId, ".id_str", &User::mutable_id},
    {kString, ".screen_name", &User::mutable_screen_name},
    {kCreatedAt, ".created_at", &User::mutable_created_at},
    {kCount, ".followers_count", &User::set_followers_count},
    {kCount, ".friends_count", &User::set_following_count},
    {kCount, ".listed_count", &User::set_listed_count},
    {kCount, ".statuses_count", &User::set_tweet_count},
    {kString, ".profile_image_url_https", &User::mutable_profile_image_url},
};

template <typename Container>
absl::Status ReadUserFrom(Container& container, User* out) {
  FieldReader<kV1UserFields, kUserProfileFields> reader(out);
  return ReadObject(container, reader);
}

}  // namespace

absl::Status ReadUser(JsonValue& value, User* out) {
  return ReadUserFrom(value, out);
}

absl::Status ReadUser(JsonDocument& doc, User* out) {
  return ReadUserFrom(doc, out);
}

}  // namespace internal

absl::StatusOr<perch::v1::User> ParseUser(JsonText json) {
  return internal::ParseBody<perch::v1::User>(
      json, "user object",
      [](internal::JsonDocument& doc, perch::v1::User& user) {
        return internal::ReadUser(doc, &user);
      });
}

}  // namespace perch::mapping
