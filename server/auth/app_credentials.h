// The app's consumer key and secret, and the encodings the token endpoints
// require of them. Owns nothing else: loading them from files or the
// environment is server configuration's job.
#ifndef PERCH_SERVER_AUTH_APP_CREDENTIALS_H_
#define PERCH_SERVER_AUTH_APP_CREDENTIALS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace perch::auth {

struct AppCredentials {
  std::string consumer_key;
  std::string consumer_secret;
};

// "Basic " + Base64(PercentEncode(key) + ":" + PercentEncode(secret)), the
// key and secret percent-encoded first as the application-only auth guide
// asks (for today's keys that changes nothing, which is why it is tested).
// PercentEncode is server/common/percent_encoding.h.
std::string BasicAuthorization(const AppCredentials& credentials);

}  // namespace perch::auth

#endif  // PERCH_SERVER_AUTH_APP_CREDENTIALS_H_
