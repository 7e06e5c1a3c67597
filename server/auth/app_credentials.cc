#include "server/auth/app_credentials.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/common/percent_encoding.h"

namespace perch::auth {

std::string BasicAuthorization(const AppCredentials& credentials) {
  return absl::StrCat(
      "Basic ", absl::Base64Escape(
                    absl::StrCat(PercentEncode(credentials.consumer_key), ":",
                                 PercentEncode(credentials.consumer_secret))));
}

}  // namespace perch::auth
