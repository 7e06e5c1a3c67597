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
using internal::ParseBody;
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

// search_metadata, not null.
absl::Status ReadNextResults(JsonValue& value, std::string* next_max_id) {
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

absl::Status ReadSearchMetadata(JsonValue& value, std::string* next_max_id) {
  return internal::UnlessNull(value, ".search_metadata", [&] {
    return ReadNextResults(value, next_max_id);
  });
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
      int64_t cursor = 0;
      absl::Status status =
          internal::ReadNullableInt64(value, ".next_cursor", &cursor);
      // null reads as 0, the end marker, as an absent cursor ends too.
      if (status.ok()) from_number_ = absl::StrCat(cursor);
      return status;
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

// One pass over a page body: the required array `items` (".users") element
// by element to `read_element`, every other member to `other` (the paging
// members).
template <typename ReadElement, typename ReadOther>
absl::Status ReadPage(JsonDocument& doc, absl::string_view items,
                      ReadElement read_element, ReadOther other) {
  const std::string_view items_key(items.data() + 1, items.size() - 1);
  bool saw_items = false;
  absl::Status status = internal::ForEachField(
      doc, [&](raw_json_string key, JsonValue& value) -> absl::Status {
        if (key == items_key) {
          saw_items = true;
          return internal::Within(
              items,
              internal::ForEachElement(value, [&](size_t, JsonValue& element) {
                return read_element(element);
              }));
        }
        return other(key, value);
      });
  if (!status.ok()) return status;
  if (!saw_items) return internal::Malformed(items, "missing");
  return absl::OkStatus();
}

// A page of `items` with a v1.1 cursor, into `next_cursor`.
template <typename ReadElement>
absl::Status ReadCursoredPage(JsonDocument& doc, absl::string_view items,
                              std::string* next_cursor,
                              ReadElement read_element) {
  CursorReader cursor;
  absl::Status status = ReadPage(doc, items, read_element,
                                 [&](raw_json_string key, JsonValue& value) {
                                   return cursor.Read(key, value);
                                 });
  if (!status.ok()) return status;
  return cursor.Finish(next_cursor);
}

}  // namespace

absl::StatusOr<SearchPage> ParseSearchPage(JsonText json) {
  return ParseBody<SearchPage>(
      json, "search/tweets response", [](JsonDocument& doc, SearchPage& page) {
        return ReadPage(
            doc, ".statuses",
            [&](JsonValue& element) {
              return internal::ReadTweet(element, &page.tweets.emplace_back());
            },
            [&](raw_json_string key, JsonValue& value) -> absl::Status {
              if (key == "search_metadata") {
                return ReadSearchMetadata(value, &page.next_max_id);
              }
              return absl::OkStatus();
            });
      });
}

absl::StatusOr<UserPage> ParseUserPage(JsonText json) {
  return ParseBody<UserPage>(
      json, "user page", [](JsonDocument& doc, UserPage& page) {
        return ReadCursoredPage(
            doc, ".users", &page.next_cursor, [&](JsonValue& element) {
              return internal::ReadUser(element, &page.users.emplace_back());
            });
      });
}

absl::StatusOr<IdPage> ParseIdPage(JsonText json) {
  return ParseBody<IdPage>(
      json, "id page", [](JsonDocument& doc, IdPage& page) {
        return ReadCursoredPage(
            doc, ".ids", &page.next_cursor, [&](JsonValue& element) {
              return ReadIdElement(element, &page.ids.emplace_back());
            });
      });
}

}  // namespace perch::mapping
