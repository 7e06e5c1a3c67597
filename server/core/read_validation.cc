#include "server/core/read_validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/common/screen_name.h"

namespace perch::core {
namespace {

void Add(absl::string_view field, std::string description, Violations& out) {
  out.push_back(FieldViolation{std::string(field), std::move(description)});
}

// Counts code points; -1 if `s` is not valid UTF-8.
int Utf8Length(absl::string_view s) {
  int count = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80           ? 1
              : (c >> 5) == 0x6  ? 2
              : (c >> 4) == 0xE  ? 3
              : (c >> 3) == 0x1E ? 4
                                 : 0;
    if (len == 0 || i + len > s.size()) return -1;
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return -1;
    }
    i += len;
    ++count;
  }
  return count;
}

}  // namespace

void CheckScreenName(absl::string_view field, absl::string_view value,
                     Violations& out) {
  if (!IsScreenName(value)) {
    Add(field, "must be 1-15 characters of A-Z, a-z, 0-9 and _ (no '@')", out);
  }
}

void CheckId(absl::string_view field, absl::string_view value,
             Violations& out) {
  // v2's id pattern is ^[0-9]{1,19}$ and X's ids are snowflakes below
  // 2^63: a larger id is the caller's mistake, not an upstream 400.
  int64_t parsed;
  bool digits = !value.empty() && value.size() <= 19;
  for (char c : value) {
    digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
  }
  if (!digits || !absl::SimpleAtoi(value, &parsed)) {
    Add(field, "must be a decimal id of at most 19 digits, below 2^63", out);
  }
}

void CheckOptionalId(absl::string_view field, absl::string_view value,
                     Violations& out) {
  if (!value.empty()) CheckId(field, value, out);
}

void CheckPageSize(int value, int max, Violations& out) {
  if (value < 0 || value > max) {
    Add("page_size",
        absl::StrCat("must be between 1 and ", max, " (0 for the default)"),
        out);
  }
}

void CheckQuery(absl::string_view value, Violations& out) {
  const int length = Utf8Length(value);
  if (length < 0) {
    Add("query", "must be valid UTF-8", out);
  } else if (length == 0 || length > 500) {
    Add("query", "must be 1-500 characters", out);
  }
}

void CheckDate(absl::string_view field, absl::string_view value,
               Violations& out) {
  if (value.empty()) return;
  absl::Time t;
  std::string err;
  // ParseTime accepts out-of-range days by normalising; re-formatting
  // catches 2024-02-31.
  if (value.size() != 10 ||
      !absl::ParseTime("%Y-%m-%d", value, absl::UTCTimeZone(), &t, &err) ||
      absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone()) != value) {
    Add(field, "must be a date YYYY-MM-DD", out);
  }
}

void CheckLang(absl::string_view value, Violations& out) {
  if (value.empty()) return;
  bool ok = value.size() == 2 || value.size() == 3;
  for (char c : value)
    ok = ok && absl::ascii_islower(static_cast<unsigned char>(c));
  if (!ok) Add("lang", "must be an ISO 639-1 language code such as 'en'", out);
}

void CheckEnum(absl::string_view field, bool known, Violations& out) {
  if (!known) Add(field, "unknown enum value", out);
}

absl::Status ToStatus(Violations violations) {
  if (violations.empty()) return absl::OkStatus();
  return MakeInvalidArgument(std::move(violations));
}

}  // namespace perch::core
