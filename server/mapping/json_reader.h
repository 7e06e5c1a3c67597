// Internal to mapping/: the one place that hands a body to simdjson's
// on-demand parser, plus the small readers every mapping file composes
// (single-pass field iteration, typed scalar reads, JSON-path errors).
// Nothing outside server/mapping/ includes this header; the public headers
// keep simdjson out of the rest of the server.
#ifndef PERCH_SERVER_MAPPING_JSON_READER_H_
#define PERCH_SERVER_MAPPING_JSON_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "server/mapping/json_text.h"
#include "simdjson.h"

namespace perch::mapping::internal {

using JsonValue = simdjson::ondemand::value;
using JsonDocument = simdjson::ondemand::document;

// Internal errors are plain absl::InternalError whose message is
// "<path>: <problem>", the path a JSON path rooted at "$" and built
// innermost-first as the error travels up (".created_at", then ".user", then
// "[3]"). Paths only ever hold our own key literals and indexes, so no body
// content reaches a message. PublicError() turns one into perch's error.
absl::Status Malformed(absl::string_view path, absl::string_view problem);
// Same, naming the simdjson error that caused it (its fixed text, no input).
absl::Status Malformed(absl::string_view path, absl::string_view problem,
                       simdjson::error_code error);
// Prefixes `segment` (".user", "[3]") to the path of an internal error;
// returns OK unchanged.
absl::Status Within(absl::string_view segment, absl::Status status);
absl::Status WithinIndex(size_t index, absl::Status status);

// INTERNAL / UPSTREAM_MALFORMED_RESPONSE / perch.v1 with `what` (the body
// kind, e.g. "search/tweets response") and the internal message.
absl::Status PublicError(absl::string_view what, const absl::Status& internal);

// The single entry point into simdjson: iterates `json` with this thread's
// parser (a parser is not thread-safe; functions here are called from many
// threads at once), in place when its buffer has SIMDJSON_PADDING spare
// bytes, else from a padded copy; runs `read` on the document, and then
// checks nothing follows the root value. Any document value or string view is
// only valid inside `read`; `read` must not call ParseJson again.
absl::Status ParseJson(JsonText json,
                       absl::FunctionRef<absl::Status(JsonDocument&)> read);

// ParseJson into a fresh `Out` with `read(doc, out)`; an error becomes
// PublicError(what, ...). The one shape of every Parse* function.
template <typename Out, typename ReadFn>
absl::StatusOr<Out> ParseBody(JsonText json, absl::string_view what,
                              ReadFn read) {
  Out out;
  absl::Status status =
      ParseJson(json, [&](JsonDocument& doc) { return read(doc, out); });
  if (!status.ok()) return PublicError(what, status);
  return out;
}

// Field-by-field, one forward pass over an object (on-demand cannot go back,
// so callers switch on the key instead of looking fields up). `on_field` gets
// the raw key (compare with `key == "name"`; upstream keys have no escapes)
// and the value, which it may leave unread: it is skipped. Errors from
// `on_field` pass through unchanged, so it names the field in its path.
using FieldFn = absl::FunctionRef<absl::Status(
    simdjson::ondemand::raw_json_string key, JsonValue& value)>;
absl::Status ForEachField(JsonValue& value, FieldFn on_field);
absl::Status ForEachField(JsonDocument& doc, FieldFn on_field);

// Element by element; errors from `on_element` are prefixed with "[index]".
using ElementFn = absl::FunctionRef<absl::Status(size_t index, JsonValue&)>;
absl::Status ForEachElement(JsonValue& value, ElementFn on_element);
absl::Status ForEachElement(JsonDocument& doc, ElementFn on_element);

// Typed reads of one field's value; `field` is the path segment (".id_str")
// used in the error. The Nullable forms turn JSON null into the empty value
// (the upstream writes null where a value is absent).
absl::Status ReadString(JsonValue& value, absl::string_view field,
                        std::string* out);
absl::Status ReadNullableString(JsonValue& value, absl::string_view field,
                                std::string* out);
absl::Status ReadNullableInt64(JsonValue& value, absl::string_view field,
                               int64_t* out);

// Reads a nullable count and, when the read succeeds, stores it with `set`
// (a proto setter such as &Tweet::set_retweet_count); null stores 0.
template <typename Message>
absl::Status ReadCount(JsonValue& value, absl::string_view field, Message* out,
                       void (Message::*set)(int64_t)) {
  int64_t count = 0;
  absl::Status status = ReadNullableInt64(value, field, &count);
  if (status.ok()) (out->*set)(count);
  return status;
}
absl::Status ReadNullableBool(JsonValue& value, absl::string_view field,
                              bool* out);
// Reads a nullable flag and, when the read succeeds, stores it with `set`
// (e.g. &User::set_verified); null stores false.
template <typename Message>
absl::Status ReadFlag(JsonValue& value, absl::string_view field, Message* out,
                      void (Message::*set)(bool)) {
  bool flag = false;
  absl::Status status = ReadNullableBool(value, field, &flag);
  if (status.ok()) (out->*set)(flag);
  return status;
}
// An id from an "*_str" field: a non-empty run of decimal digits, copied as
// text so ids above 2^53 stay exact.
absl::Status ReadId(JsonValue& value, absl::string_view field,
                    std::string* out);
absl::Status ReadNullableId(JsonValue& value, absl::string_view field,
                            std::string* out);
// A "created_at" string; an unparseable one is an error, never a zero time.
// `mutable_timestamp` is called only for a value, so null leaves the
// message's created_at unset (has_created_at() stays false).
absl::Status ReadNullableCreatedAt(
    JsonValue& value, absl::string_view field,
    absl::FunctionRef<google::protobuf::Timestamp*()> mutable_timestamp);
// v2's "2022-10-03T17:57:11.000Z" (ParseIsoTime); otherwise as
// ReadNullableCreatedAt.
absl::Status ReadNullableIsoTime(
    JsonValue& value, absl::string_view field,
    absl::FunctionRef<google::protobuf::Timestamp*()> mutable_timestamp);
// true if the value is JSON null (then the caller skips it); an error only if
// the JSON itself is broken.
absl::Status IsNull(JsonValue& value, absl::string_view field, bool* is_null);

// Runs `read` unless the value is JSON null, which the upstream writes where
// a member is absent (then nothing is read and the field stays as it was).
template <typename ReadFn>
absl::Status UnlessNull(JsonValue& value, absl::string_view field,
                        ReadFn read) {
  bool is_null = false;
  if (absl::Status status = IsNull(value, field, &is_null);
      !status.ok() || is_null) {
    return status;
  }
  return read();
}

// Whether `text` is a non-empty run of ASCII digits.
bool IsDecimalDigits(absl::string_view text);

}  // namespace perch::mapping::internal

#endif  // PERCH_SERVER_MAPPING_JSON_READER_H_
