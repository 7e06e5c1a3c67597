#include "server/mapping/list_json.h"

#include <string>

#include "server/mapping/field_table.h"
#include "server/mapping/json_reader.h"
#include "server/mapping/readers.h"
#include "server/mapping/shared_fields.h"

namespace perch::mapping {
namespace {

using internal::JsonDocument;
using internal::JsonValue;
using perch::v1::TwitterList;
using simdjson::ondemand::raw_json_string;
using enum internal::FieldKind;

// v1.1's own plain list members; the rest are kListSharedFields.
constexpr internal::Field<TwitterList> kV1ListFields[] = {
    {kRequiredId, ".id_str", &TwitterList::mutable_id},
    {kString, ".slug", &TwitterList::mutable_slug},
    {kString, ".full_name", &TwitterList::mutable_full_name},
    {kCount, ".subscriber_count", &TwitterList::set_subscriber_count},
    {kCreatedAt, ".created_at", &TwitterList::mutable_created_at},
};

class ListReader {
 public:
  explicit ListReader(TwitterList* out) : out_(out), fields_(out) {}

  absl::Status operator()(raw_json_string key, JsonValue& value) {
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
    if (key == "user") {
      return internal::Within(".user",
                              internal::ReadUser(value, out_->mutable_owner()));
    }
    return fields_(key, value);
  }

  absl::Status Finish() const { return fields_.Finish(); }

 private:
  TwitterList* out_;
  internal::FieldReader<kV1ListFields, internal::kListSharedFields> fields_;
};

}  // namespace

absl::StatusOr<perch::v1::TwitterList> ParseTwitterList(JsonText json) {
  return internal::ParseBody<TwitterList>(
      json, "lists/show response", [](JsonDocument& doc, TwitterList& list) {
        ListReader reader(&list);
        return internal::ReadObject(doc, reader);
      });
}

}  // namespace perch::mapping
