#include "server/mapping/page_json.h"

#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/mapping/json_reader.h"
#include "server/mapping/readers.h"

namespace perch::mapping {
namespace {

using internal::JsonDocument;
using internal::JsonValue;
using simdjson::ondemand::raw_json_string;

// The max_id parameter of a next_results query ("?max_id=N&q=...&..."), or
// an error when there is none or it is not decimal digits. The text is
// upstream-built, so only the one parameter we need is picked out.
absl::Status MaxIdFromNextResults(absl::string_view query,
                                  std::string* max_id) {
  absl::ConsumePrefix(&query, "?");
  for (absl::string_view param : absl::StrSplit(query, '&')) {
    if (absl::ConsumePrefix(&param, "max_id=")) {
      if (!internal::IsDecimalDigits(param)) {
        return internal::Malformed(".search_metadata.next_results",
                                   "max_id is not a decimal id");
      }
      max_id->assign(param.data(), param.size());
      return absl::OkStatus();
    }
  }
  return internal::Malformed(".search_metadata.next_results",
                             "no max_id parameter");
}

absl::Status ReadSearchMetadata(JsonValue& value, std::string* next_max_id) {
  bool is_null = false;
  if (absl::Status status =
          internal::IsNull(value, ".search_metadata", &is_null);
      !status.ok() || is_null) {
    return status;
  }
  std::string next_results;
  absl::Status status = internal::ForEachField(
      value, [&](raw_json_string key, JsonValue& member) -> absl::Status {
        if (key == "next_results") {
          return internal::ReadNullableString(member, ".next_results",
                                              &next_results);
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return internal::Within(".search_metadata", status);
  // No next_results (or an empty one) is how the last page says so.
  if (next_results.empty()) return absl::OkStatus();
  return MaxIdFromNextResults(next_results, next_max_id);
}

// Cursors: "next_cursor_str" is authoritative; "next_cursor" (a number that
// may exceed 2^53, so read as an integer, never a double) only stands in
// when the string is missing.
class CursorReader {
 public:
  // Reads `value` if `key` is a cursor member; other members are left.
  absl::Status Read(raw_json_string key, JsonValue& value) {
    if (key == "next_cursor_str") {
      saw_string_ = true;
      return internal::ReadNullableString(value, ".next_cursor_str",
                                          &from_string_);
    }
    if (key == "next_cursor") {
      bool is_null = false;
      absl::Status status = internal::IsNull(value, ".next_cursor", &is_null);
      if (!status.ok() || is_null) return status;
      int64_t cursor = 0;
      if (auto error = value.get_int64().get(cursor); error) {
        return internal::Malformed(".next_cursor", "expected an integer",
                                   error);
      }
      from_number_ = absl::StrCat(cursor);
    }
    return absl::OkStatus();
  }

  // The cursor for the caller: "" at the end ("0") or when absent.
  absl::Status Finish(std::string* next_cursor) const {
    const std::string& cursor = saw_string_ ? from_string_ : from_number_;
    absl::string_view digits = cursor;
    absl::ConsumePrefix(&digits, "-");
    if (!cursor.empty() && !internal::IsDecimalDigits(digits)) {
      return internal::Malformed(
          saw_string_ ? ".next_cursor_str" : ".next_cursor",
          "not a decimal cursor");
    }
    if (cursor == "0") {
      next_cursor->clear();
    } else {
      *next_cursor = cursor;
    }
    return absl::OkStatus();
  }

 private:
  bool saw_string_ = false;
  std::string from_string_;
  std::string from_number_;
};

// One element of "ids": a decimal string or a non-negative integer.
absl::Status ReadIdElement(JsonValue& value, std::string* out) {
  simdjson::ondemand::json_type type;
  if (auto error = value.type().get(type); error) {
    return internal::Malformed("", "unreadable id", error);
  }
  if (type == simdjson::ondemand::json_type::string) {
    return internal::ReadId(value, "", out);
  }
  uint64_t id = 0;
  if (auto error = value.get_uint64().get(id); error) {
    return internal::Malformed("", "expected a non-negative integer id", error);
  }
  *out = absl::StrCat(id);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SearchPage> ParseSearchPage(JsonText json) {
  SearchPage page;
  absl::Status status =
      internal::ParseJson(json, [&](JsonDocument& doc) -> absl::Status {
        bool saw_statuses = false;
        absl::Status fields = internal::ForEachField(
            doc, [&](raw_json_string key, JsonValue& value) -> absl::Status {
              if (key == "statuses") {
                saw_statuses = true;
                return internal::Within(
                    ".statuses", internal::ReadTweets(value, &page.tweets));
              }
              if (key == "search_metadata") {
                return ReadSearchMetadata(value, &page.next_max_id);
              }
              return absl::OkStatus();
            });
        if (!fields.ok()) return fields;
        if (!saw_statuses) return internal::Malformed(".statuses", "missing");
        return absl::OkStatus();
      });
  if (!status.ok()) {
    return internal::PublicError("search/tweets response", status);
  }
  return page;
}

absl::StatusOr<UserPage> ParseUserPage(JsonText json) {
  UserPage page;
  absl::Status status =
      internal::ParseJson(json, [&](JsonDocument& doc) -> absl::Status {
        bool saw_users = false;
        CursorReader cursor;
        absl::Status fields = internal::ForEachField(
            doc, [&](raw_json_string key, JsonValue& value) -> absl::Status {
              if (key == "users") {
                saw_users = true;
                return internal::Within(
                    ".users", internal::ForEachElement(
                                  value, [&](size_t, JsonValue& element) {
                                    return internal::ReadUser(
                                        element, &page.users.emplace_back());
                                  }));
              }
              return cursor.Read(key, value);
            });
        if (!fields.ok()) return fields;
        if (!saw_users) return internal::Malformed(".users", "missing");
        return cursor.Finish(&page.next_cursor);
      });
  if (!status.ok()) return internal::PublicError("user page", status);
  return page;
}

absl::StatusOr<IdPage> ParseIdPage(JsonText json) {
  IdPage page;
  absl::Status status =
      internal::ParseJson(json, [&](JsonDocument& doc) -> absl::Status {
        bool saw_ids = false;
        CursorReader cursor;
        absl::Status fields = internal::ForEachField(
            doc, [&](raw_json_string key, JsonValue& value) -> absl::Status {
              if (key == "ids") {
                saw_ids = true;
                return internal::Within(
                    ".ids", internal::ForEachElement(
                                value, [&](size_t, JsonValue& element) {
                                  return ReadIdElement(
                                      element, &page.ids.emplace_back());
                                }));
              }
              return cursor.Read(key, value);
            });
        if (!fields.ok()) return fields;
        if (!saw_ids) return internal::Malformed(".ids", "missing");
        return cursor.Finish(&page.next_cursor);
      });
  if (!status.ok()) return internal::PublicError("id page", status);
  return page;
}

}  // namespace perch::mapping
