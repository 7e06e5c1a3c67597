// perch-emulator in-process: an imitation of the upstream's app-only auth,
// v1.1 reads (UPSTREAM.md §1-4, §6) and v2 reads (UPSTREAM-V2.md) over real
// HTTP(S) on loopback, with fault injection and the hooks tests need
// (counters, revoke, rate limits, the account's access level and state).
// Never linked into the server; tests and the perch-emulator binary use it.
#ifndef PERCH_EMULATOR_EMULATOR_H_
#define PERCH_EMULATOR_EMULATOR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "emulator/emulator_options.h"
#include "emulator/faults.h"
#include "emulator/request_log.h"
#include "server/common/clock.h"

namespace perch::emulator {

class EvhttpServer;
class Router;
class World;

// Every method is thread-safe and may be called while requests are served.
class Emulator {
 public:
  // Binds `options.listen_host:options.port` and starts serving on its own
  // event-loop thread. INVALID_ARGUMENT for a bad address or TLS file,
  // UNAVAILABLE when the port is taken.
  static absl::StatusOr<std::unique_ptr<Emulator>> Start(
      EmulatorOptions options);

  // Stops the loop, joins its thread and closes every connection.
  ~Emulator();

  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  int port() const;
  // "http://127.0.0.1:PORT", "https://[::1]:PORT", ... with no trailing '/'.
  std::string base_url() const;

  // Requests seen for `path` (no query, e.g. "/oauth2/token"), faulted or
  // not, since the start or the last ResetCounters. Admin requests excluded.
  // v2 requests count under their route pattern, with ":name" for each path
  // parameter: "/2/users/by/username/:username", "/2/users/:id/tweets".
  int64_t RequestCount(absl::string_view path) const;
  std::map<std::string, int64_t> RequestCounts() const;
  void ResetCounters();

  // The W3C traceparents requests carried, oldest first (the last
  // RequestLog::kKept; admin requests excluded): how a test sees that a
  // call's trace reached the upstream.
  std::vector<TracedRequest> ReceivedTraceparents() const;

  // Fault rules apply in the order added; see FaultRule.
  void AddFault(FaultRule rule);
  void ClearFaults();
  // Requests still waiting out a fault's latency get their answer now; later
  // ones wait as before. A test holds requests with a long latency and ends
  // it once it has seen what it waits for (no guessed duration).
  void EndLatenciesNow();

  // Invalidates the live token behind perch's back, as another replica's
  // invalidate_token would: reads with it get 401/89, the next token
  // request mints a new one.
  void RevokeCurrentToken();
  // How many distinct tokens have been minted.
  int64_t TokensIssued() const;

  // The synthetic world the reads serve, generated from `options.seed`;
  // immutable, so tests may query it at any time.
  const World& world() const { return *world_; }

  // What the developer account may read (account_status.h); takes effect
  // from the next request. ResetAccount returns to the options' values.
  void SetAccessLevel(AccessLevel level);
  void SetAccountState(AccountState state);
  void ResetAccount();

  // Overrides the 15-minute limit of a read path (v2: its route pattern) and
  // opens a fresh window.
  void SetRateLimit(absl::string_view path, int limit_per_window);
  // Closes every read path's window (overrides stay).
  void ResetRateLimits();

 private:
  Emulator() = default;

  EmulatorOptions options_;
  SystemClock system_clock_;
  std::shared_ptr<const World> world_;
  // Declared before server_ so that it outlives the loop that calls it.
  std::unique_ptr<Router> router_;
  std::unique_ptr<EvhttpServer> server_;
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_EMULATOR_H_
