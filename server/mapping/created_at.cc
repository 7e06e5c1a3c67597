#include "server/mapping/created_at.h"

#include <cstddef>

#include "absl/base/attributes.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"

namespace perch::mapping {
namespace {

// "Wed Oct 10 20:19:24 +0000 2018": every field sits at a fixed offset.
constexpr size_t kLength = 30;
constexpr absl::string_view kLayout = "Www Mmm dd hh:mm:ss +zzzz yyyy";

constexpr absl::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                         "May", "Jun", "Jul", "Aug",
                                         "Sep", "Oct", "Nov", "Dec"};
// In absl::Weekday's order, which starts on Monday.
constexpr absl::string_view kWeekdays[] = {"Mon", "Tue", "Wed", "Thu",
                                           "Fri", "Sat", "Sun"};

absl::Status Bad() {
  return MakeError(
      absl::StatusCode::kInternal,
      absl::StrCat("created_at is not in the layout \"", kLayout, "\""),
      reasons::kUpstreamMalformedResponse, kPerchDomain);
}

// Reads `width` ASCII digits at `pos`; false if any is missing or not a
// digit.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool Digits(absl::string_view text,
                                                size_t pos, size_t width,
                                                int* out) {
  if (pos + width > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

}  // namespace

absl::StatusOr<absl::Time> ParseCreatedAt(absl::string_view text) {
  if (text.size() != kLength) return Bad();
  if (text[3] != ' ' || text[7] != ' ' || text[10] != ' ' || text[13] != ':' ||
      text[16] != ':' || text[19] != ' ' || text[25] != ' ') {
    return Bad();
  }
  int month = 0;
  for (int i = 0; i < 12; ++i) {
    if (text.substr(4, 3) == kMonths[i]) month = i + 1;
  }
  if (month == 0) return Bad();

  int day, hour, minute, second, offset_hours, offset_minutes, year;
  if (!Digits(text, 8, 2, &day) || !Digits(text, 11, 2, &hour) ||
      !Digits(text, 14, 2, &minute) || !Digits(text, 17, 2, &second) ||
      !Digits(text, 21, 2, &offset_hours) ||
      !Digits(text, 23, 2, &offset_minutes) || !Digits(text, 26, 4, &year)) {
    return Bad();
  }
  if (text[20] != '+' && text[20] != '-') return Bad();
  if (hour > 23 || minute > 59 || second > 59 || offset_hours > 23 ||
      offset_minutes > 59) {
    return Bad();
  }
  // CivilDay normalises (Feb 30 -> Mar 2); a changed field means the date
  // does not exist.
  const absl::CivilDay date(year, month, day);
  if (date.year() != year || date.month() != month || date.day() != day) {
    return Bad();
  }
  // A weekday that disagrees with the date means the text is corrupt.
  if (text.substr(0, 3) != kWeekdays[static_cast<int>(absl::GetWeekday(date))])
    return Bad();

  const absl::Time local =
      absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second),
                      absl::UTCTimeZone());
  const absl::Duration offset =
      absl::Hours(offset_hours) + absl::Minutes(offset_minutes);
  // "+0200" is two hours ahead of UTC, so UTC is the local time minus it.
  return text[20] == '+' ? local - offset : local + offset;
}

bool ParseIsoTime(absl::string_view text, google::protobuf::Timestamp* out) {
  int year, month, day, hour, minute, second;
  if (!Digits(text, 0, 4, &year) || !Digits(text, 5, 2, &month) ||
      !Digits(text, 8, 2, &day) || !Digits(text, 11, 2, &hour) ||
      !Digits(text, 14, 2, &minute) || !Digits(text, 17, 2, &second) ||
      text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 59) return false;
  const absl::CivilDay date(year, month, day);
  if (date.year() != year || date.month() != month || date.day() != day) {
    return false;
  }
  size_t pos = 19;
  int32_t nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    const size_t start = ++pos;
    int32_t scale = 100000000;
    while (pos < text.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(text[pos]))) {
      if (pos - start == 9) return false;
      nanos += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return false;
  }
  const absl::string_view zone = text.substr(pos);
  absl::Duration offset;
  int offset_hours = 0, offset_minutes = 0;
  if (zone == "Z") {
    offset = absl::ZeroDuration();
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
             Digits(zone, 1, 2, &offset_hours) && zone[3] == ':' &&
             Digits(zone, 4, 2, &offset_minutes) && offset_hours <= 23 &&
             offset_minutes <= 59) {
    offset = absl::Hours(offset_hours) + absl::Minutes(offset_minutes);
    if (zone[0] == '-') offset = -offset;
  } else {
    return false;
  }
  const absl::Time local =
      absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second),
                      absl::UTCTimeZone());
  // "+02:00" is two hours ahead of UTC, so UTC is the local time minus it.
  out->set_seconds(absl::ToUnixSeconds(local - offset));
  out->set_nanos(nanos);
  return true;
}

}  // namespace perch::mapping
