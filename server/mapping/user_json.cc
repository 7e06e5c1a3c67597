#include "server/mapping/user_json.h"

#include <cstdint>

#include "server/mapping/json_reader.h"
#include "server/mapping/readers.h"

namespace perch::mapping {
namespace internal {
namespace {

using perch::v1::User;
using simdjson::ondemand::raw_json_string;

// One pass over a user object's members.
class UserReader {
 public:
  explicit UserReader(User* out) : out_(out) {}

  absl::Status operator()(raw_json_string key, JsonValue& value) {
    if (key == "id_str") {
      saw_id_ = true;
      return ReadId(value, ".id_str", out_->mutable_id());
    }
    if (key == "screen_name") {
      return ReadNullableString(value, ".screen_name",
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
      return ReadNullableCreatedAt(
          value, ".created_at", [this] { return out_->mutable_created_at(); });
    }
    if (key == "followers_count") {
      return ReadCount(value, ".followers_count", out_,
                       &User::set_followers_count);
    }
    if (key == "friends_count") {
      return ReadCount(value, ".friends_count", out_,
                       &User::set_following_count);
    }
    if (key == "listed_count") {
      return ReadCount(value, ".listed_count", out_, &User::set_listed_count);
    }
    if (key == "statuses_count") {
      return ReadCount(value, ".statuses_count", out_, &User::set_tweet_count);
    }
    if (key == "verified") {
      return ReadFlag(value, ".verified", out_, &User::set_verified);
    }
    if (key == "protected") {
      return ReadFlag(value, ".protected", out_, &User::set_protected_);
    }
    if (key == "profile_image_url_https") {
      return ReadNullableString(value, ".profile_image_url_https",
                                out_->mutable_profile_image_url());
    }
    return absl::OkStatus();
  }

  absl::Status Finish() const {
    if (!saw_id_) return Malformed(".id_str", "missing");
    return absl::OkStatus();
  }

 private:
  User* out_;
  bool saw_id_ = false;
};

}  // namespace

absl::Status ReadUser(JsonValue& value, User* out) {
  UserReader reader(out);
  return ReadObject(value, reader);
}

absl::Status ReadUser(JsonDocument& doc, User* out) {
  UserReader reader(out);
  return ReadObject(doc, reader);
}

}  // namespace internal

absl::StatusOr<perch::v1::User> ParseUser(JsonText json) {
  perch::v1::User user;
  absl::Status status =
      internal::ParseJson(json, [&](internal::JsonDocument& doc) {
        return internal::ReadUser(doc, &user);
      });
  if (!status.ok()) return internal::PublicError("user object", status);
  return user;
}

}  // namespace perch::mapping
