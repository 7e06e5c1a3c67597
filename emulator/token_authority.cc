#include "emulator/token_authority.h"

#include "absl/strings/str_cat.h"

namespace perch::emulator {
namespace {

// SplitMix64: tiny, deterministic across platforms (std:: distributions are
// not), good enough to make tokens look random.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

std::string RandomChars(SplitMix64& rng, int n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(kAlphabet[rng.Next() % 62]);
  return out;
}

}  // namespace

std::string MakeToken(uint64_t seed, int64_t generation) {
  SplitMix64 rng(seed * 0xD1B54A32D192ED03ULL ^
                 static_cast<uint64_t>(generation + 1) * 0x9E3779B97F4A7C15ULL);
  // Real tokens are ~112 characters: 21 'A's, then base64 of binary data
  // whose '/', '+' and '=' arrive percent-encoded. Vary the segment lengths
  // so the escapes do not always sit at the same offsets.
  int first = 16 + static_cast<int>(rng.Next() % 12);
  int second = 14 + static_cast<int>(rng.Next() % 12);
  int rest = 85 - first - second;
  std::string token =
      absl::StrCat("AAAAAAAAAAAAAAAAAAAAA", RandomChars(rng, first), "%2F",
                   RandomChars(rng, second), "%3D", RandomChars(rng, rest));
  if (rng.Next() % 2 == 0) {
    token.insert(21 + first / 2, "%2B");
  }
  return token;
}

std::string TokenAuthority::IssueOrGet() {
  absl::MutexLock lock(&mu_);
  if (!live_) {
    std::string next = MakeToken(seed_, generation_++);
    // Different generations collide with negligible odds; make it never.
    while (next == current_) next = MakeToken(seed_, generation_++);
    current_ = std::move(next);
    live_ = true;
  }
  return current_;
}

bool TokenAuthority::IsCurrent(absl::string_view token) const {
  absl::MutexLock lock(&mu_);
  return live_ && token == current_;
}

bool TokenAuthority::InvalidateIfCurrent(absl::string_view token) {
  absl::MutexLock lock(&mu_);
  if (!live_ || token != current_) return false;
  live_ = false;
  ++revocations_;
  return true;
}

void TokenAuthority::Revoke() {
  absl::MutexLock lock(&mu_);
  if (live_) ++revocations_;
  live_ = false;
}

int64_t TokenAuthority::revocations() const {
  absl::MutexLock lock(&mu_);
  return revocations_;
}

int64_t TokenAuthority::tokens_issued() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

}  // namespace perch::emulator
