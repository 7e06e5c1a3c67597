#include "emulator/v2_page_tokens.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace perch::emulator {
namespace {

constexpr absl::string_view kLowerDigits =
    "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr absl::string_view kUpperDigits =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

// Prefixes and suffixes the real tokens of each shape share (§1.2).
constexpr absl::string_view kTweetsPrefix = "7140dibdnow9c7btw";
constexpr absl::string_view kSearchPrefix = "b26v89c19zqg8o3f";
constexpr absl::string_view kFollowersSuffix = "1EZZZ";
constexpr size_t kLongTokenLength = 45;
constexpr size_t kFollowersLength = 16;
constexpr int kIdDigits = 13;  // 36^13 > 2^64
constexpr int kOffsetDigits = 7;
constexpr uint64_t kOffsetCapacity = 78364164096;  // 36^7
constexpr uint64_t kInt64Base = uint64_t{1} << 62;
constexpr uint64_t kInt64Previous = uint64_t{1} << 40;

uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// `digits` base-36 digits of `value`, most significant first.
void AppendDigits(uint64_t value, int digits, absl::string_view alphabet,
                  std::string& out) {
  std::string d(digits, alphabet[0]);
  for (int i = digits - 1; i >= 0; --i) {
    d[i] = alphabet[value % 36];
    value /= 36;
  }
  out += d;
}

std::optional<uint64_t> ReadDigits(absl::string_view text,
                                   absl::string_view alphabet) {
  unsigned __int128 value = 0;
  for (char c : text) {
    const size_t digit = alphabet.find(c);
    if (digit == absl::string_view::npos) return std::nullopt;
    value = value * 36 + digit;
  }
  if (value > UINT64_MAX) return std::nullopt;
  return static_cast<uint64_t>(value);
}

// Characters that look random and make tampering fail to decode.
void AppendCheck(TokenShape shape, uint64_t flags, uint64_t value, size_t n,
                 absl::string_view alphabet, std::string& out) {
  uint64_t h = Mix(value ^ Mix(flags * 0x9E3779B97F4A7C15ull +
                               static_cast<uint64_t>(shape) + 1));
  for (size_t i = 0; i < n; ++i) {
    h = Mix(h + i);
    out.push_back(alphabet[h % 36]);
  }
}

uint64_t Flags(const PagePosition& p) {
  return (p.previous ? 1 : 0) | (p.by_offset ? 2 : 0);
}

std::string EncodeLong(absl::string_view prefix, TokenShape shape,
                       const PagePosition& p) {
  std::string out(prefix);
  const uint64_t flags = Flags(p);
  // The flag digit is spread over the alphabet so tokens do not all share it.
  out.push_back(kLowerDigits[flags + 4 * (Mix(p.value) % 9)]);
  AppendDigits(p.value ^ Mix(static_cast<uint64_t>(shape)), kIdDigits,
               kLowerDigits, out);
  AppendCheck(shape, flags, p.value, kLongTokenLength - out.size(),
              kLowerDigits, out);
  return out;
}

std::optional<PagePosition> DecodeLong(absl::string_view prefix,
                                       TokenShape shape,
                                       absl::string_view token) {
  if (token.size() != kLongTokenLength ||
      token.substr(0, prefix.size()) != prefix) {
    return std::nullopt;
  }
  const size_t flag_digit = kLowerDigits.find(token[prefix.size()]);
  if (flag_digit == absl::string_view::npos) return std::nullopt;
  std::optional<uint64_t> masked =
      ReadDigits(token.substr(prefix.size() + 1, kIdDigits), kLowerDigits);
  if (!masked.has_value()) return std::nullopt;
  PagePosition p;
  p.value = *masked ^ Mix(static_cast<uint64_t>(shape));
  p.previous = (flag_digit % 4 & 1) != 0;
  p.by_offset = (flag_digit % 4 & 2) != 0;
  if (EncodeLong(prefix, shape, p) != token) return std::nullopt;
  return p;
}

std::string EncodeFollowers(const PagePosition& p) {
  std::string out;
  out.push_back(kUpperDigits[(p.previous ? 1 : 0) + 2 * (Mix(p.value) % 18)]);
  const uint64_t mask = Mix(static_cast<uint64_t>(TokenShape::kFollowers));
  AppendDigits((p.value + mask) % kOffsetCapacity, kOffsetDigits, kUpperDigits,
               out);
  AppendCheck(TokenShape::kFollowers, Flags(p), p.value,
              kFollowersLength - out.size() - kFollowersSuffix.size(),
              kUpperDigits, out);
  absl::StrAppend(&out, kFollowersSuffix);
  return out;
}

std::optional<PagePosition> DecodeFollowers(absl::string_view token) {
  if (token.size() != kFollowersLength) return std::nullopt;
  const size_t flag_digit = kUpperDigits.find(token[0]);
  std::optional<uint64_t> value =
      ReadDigits(token.substr(1, kOffsetDigits), kUpperDigits);
  if (flag_digit == absl::string_view::npos || !value.has_value()) {
    return std::nullopt;
  }
  PagePosition p;
  p.previous = flag_digit % 2 != 0;
  p.by_offset = true;
  const uint64_t mask =
      Mix(static_cast<uint64_t>(TokenShape::kFollowers)) % kOffsetCapacity;
  p.value = (*value + kOffsetCapacity - mask) % kOffsetCapacity;
  if (EncodeFollowers(p) != token) return std::nullopt;
  return p;
}

}  // namespace

uint64_t MaxTokenValue(TokenShape shape) {
  switch (shape) {
    case TokenShape::kTweets:
    case TokenShape::kSearch:
      return UINT64_MAX;
    case TokenShape::kFollowers:
      return kOffsetCapacity - 1;
    case TokenShape::kInt64:
      return kInt64Previous - 1;
  }
  return 0;
}

std::string EncodePageToken(TokenShape shape, const PagePosition& position) {
  switch (shape) {
    case TokenShape::kTweets:
      return EncodeLong(kTweetsPrefix, shape, position);
    case TokenShape::kSearch:
      return EncodeLong(kSearchPrefix, shape, position);
    case TokenShape::kFollowers:
      return EncodeFollowers(position);
    case TokenShape::kInt64:
      return absl::StrCat(kInt64Base +
                          (position.previous ? kInt64Previous : 0) +
                          position.value);
  }
  return "";
}

std::optional<PagePosition> DecodePageToken(TokenShape shape,
                                            absl::string_view token) {
  switch (shape) {
    case TokenShape::kTweets:
      return DecodeLong(kTweetsPrefix, shape, token);
    case TokenShape::kSearch:
      return DecodeLong(kSearchPrefix, shape, token);
    case TokenShape::kFollowers:
      return DecodeFollowers(token);
    case TokenShape::kInt64: {
      uint64_t n = 0;
      if (!absl::SimpleAtoi(token, &n) || n < kInt64Base ||
          n >= kInt64Base + 2 * kInt64Previous) {
        return std::nullopt;
      }
      PagePosition p;
      p.by_offset = true;
      p.previous = n - kInt64Base >= kInt64Previous;
      p.value = (n - kInt64Base) % kInt64Previous;
      // Only the canonical spelling ("+1", "01" are not ours).
      if (EncodePageToken(shape, p) != token) return std::nullopt;
      return p;
    }
  }
  return std::nullopt;
}

}  // namespace perch::emulator
