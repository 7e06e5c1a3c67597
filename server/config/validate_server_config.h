// The one place perch-server's configuration is judged, whatever filled it
// (flags and environment in server/server_flags.cc, or a test): each value
// in its range, and what no single flag can say. Above common (which only
// holds the plain ServerConfig struct); only the wiring uses it.
#ifndef PERCH_SERVER_CONFIG_VALIDATE_SERVER_CONFIG_H_
#define PERCH_SERVER_CONFIG_VALIDATE_SERVER_CONFIG_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "server/common/server_config.h"

namespace perch {

// Each value on its own: durations not negative (intervals that drive a
// timer above zero), sizes and quotas in range, the dialect one perch
// speaks. INVALID_ARGUMENT "bad value for --<flag>[: expected ...]"; the
// value is never quoted (some flags name secret files).
absl::Status CheckServerConfigValues(const ServerConfig& config);

// CheckServerConfigValues, then what no single flag can: flags that need
// each other, that callers are authenticated unless --insecure_no_auth says
// otherwise, and that the upstream is https unless it is on loopback (the
// consumer secret must never cross a network in clear). INVALID_ARGUMENT
// with one line naming the flags.
absl::Status ValidateServerConfig(const ServerConfig& config);

// True for http(s)://HOST[:port][/...] whose HOST is loopback: "localhost",
// an IPv4 address in 127.0.0.0/8, or "[::1]". No name is resolved.
bool IsLoopbackUrl(absl::string_view url);

}  // namespace perch

#endif  // PERCH_SERVER_CONFIG_VALIDATE_SERVER_CONFIG_H_
