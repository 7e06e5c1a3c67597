#include "emulator/json_writer.h"

#include "absl/strings/str_cat.h"

namespace perch::emulator {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kUpperHex[] = "0123456789ABCDEF";

void AppendUnit(uint32_t unit, std::string* out, const char* hex = kHex) {
  char buf[6] = {'\\',
                 'u',
                 hex[(unit >> 12) & 0xF],
                 hex[(unit >> 8) & 0xF],
                 hex[(unit >> 4) & 0xF],
                 hex[unit & 0xF]};
  out->append(buf, sizeof(buf));
}

// The escape of a character both dialects escape alike, or nullptr.
const char* CommonEscape(uint32_t cp) {
  switch (cp) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      return nullptr;
  }
}

void AppendCodePoint(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes one code point at `i`, advancing it; U+FFFD for a bad sequence.
uint32_t DecodeUtf8(absl::string_view s, size_t& i) {
  const unsigned char c = static_cast<unsigned char>(s[i++]);
  if (c < 0x80) return c;
  int extra = (c >> 5) == 0x6    ? 1
              : (c >> 4) == 0xE  ? 2
              : (c >> 3) == 0x1E ? 3
                                 : -1;
  if (extra < 0 || i + extra > s.size()) return 0xFFFD;
  uint32_t cp = c & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    const unsigned char next = static_cast<unsigned char>(s[i]);
    if ((next & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (next & 0x3F);
    ++i;
  }
  return cp;
}

}  // namespace

void AppendJsonString(JsonDialect dialect, absl::string_view utf8,
                      std::string* out) {
  const bool v1 = dialect == JsonDialect::kV1;
  out->push_back('"');
  for (size_t i = 0; i < utf8.size();) {
    const uint32_t cp = DecodeUtf8(utf8, i);
    if (const char* escape = CommonEscape(cp)) {
      out->append(escape);
    } else if (v1 && cp == '/') {
      out->append("\\/");
    } else if (cp < 0x20 || (v1 && (cp == '<' || cp == '>' ||
                                    (cp >= 0x7F && cp < 0x10000)))) {
      AppendUnit(cp, out);
    } else if (cp >= 0x10000) {
      const uint32_t v = cp - 0x10000;
      const char* hex = v1 ? kHex : kUpperHex;
      AppendUnit(0xD800 + (v >> 10), out, hex);
      AppendUnit(0xDC00 + (v & 0x3FF), out, hex);
    } else {
      // v1.1 reaches here with ASCII only: one byte either way.
      AppendCodePoint(cp, out);
    }
  }
  out->push_back('"');
}

void JsonWriter::AppendString(absl::string_view utf8) {
  AppendJsonString(dialect_, utf8, &out_);
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_items_.empty()) {
    if (has_items_.back()) out_.push_back(',');
    has_items_.back() = true;
  }
}

JsonWriter& JsonWriter::Open(char bracket) {
  BeforeValue();
  out_.push_back(bracket);
  has_items_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::Close(char bracket) {
  out_.push_back(bracket);
  has_items_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::BeginObject() { return Open('{'); }
JsonWriter& JsonWriter::EndObject() { return Close('}'); }
JsonWriter& JsonWriter::BeginArray() { return Open('['); }
JsonWriter& JsonWriter::EndArray() { return Close(']'); }

JsonWriter& JsonWriter::Key(absl::string_view key) {
  BeforeValue();
  AppendString(key);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(absl::string_view value) {
  BeforeValue();
  AppendString(value);
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  absl::StrAppend(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  BeforeValue();
  absl::StrAppend(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_.append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
  return *this;
}

JsonWriter& JsonWriter::Raw(absl::string_view json) {
  BeforeValue();
  out_.append(json.data(), json.size());
  return *this;
}

}  // namespace perch::emulator
