#include "server/mapping/list_json.h"

#include <cstdint>
#include <string>

#include "server/mapping/json_reader.h"
#include "server/mapping/readers.h"

namespace perch::mapping {
namespace {

using internal::JsonDocument;
using internal::JsonValue;
using perch::v1::TwitterList;
using simdjson::ondemand::raw_json_string;

class ListReader {
 public:
  explicit ListReader(TwitterList* out) : out_(out) {}

  absl::Status operator()(raw_json_string key, JsonValue& value) {
    if (key == "id_str") {
      saw_id_ = true;
      return internal::ReadId(value, ".id_str", out_->mutable_id());
    }
    if (key == "name") {
      return internal::ReadNullableString(value, ".name", out_->mutable_name());
    }
    if (key == "slug") {
      return internal::ReadNullableString(value, ".slug", out_->mutable_slug());
    }
    if (key == "full_name") {
      return internal::ReadNullableString(value, ".full_name",
                                          out_->mutable_full_name());
    }
    if (key == "description") {
      return internal::ReadNullableString(value, ".description",
                                          out_->mutable_description());
    }
    if (key == "mode") {
      std::string mode;
      absl::Status status = internal::ReadNullableString(value, ".mode", &mode);
      if (mode == "public") {
        out_->set_mode(TwitterList::MODE_PUBLIC);
      } else if (mode == "private") {
        out_->set_mode(TwitterList::MODE_PRIVATE);
      }
      return status;
    }
    if (key == "member_count") {
      return Count(value, ".member_count", &TwitterList::set_member_count);
    }
    if (key == "subscriber_count") {
      return Count(value, ".subscriber_count",
                   &TwitterList::set_subscriber_count);
    }
    if (key == "created_at") {
      return internal::ReadNullableCreatedAt(
          value, ".created_at", [this] { return out_->mutable_created_at(); });
    }
    if (key == "user") {
      return internal::Within(".user",
                              internal::ReadUser(value, out_->mutable_owner()));
    }
    return absl::OkStatus();
  }

  absl::Status Finish() const {
    if (!saw_id_) return internal::Malformed(".id_str", "missing");
    return absl::OkStatus();
  }

 private:
  absl::Status Count(JsonValue& value, absl::string_view field,
                     void (TwitterList::*set)(int64_t)) {
    int64_t count = 0;
    absl::Status status = internal::ReadNullableInt64(value, field, &count);
    if (status.ok()) (out_->*set)(count);
    return status;
  }

  TwitterList* out_;
  bool saw_id_ = false;
};

}  // namespace

absl::StatusOr<perch::v1::TwitterList> ParseTwitterList(JsonText json) {
  TwitterList list;
  absl::Status status = internal::ParseJson(json, [&](JsonDocument& doc) {
    ListReader reader(&list);
    return internal::ReadObject(doc, reader);
  });
  if (!status.ok()) {
    return internal::PublicError("lists/show response", status);
  }
  return list;
}

}  // namespace perch::mapping
