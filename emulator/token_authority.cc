#include "emulator/token_authority.h"

#include <algorithm>
#include <utility>

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

TokenAuthority::TokenAuthority(uint64_t seed, int apps) {
  for (int i = 0; i < std::max(apps, 1); ++i) {
    // Another app, another stream of tokens (SplitMix64's increment).
    App app;
    app.seed = seed + static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ULL;
    apps_.push_back(std::move(app));
  }
}

std::string TokenAuthority::IssueOrGet(int app) {
  absl::MutexLock lock(&mu_);
  App& a = apps_.at(app);
  if (!a.live) {
    std::string next = MakeToken(a.seed, a.generation++);
    // Different generations collide with negligible odds; make it never.
    while (next == a.current) next = MakeToken(a.seed, a.generation++);
    a.current = std::move(next);
    a.live = true;
  }
  return a.current;
}

bool TokenAuthority::IsCurrent(absl::string_view token) const {
  absl::MutexLock lock(&mu_);
  for (const App& a : apps_) {
    if (a.live && token == a.current) {
      ++a.uses;
      return true;
    }
  }
  return false;
}

bool TokenAuthority::InvalidateIfCurrent(absl::string_view token, int app) {
  absl::MutexLock lock(&mu_);
  App& a = apps_.at(app);
  if (!a.live || token != a.current) return false;
  a.live = false;
  ++revocations_;
  return true;
}

void TokenAuthority::Revoke() {
  absl::MutexLock lock(&mu_);
  for (App& a : apps_) {
    if (a.live) ++revocations_;
    a.live = false;
  }
}

int64_t TokenAuthority::revocations() const {
  absl::MutexLock lock(&mu_);
  return revocations_;
}

int64_t TokenAuthority::tokens_issued() const {
  absl::MutexLock lock(&mu_);
  int64_t total = 0;
  for (const App& a : apps_) total += a.generation;
  return total;
}

std::vector<TokenAuthority::AppStats> TokenAuthority::app_stats() const {
  absl::MutexLock lock(&mu_);
  std::vector<AppStats> stats;
  for (const App& a : apps_) stats.push_back({a.generation, a.uses});
  return stats;
}

}  // namespace perch::emulator
