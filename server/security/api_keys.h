// The callers file (--api_keys_file): who may call perch, by API key or by
// client-certificate identity, with which roles and quota. Parsing and
// lookup only; reloading is reloading_api_keys.h, enforcement caller_gate.h.
// The file never holds a key, only its SHA-256, and nothing here logs or
// echoes a credential field.
//
// Format: one caller credential per line, fields separated by blanks;
// '#' starts a comment line; blank lines are ignored.
//
//   NAME  CREDENTIAL  ROLES  [rate=R] [burst=B]
//
//   NAME        [A-Za-z0-9._-]{1,64}: the caller's identity in audit lines,
//               errors and quotas. A name may appear on several lines (a key
//               being rotated, a key and a certificate); they share one quota.
//   CREDENTIAL  64 hex digits: the SHA-256 of the API key the caller sends
//               as "authorization: Bearer <key>"; or mtls:IDENTITY: a URI or
//               DNS subject alternative name, or the common name, of a client
//               certificate signed by --client_ca_file.
//   ROLES       reader | admin | reader,admin (admin may do what reader may).
//   rate=R      tokens per second of this caller's quota (overrides
//               --caller_rate; 0 means unlimited).
//   burst=B     bucket size of this caller's quota (overrides --caller_burst).
//
// A file with no caller line is refused, like a file that does not parse
// (an emptied Secret must not lock every caller out unnoticed), unless its
// only line besides comments is the directive
//
//   !no-callers
//
// which admits nobody, on purpose.
#ifndef PERCH_SERVER_SECURITY_API_KEYS_H_
#define PERCH_SERVER_SECURITY_API_KEYS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/metrics/perch_metrics.h"
#include "server/security/roles.h"

namespace perch::security {

// One line of the file, minus its credential.
struct CallerEntry {
  std::string name;
  RoleSet roles;
  // Quota overrides; unset means the server-wide default.
  std::optional<double> rate;
  std::optional<double> burst;
  // perch_caller_* of `name`, resolved when the file loads so the gate
  // records without a lookup; null when metrics are off. Not owned.
  metrics::CallerSeries* series = nullptr;
};

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(absl::string_view data);

// An immutable, parsed callers file. Thread-safe (const).
class ApiKeys {
 public:
  // The file is capped so a wrong path (a device, a log) cannot stall start.
  static constexpr size_t kMaxFileBytes = 1 << 20;

  // INVALID_ARGUMENT "line N: ..." for the first bad line. Messages name
  // the line and the problem, never a credential field's content.
  static absl::StatusOr<ApiKeys> Parse(absl::string_view text);
  // Reads `path` and parses it; errors say which file.
  static absl::StatusOr<ApiKeys> Load(const std::string& path);

  // The entry whose key hashes to the digest of `key`, or nullptr. Every
  // entry is compared, each with CRYPTO_memcmp, so the time taken does not
  // depend on which entry (if any) matches or how much of it does.
  const CallerEntry* FindByKey(absl::string_view key) const;

  // The entry registered as mtls:`identity`, or nullptr. Identities are
  // public (they are in the certificate), so an ordinary lookup.
  const CallerEntry* FindByIdentity(absl::string_view identity) const;

  // Points every entry at its name's series in `metrics` (made there on
  // first ask). Before the keys are shared: it is not thread-safe.
  void ResolveSeries(metrics::CallerMetrics& metrics);

  // The file said !no-callers.
  bool admits_nobody() const { return admits_nobody_; }
  size_t key_count() const { return keys_.size(); }
  size_t identity_count() const { return identities_.size(); }

 private:
  struct KeyEntry {
    Sha256Digest digest;
    size_t entry;  // index into entries_
  };

  bool admits_nobody_ = false;
  std::vector<CallerEntry> entries_;
  std::vector<KeyEntry> keys_;
  absl::flat_hash_map<std::string, size_t> identities_;
};

}  // namespace perch::security

#endif  // PERCH_SERVER_SECURITY_API_KEYS_H_
