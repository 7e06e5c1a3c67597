// Internal to mapping/: a message's plain members (strings, ids, counts,
// flags, times) read from a table, so each v1.1 and v2 reader states as data
// which key goes to which field, and one reader per kind of value serves
// them all. Members that need a decision (text vs full_text, nested tweets,
// references) stay written out in their reader.
#ifndef PERCH_SERVER_MAPPING_FIELD_TABLE_H_
#define PERCH_SERVER_MAPPING_FIELD_TABLE_H_

#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/timestamp.pb.h"
#include "server/mapping/json_reader.h"

namespace perch::mapping::internal {

enum class FieldKind {
  kRequiredId,  // ReadId; the object is malformed without it
  kId,          // ReadNullableId
  kString,      // ReadNullableString
  kCount,       // ReadCount
  kFlag,        // ReadFlag
  kCreatedAt,   // ReadNullableCreatedAt (v1.1's "Www Mmm dd ..." text)
  kIsoTime,     // ReadNullableIsoTime (v2's RFC 3339 text)
};

// A table row that names an accessor of another kind (a setter where a
// string is read) calls this at compile time, which does not compile.
inline void FieldAccessorDoesNotFitItsKind() {}

// One member of a `Message`: its kind, its path and the accessor that kind
// uses. `path` is the error path segment (".id_str"), the member's key behind
// a dot, so the key is written once. Rows are checked at compile time.
template <typename Message_>
struct Field {
  using Message = Message_;
  using Text = std::string* (Message::*)();  // ids and strings
  using Count = void (Message::*)(int64_t);
  using Flag = void (Message::*)(bool);
  using Time = google::protobuf::Timestamp* (Message::*)();

  template <typename Accessor>
  consteval Field(FieldKind kind, absl::string_view path, Accessor accessor)
      : kind(kind),
        path(path),
        key(path.data() + 1, path.size() - 1),
        accessor(accessor) {
    if (!Fits()) FieldAccessorDoesNotFitItsKind();
  }

  // The accessor, of the type `kind` says (checked when the row was built).
  template <typename Accessor>
  Accessor Get() const {
    return *std::get_if<Accessor>(&accessor);
  }

  FieldKind kind;
  absl::string_view path;
  std::string_view key;  // path without its dot, as KeyText gives it
  std::variant<Text, Count, Flag, Time> accessor;

 private:
  constexpr bool Fits() const {
    switch (kind) {
      case FieldKind::kRequiredId:
      case FieldKind::kId:
      case FieldKind::kString:
        return std::holds_alternative<Text>(accessor);
      case FieldKind::kCount:
        return std::holds_alternative<Count>(accessor);
      case FieldKind::kFlag:
        return std::holds_alternative<Flag>(accessor);
      case FieldKind::kCreatedAt:
      case FieldKind::kIsoTime:
        return std::holds_alternative<Time>(accessor);
    }
    return false;
  }
};

// Reads `value` into `out` as `field` says. Always inlined: where the row
// is a constant (WithRow), the switch and the accessor call fold away.
template <typename Message>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline absl::Status ReadField(
    const Field<Message>& field, JsonValue& value, Message* out) {
  using Row = Field<Message>;
  const auto text = [&] {
    return (out->*field.template Get<typename Row::Text>())();
  };
  const auto time = [&] {
    return (out->*field.template Get<typename Row::Time>())();
  };
  switch (field.kind) {
    case FieldKind::kRequiredId:
      return ReadId(value, field.path, text());
    case FieldKind::kId:
      return ReadNullableId(value, field.path, text());
    case FieldKind::kString:
      return ReadNullableString(value, field.path, text());
    case FieldKind::kCount:
      return ReadCount(value, field.path, out,
                       field.template Get<typename Row::Count>());
    case FieldKind::kFlag:
      return ReadFlag(value, field.path, out,
                      field.template Get<typename Row::Flag>());
    case FieldKind::kCreatedAt:
      return ReadNullableCreatedAt(value, field.path, time);
    case FieldKind::kIsoTime:
      return ReadNullableIsoTime(value, field.path, time);
  }
  return absl::OkStatus();
}

// The tables are template arguments (constexpr arrays of Field) rather than
// spans: every row's key, kind and accessor are then constants where the row
// is matched, and each row compiles to the length-known comparison and the
// inlined read that a hand-written `if (key == "name")` chain gave. Objects
// are read member by member on the hot path; a runtime loop over the rows
// cost the v1.1 timeline parse about 15%.

// Calls `read(row)` with the row of `kTable` whose key is `key`; false if
// there is none.
template <const auto& kTable, typename ReadRow, size_t... kRow>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool WithRowOf(
    simdjson::ondemand::raw_json_string key, ReadRow& read,
    std::index_sequence<kRow...>) {
  return ((key == kTable[kRow].key ? (read(kTable[kRow]), true) : false) ||
          ...);
}
template <const auto& kTable, typename ReadRow>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool WithRow(
    simdjson::ondemand::raw_json_string key, ReadRow& read) {
  return WithRowOf<kTable>(key, read,
                           std::make_index_sequence<std::size(kTable)>());
}

// Reads the member `key` into `out` if one of `kTables` has a row for it;
// any other member is left unread (skipped).
template <const auto&... kTables, typename Message>
absl::Status ReadTableMember(simdjson::ondemand::raw_json_string key,
                             JsonValue& value, Message* out) {
  absl::Status status;
  const auto read = [&](const Field<Message>& row) {
    status = ReadField(row, value, out);
  };
  (WithRow<kTables>(key, read) || ...);
  return status;
}

// Reads one object whose members are all in `kTables`.
template <const auto&... kTables, typename Message>
absl::Status ReadFields(JsonValue& value, Message* out) {
  return ForEachField(
      value, [&](simdjson::ondemand::raw_json_string key, JsonValue& member) {
        return ReadTableMember<kTables...>(key, member, out);
      });
}

// A single-pass object reader (for ReadObject) over a dialect's table and
// the tables it shares with the other dialect: Finish() fails when the
// required id never came. Readers with members of their own forward the
// rest here.
template <const auto& kTable, const auto&... kMore>
class FieldReader {
 public:
  using Message = typename std::remove_cvref_t<decltype(kTable[0])>::Message;

  explicit FieldReader(Message* out) : out_(out) {}

  absl::Status operator()(simdjson::ondemand::raw_json_string key,
                          JsonValue& value) {
    absl::Status status;
    const auto read = [&](const Field<Message>& row) {
      if (row.kind == FieldKind::kRequiredId) saw_required_ = true;
      status = ReadField(row, value, out_);
    };
    (WithRow<kTable>(key, read) || ... || WithRow<kMore>(key, read));
    return status;
  }

  absl::Status Finish() const {
    if (saw_required_) return absl::OkStatus();
    // Looked up only when missing.
    for (absl::Span<const Field<Message>> table :
         {Rows(kTable), Rows(kMore)...}) {
      for (const Field<Message>& row : table) {
        if (row.kind == FieldKind::kRequiredId) {
          return Malformed(row.path, "missing");
        }
      }
    }
    return absl::OkStatus();
  }

 private:
  template <size_t kSize>
  static absl::Span<const Field<Message>> Rows(
      const Field<Message> (&table)[kSize]) {
    return table;
  }

  Message* out_;
  bool saw_required_ = false;
};

}  // namespace perch::mapping::internal

#endif  // PERCH_SERVER_MAPPING_FIELD_TABLE_H_
