#include "emulator/codec.h"

#include "absl/status/status.h"
#include "absl/strings/str_split.h"

namespace perch::emulator {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<std::string> Decode(absl::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) {
        return absl::InvalidArgumentError("truncated percent escape");
      }
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError("bad percent escape");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> PercentDecode(absl::string_view in) {
  return Decode(in, /*plus_is_space=*/false);
}

absl::StatusOr<std::string> FormDecode(absl::string_view in) {
  return Decode(in, /*plus_is_space=*/true);
}

std::string PercentEncode(absl::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size() * 3);
  for (char c : in) {
    unsigned char u = static_cast<unsigned char>(c);
    bool unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                      (u >= '0' && u <= '9') || u == '-' || u == '.' ||
                      u == '_' || u == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

absl::StatusOr<FormFields> ParseForm(absl::string_view in) {
  FormFields fields;
  for (absl::string_view piece : absl::StrSplit(in, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(piece, absl::MaxSplits('=', 1));
    absl::StatusOr<std::string> key = FormDecode(kv.first);
    if (!key.ok()) return key.status();
    absl::StatusOr<std::string> value = FormDecode(kv.second);
    if (!value.ok()) return value.status();
    fields.emplace_back(*std::move(key), *std::move(value));
  }
  return fields;
}

const std::string* FindField(const FormFields& fields, absl::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

}  // namespace perch::emulator
