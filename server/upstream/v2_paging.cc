#include "server/upstream/v2_paging.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"

namespace perch::upstream {
namespace {

// The core/ page token that seals a position must stay short.
constexpr size_t kMaxPositionLength = 200;
// Tweet ids are snowflakes: milliseconds since this epoch, shifted left 22.
constexpr int64_t kTwitterEpochMs = 1288834974657;

bool IsDigits(absl::string_view text, size_t max_length) {
  return !text.empty() && text.size() <= max_length &&
         absl::c_all_of(text, [](char c) { return absl::ascii_isdigit(c); });
}

absl::Status BadPosition() {
  return MakeInvalidArgument(
      {{"page_token", "not a page token of this request"}});
}

}  // namespace

absl::StatusOr<std::string> EncodeV2Position(const V2Position& position) {
  if (position.token.empty() && position.until_id.empty() &&
      position.skip == 0) {
    return std::string();
  }
  std::string text = absl::StrCat(
      position.until_id, ":",
      position.skip == 0 ? std::string() : absl::StrCat(position.skip), ":",
      absl::WebSafeBase64Escape(position.token));
  if (text.size() > kMaxPositionLength) {
    return MakeError(absl::StatusCode::kInternal,
                     "the upstream's page token is too long to carry",
                     reasons::kUpstreamMalformedResponse, kPerchDomain);
  }
  return text;
}

absl::StatusOr<V2Position> DecodeV2Position(absl::string_view text) {
  V2Position position;
  if (text.empty()) return position;
  if (text.size() > kMaxPositionLength) return BadPosition();
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() != 3) return BadPosition();
  if (!parts[0].empty()) {
    if (!IsDigits(parts[0], 19)) return BadPosition();
    position.until_id = std::string(parts[0]);
  }
  if (!parts[1].empty() &&
      (!IsDigits(parts[1], 6) || !absl::SimpleAtoi(parts[1], &position.skip) ||
       position.skip == 0)) {
    return BadPosition();
  }
  if (!absl::WebSafeBase64Unescape(parts[2], &position.token)) {
    return BadPosition();
  }
  if (position.token.empty() && position.until_id.empty() &&
      position.skip == 0) {
    return BadPosition();
  }
  return position;
}

int AskFor(int page_size, int min, int max) {
  return std::clamp(page_size, min, max);
}

absl::StatusOr<std::string> FirstIdOfDay(absl::string_view day) {
  absl::Time midnight;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%d", day, absl::UTCTimeZone(), &midnight,
                       &error)) {
    return MakeInvalidArgument({{"until", "expected YYYY-MM-DD"}});
  }
  const int64_t ms = absl::ToUnixMillis(midnight) - kTwitterEpochMs;
  // Before the first snowflake nothing can match; 1 is the smallest id.
  if (ms <= 0) return std::string("1");
  return absl::StrCat(static_cast<uint64_t>(ms) << 22);
}

}  // namespace perch::upstream
