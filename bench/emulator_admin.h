// Talks to a running perch-emulator over HTTP with libcurl: its admin
// endpoints (/_emulator/stats, reset, faults, rate_limits) and, for the
// baselines that call the upstream directly, /oauth2/token. Tokens are
// returned to the caller and never logged.
#ifndef PERCH_BENCH_EMULATOR_ADMIN_H_
#define PERCH_BENCH_EMULATOR_ADMIN_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace perch::bench {

// What GET /_emulator/stats says.
struct EmulatorStats {
  std::map<std::string, int64_t> requests;  // per path (v2: route pattern)
  int64_t tokens_issued = 0;
  int64_t revocations = 0;
};

class EmulatorAdmin {
 public:
  // `ca_file`: the CA to trust when the emulator serves HTTPS.
  explicit EmulatorAdmin(std::string base_url, std::string ca_file = "")
      : base_url_(std::move(base_url)), ca_file_(std::move(ca_file)) {}

  const std::string& base_url() const { return base_url_; }

  // Zeroes the request counters and rate-limit windows.
  absl::Status Reset();
  // Adds one fault rule (the JSON of admin_routes.h).
  absl::Status AddFault(absl::string_view rule_json);
  absl::Status ClearFaults();
  absl::Status SetRateLimit(absl::string_view path, int64_t limit);
  // Requests per path since the last Reset.
  absl::StatusOr<std::map<std::string, int64_t>> RequestCounts();
  absl::StatusOr<EmulatorStats> Stats();
  // Sets the fault schedule (the JSON of admin_routes.h); the emulator's
  // answer, {"phases":N,"start_unix_ms":T,"cycle_ms":C}.
  absl::StatusOr<std::string> SetSchedule(absl::string_view schedule_json);
  absl::Status ClearSchedule();
  // A bearer token for the app (POST /oauth2/token, client credentials).
  absl::StatusOr<std::string> ObtainToken(absl::string_view key,
                                          absl::string_view secret);
  // The user id of `screen_name` by v2's lookup, the request perch makes
  // once before it caches the answer (upstream_timeline.h).
  absl::StatusOr<std::string> LookUpUserId(absl::string_view bearer_token,
                                           absl::string_view screen_name);

 private:
  absl::StatusOr<std::string> Call(absl::string_view method,
                                   absl::string_view path,
                                   absl::string_view body,
                                   absl::string_view authorization);

  const std::string base_url_;
  const std::string ca_file_;
};

// 0 when the path was never requested.
int64_t CountOf(const std::map<std::string, int64_t>& counts,
                absl::string_view path);

}  // namespace perch::bench

#endif  // PERCH_BENCH_EMULATOR_ADMIN_H_
