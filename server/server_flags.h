// perch-server's command line: its flags (ABSL_FLAG, defined in
// server_flags.cc beside main.cc) and their PERCH_<FLAG> environment
// fallback, read into a ServerConfig. Ranges are judged by
// server/config/validate_server_config.h.
#ifndef PERCH_SERVER_SERVER_FLAGS_H_
#define PERCH_SERVER_SERVER_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/common/server_config.h"

namespace perch {

// Reads `args` (args[0] is the program): `--name=value`, `--name value`,
// `--flag`. A flag not given falls back to PERCH_<NAME> from `env`, then to
// its default. Unknown flags and bad values (CheckServerConfigValues) are
// INVALID_ARGUMENT naming the flag, never quoting the value. Sets the
// process's Abseil flags, so it is not for concurrent use.
absl::StatusOr<ServerConfig> ParseServerConfig(
    const std::vector<std::string>& args, const EnvLookup& env);

// The --help text, generated from the flag definitions.
std::string ServerUsage();

}  // namespace perch

#endif  // PERCH_SERVER_SERVER_FLAGS_H_
