#include "server/mapping/json_reader.h"

#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/mapping/created_at.h"

namespace perch::mapping::internal {
namespace {

absl::Status IterateObject(
    simdjson::simdjson_result<simdjson::ondemand::object> result,
    FieldFn on_field) {
  simdjson::ondemand::object object;
  if (auto error = std::move(result).get(object); error) {
    return Malformed("", "expected an object", error);
  }
  for (auto field : object) {
    simdjson::ondemand::raw_json_string key;
    if (auto error = field.key().get(key); error) {
      return Malformed("", "unreadable object member", error);
    }
    JsonValue value;
    if (auto error = field.value().get(value); error) {
      return Malformed("", "unreadable object member", error);
    }
    if (absl::Status status = on_field(key, value); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status IterateArray(
    simdjson::simdjson_result<simdjson::ondemand::array> result,
    ElementFn on_element) {
  simdjson::ondemand::array array;
  if (auto error = std::move(result).get(array); error) {
    return Malformed("", "expected an array", error);
  }
  size_t index = 0;
  for (auto element : array) {
    JsonValue value;
    if (auto error = element.get(value); error) {
      return WithinIndex(index,
                         Malformed("", "unreadable array element", error));
    }
    if (absl::Status status = on_element(index, value); !status.ok()) {
      return WithinIndex(index, std::move(status));
    }
    ++index;
  }
  return absl::OkStatus();
}

// A nullable scalar simdjson reads as a T (int64_t, bool): null reads as
// T{}; a value of another type is malformed, with `problem`.
template <typename T>
absl::Status ReadNullableScalar(JsonValue& value, absl::string_view field,
                                absl::string_view problem, T* out) {
  *out = T{};
  return UnlessNull(value, field, [&]() -> absl::Status {
    if (auto error = value.get(*out); error) {
      return Malformed(field, problem, error);
    }
    return absl::OkStatus();
  });
}

}  // namespace

absl::Status Malformed(absl::string_view path, absl::string_view problem) {
  return absl::InternalError(absl::StrCat("$", path, ": ", problem));
}

absl::Status Malformed(absl::string_view path, absl::string_view problem,
                       simdjson::error_code error) {
  // error_message() is simdjson's fixed text for the code; it never quotes
  // the input.
  return absl::InternalError(absl::StrCat("$", path, ": ", problem, " (",
                                          simdjson::error_message(error), ")"));
}

absl::Status Within(absl::string_view segment, absl::Status status) {
  if (status.ok()) return status;
  absl::string_view message = status.message();
  if (!message.empty() && message.front() == '$') message.remove_prefix(1);
  return absl::InternalError(absl::StrCat("$", segment, message));
}

absl::Status WithinIndex(size_t index, absl::Status status) {
  if (status.ok()) return status;
  return Within(absl::StrCat("[", index, "]"), std::move(status));
}

absl::Status PublicError(absl::string_view what, const absl::Status& internal) {
  return MakeError(absl::StatusCode::kInternal,
                   absl::StrCat("malformed ", what, ": ", internal.message()),
                   reasons::kUpstreamMalformedResponse, kPerchDomain);
}

absl::Status ParseJson(JsonText json,
                       absl::FunctionRef<absl::Status(JsonDocument&)> read) {
  // One parser per thread: parsers are not thread-safe, and keeping one per
  // thread reuses its buffers across calls.
  thread_local simdjson::ondemand::parser parser;
  const absl::string_view text = json.text();
  // Declared before the document that may point into it.
  simdjson::padded_string padded;
  JsonDocument doc;
  simdjson::error_code error;
  if (json.capacity() - text.size() >= simdjson::SIMDJSON_PADDING) {
    error = parser.iterate(text.data(), text.size(), json.capacity()).get(doc);
  } else {
    padded = simdjson::padded_string(text.data(), text.size());
    error = parser.iterate(padded).get(doc);
  }
  if (error) return Malformed("", "not valid JSON", error);
  if (absl::Status status = read(doc); !status.ok()) return status;
  // The root value was read to its end; anything after it (a second value)
  // means the body is not the one JSON document we expect.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return Malformed("", "unexpected content after the top-level value");
  }
  return absl::OkStatus();
}

absl::Status ForEachField(JsonValue& value, FieldFn on_field) {
  return IterateObject(value.get_object(), on_field);
}

absl::Status ForEachField(JsonDocument& doc, FieldFn on_field) {
  return IterateObject(doc.get_object(), on_field);
}

absl::Status ForEachElement(JsonValue& value, ElementFn on_element) {
  return IterateArray(value.get_array(), on_element);
}

absl::Status ForEachElement(JsonDocument& doc, ElementFn on_element) {
  return IterateArray(doc.get_array(), on_element);
}

absl::Status IsNull(JsonValue& value, absl::string_view field, bool* is_null) {
  if (auto error = value.is_null().get(*is_null); error) {
    return Malformed(field, "unreadable value", error);
  }
  return absl::OkStatus();
}

absl::Status ReadString(JsonValue& value, absl::string_view field,
                        std::string* out) {
  std::string_view text;
  if (auto error = value.get_string().get(text); error) {
    return Malformed(field, "expected a string", error);
  }
  out->assign(text.data(), text.size());
  return absl::OkStatus();
}

// The Nullable readers reset `out` first: null leaves the empty value.
absl::Status ReadNullableString(JsonValue& value, absl::string_view field,
                                std::string* out) {
  out->clear();
  return UnlessNull(value, field,
                    [&] { return ReadString(value, field, out); });
}

absl::Status ReadNullableInt64(JsonValue& value, absl::string_view field,
                               int64_t* out) {
  return ReadNullableScalar(value, field, "expected an integer", out);
}

absl::Status ReadNullableBool(JsonValue& value, absl::string_view field,
                              bool* out) {
  return ReadNullableScalar(value, field, "expected a boolean", out);
}

bool IsDecimalDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status ReadId(JsonValue& value, absl::string_view field,
                    std::string* out) {
  std::string_view text;
  if (auto error = value.get_string().get(text); error) {
    return Malformed(field, "expected an id string", error);
  }
  if (!IsDecimalDigits(absl::string_view(text.data(), text.size()))) {
    return Malformed(field, "expected a decimal id");
  }
  out->assign(text.data(), text.size());
  return absl::OkStatus();
}

absl::Status ReadNullableId(JsonValue& value, absl::string_view field,
                            std::string* out) {
  out->clear();
  return UnlessNull(value, field, [&] { return ReadId(value, field, out); });
}

namespace {

// A created_at member with `parse` for its layout: null leaves the timestamp
// unset, text `parse` refuses is an error naming `layout`, never a zero time.
absl::Status ReadNullableTime(
    JsonValue& value, absl::string_view field, absl::string_view layout,
    bool (*parse)(absl::string_view, google::protobuf::Timestamp*),
    absl::FunctionRef<google::protobuf::Timestamp*()> mutable_timestamp) {
  return UnlessNull(value, field, [&]() -> absl::Status {
    std::string_view text;
    if (auto error = value.get_string().get(text); error) {
      return Malformed(field, "expected a created_at string", error);
    }
    // Parsed in place: a failed parse fails the whole body, so a half-set
    // timestamp is never seen.
    if (!parse(absl::string_view(text.data(), text.size()),
               mutable_timestamp())) {
      return Malformed(field, absl::StrCat("not a \"", layout, "\" time"));
    }
    return absl::OkStatus();
  });
}

bool ParseTwitterTime(absl::string_view text,
                      google::protobuf::Timestamp* out) {
  absl::StatusOr<absl::Time> time = ParseCreatedAt(text);
  if (!time.ok()) return false;
  out->set_seconds(absl::ToUnixSeconds(*time));
  out->set_nanos(0);
  return true;
}

}  // namespace

absl::Status ReadNullableCreatedAt(
    JsonValue& value, absl::string_view field,
    absl::FunctionRef<google::protobuf::Timestamp*()> mutable_timestamp) {
  return ReadNullableTime(value, field, "Www Mmm dd hh:mm:ss +zzzz yyyy",
                          ParseTwitterTime, mutable_timestamp);
}

absl::Status ReadNullableIsoTime(
    JsonValue& value, absl::string_view field,
    absl::FunctionRef<google::protobuf::Timestamp*()> mutable_timestamp) {
  return ReadNullableTime(value, field, "yyyy-mm-ddThh:mm:ss.sssZ",
                          ParseIsoTime, mutable_timestamp);
}

}  // namespace perch::mapping::internal
