// Reads the consumer key and secret from mounted files (Kubernetes Secrets)
// or the environment. Errors say which credential is missing, never a value.
#ifndef PERCH_SERVER_AUTH_LOAD_APP_CREDENTIALS_H_
#define PERCH_SERVER_AUTH_LOAD_APP_CREDENTIALS_H_

#include <string>

#include "absl/status/statusor.h"
#include "server/auth/app_credentials.h"
#include "server/common/server_config.h"

namespace perch::auth {

// The file flag wins over PERCH_CONSUMER_KEY / PERCH_CONSUMER_SECRET.
// Trailing newlines (and \r) are stripped. Missing or empty →
// FAILED_PRECONDITION "missing consumer key: set --consumer_key_file or
// PERCH_CONSUMER_KEY".
absl::StatusOr<AppCredentials> LoadAppCredentials(const ServerConfig& config,
                                                  const EnvLookup& env);

}  // namespace perch::auth

#endif  // PERCH_SERVER_AUTH_LOAD_APP_CREDENTIALS_H_
