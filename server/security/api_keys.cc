#include "server/security/api_keys.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fstream>
#include <iterator>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace perch::security {
namespace {

constexpr absl::string_view kMtlsPrefix = "mtls:";
constexpr absl::string_view kNoCallers = "!no-callers";
constexpr size_t kMaxNameLength = 64;
constexpr size_t kMaxIdentityLength = 1024;

absl::Status LineError(int line, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", problem));
}

bool IsValidName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

bool ParseHexDigest(absl::string_view hex, Sha256Digest* out) {
  if (hex.size() != 64) return false;
  for (char c : hex) {
    if (!absl::ascii_isxdigit(c)) return false;
  }
  for (size_t i = 0; i < out->size(); ++i) {
    int value = 0;
    for (int j = 0; j < 2; ++j) {
      const char c = absl::ascii_tolower(hex[2 * i + j]);
      value = value * 16 + (absl::ascii_isdigit(c) ? c - '0' : c - 'a' + 10);
    }
    (*out)[i] = static_cast<uint8_t>(value);
  }
  return true;
}

bool ParseRoles(absl::string_view text, RoleSet* out) {
  RoleSet roles;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    Role role;
    if (!ParseRole(part, &role)) return false;
    roles.Add(role);
  }
  *out = roles;
  return !roles.empty();
}

// Parses "rate=R" / "burst=B" into `entry`; false names the problem.
bool ParseOption(absl::string_view option, CallerEntry* entry,
                 std::string* problem) {
  double value = 0;
  if (absl::ConsumePrefix(&option, "rate=")) {
    if (!absl::SimpleAtod(option, &value) || !(value >= 0) || value > 1e9) {
      *problem = "rate= must be a number >= 0";
      return false;
    }
    entry->rate = value;
    return true;
  }
  if (absl::ConsumePrefix(&option, "burst=")) {
    if (!absl::SimpleAtod(option, &value) || !(value >= 1) || value > 1e9) {
      *problem = "burst= must be a number >= 1";
      return false;
    }
    entry->burst = value;
    return true;
  }
  *problem = "unknown option (expected rate=R or burst=B)";
  return false;
}

}  // namespace

Sha256Digest Sha256(absl::string_view data) {
  Sha256Digest digest;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         digest.data());
  return digest;
}

absl::StatusOr<ApiKeys> ApiKeys::Parse(absl::string_view text) {
  ApiKeys keys;
  // Quota overrides per name, to check that lines of one name agree.
  absl::flat_hash_map<std::string,
                      std::pair<std::optional<double>, std::optional<double>>>
      quotas;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    if (line == kNoCallers) {
      keys.admits_nobody_ = true;
      continue;
    }
    if (keys.admits_nobody_) {
      return LineError(line_number, "!no-callers must be the only line");
    }
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() < 3) {
      return LineError(line_number,
                       "expected NAME CREDENTIAL ROLES [rate=R] [burst=B]");
    }
    CallerEntry entry;
    if (!IsValidName(fields[0])) {
      // Not echoed: a misplaced key could sit in this column.
      return LineError(line_number, "NAME must be 1-64 of A-Z a-z 0-9 . _ -");
    }
    entry.name = std::string(fields[0]);
    if (!ParseRoles(fields[2], &entry.roles)) {
      return LineError(line_number,
                       "ROLES must be reader, admin or reader,admin");
    }
    for (size_t i = 3; i < fields.size(); ++i) {
      std::string problem;
      if (!ParseOption(fields[i], &entry, &problem)) {
        return LineError(line_number, problem);
      }
    }
    auto [quota, inserted] =
        quotas.try_emplace(entry.name, entry.rate, entry.burst);
    if (!inserted) {
      // Lines of one caller share one bucket, so they must size it alike.
      auto& [rate, burst] = quota->second;
      if ((entry.rate.has_value() && rate.has_value() &&
           *entry.rate != *rate) ||
          (entry.burst.has_value() && burst.has_value() &&
           *entry.burst != *burst)) {
        return LineError(line_number,
                         absl::StrCat("caller ", entry.name,
                                      " has a different rate= or burst= on an "
                                      "earlier line"));
      }
      if (!rate.has_value()) rate = entry.rate;
      if (!burst.has_value()) burst = entry.burst;
    }

    const absl::string_view credential = fields[1];
    const size_t index = keys.entries_.size();
    if (absl::StartsWith(credential, kMtlsPrefix)) {
      const absl::string_view identity = credential.substr(kMtlsPrefix.size());
      if (identity.empty() || identity.size() > kMaxIdentityLength) {
        return LineError(line_number, "mtls: needs an identity");
      }
      if (!keys.identities_.try_emplace(std::string(identity), index).second) {
        return LineError(line_number,
                         "this certificate identity is already registered");
      }
    } else {
      KeyEntry key{};
      if (!ParseHexDigest(credential, &key.digest)) {
        return LineError(line_number,
                         "CREDENTIAL must be the key's SHA-256 as 64 hex "
                         "digits, or mtls:IDENTITY (never the key itself)");
      }
      for (const KeyEntry& other : keys.keys_) {
        if (other.digest == key.digest) {
          return LineError(line_number, "this key hash is already registered");
        }
      }
      key.entry = index;
      keys.keys_.push_back(key);
    }
    keys.entries_.push_back(std::move(entry));
  }
  if (keys.admits_nobody_ && !keys.entries_.empty()) {
    return absl::InvalidArgumentError("!no-callers must be the only line");
  }
  if (!keys.admits_nobody_ && keys.entries_.empty()) {
    return absl::InvalidArgumentError(
        "names no caller; if nobody may call on purpose, say so with a line "
        "!no-callers");
  }
  // Every line of a name gets the quota any of its lines set.
  for (CallerEntry& entry : keys.entries_) {
    const auto& [rate, burst] = quotas.at(entry.name);
    entry.rate = rate;
    entry.burst = burst;
  }
  return keys;
}

absl::StatusOr<ApiKeys> ApiKeys::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the API keys file ", path));
  }
  std::string text;
  text.resize(kMaxFileBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "API keys file ", path, " is larger than ", kMaxFileBytes, " bytes"));
  }
  auto keys = Parse(text);
  if (!keys.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("API keys file ", path, " ", keys.status().message()));
  }
  return keys;
}

const CallerEntry* ApiKeys::FindByKey(absl::string_view key) const {
  const Sha256Digest digest = Sha256(key);
  const CallerEntry* found = nullptr;
  for (const KeyEntry& candidate : keys_) {
    // No early exit: every candidate costs the same, match or not.
    const bool equal = CRYPTO_memcmp(digest.data(), candidate.digest.data(),
                                     digest.size()) == 0;
    if (equal && found == nullptr) found = &entries_[candidate.entry];
  }
  return found;
}

const CallerEntry* ApiKeys::FindByIdentity(absl::string_view identity) const {
  auto it = identities_.find(identity);
  return it == identities_.end() ? nullptr : &entries_[it->second];
}

void ApiKeys::ResolveSeries(metrics::CallerMetrics& metrics) {
  for (CallerEntry& entry : entries_) {
    entry.series = &metrics.Caller(entry.name);
  }
}

}  // namespace perch::security
