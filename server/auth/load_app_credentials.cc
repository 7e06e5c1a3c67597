#include "server/auth/load_app_credentials.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace perch::auth {
namespace {

absl::StatusOr<std::string> LoadOne(absl::string_view what,
                                    const std::string& file,
                                    absl::string_view file_flag,
                                    const std::string& env_name,
                                    const EnvLookup& env) {
  std::string value;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read ", what, " file given by --", file_flag));
    }
    std::stringstream content;
    content << in.rdbuf();
    value = content.str();
  } else if (auto v = env(env_name); v.has_value()) {
    value = *v;
  }
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
    value.pop_back();
  }
  if (value.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "missing ", what, ": set --", file_flag, " or ", env_name));
  }
  return value;
}

}  // namespace

absl::StatusOr<AppCredentials> LoadAppCredentials(const ServerConfig& config,
                                                  const EnvLookup& env) {
  auto key = LoadOne("consumer key", config.consumer_key_file,
                     "consumer_key_file", "PERCH_CONSUMER_KEY", env);
  if (!key.ok()) return key.status();
  auto secret = LoadOne("consumer secret", config.consumer_secret_file,
                        "consumer_secret_file", "PERCH_CONSUMER_SECRET", env);
  if (!secret.ok()) return secret.status();
  return AppCredentials{*std::move(key), *std::move(secret)};
}

}  // namespace perch::auth
