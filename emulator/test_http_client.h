// A blocking libcurl client for tests against the emulator: one call, one
// fresh connection, everything about the answer captured (status, headers,
// body, CURLcode, elapsed time). Test-only; the server has its own transport.
#ifndef PERCH_EMULATOR_TEST_HTTP_CLIENT_H_
#define PERCH_EMULATOR_TEST_HTTP_CLIENT_H_

#include <curl/curl.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace perch::emulator::testing {

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"; "Name:" removes one
  std::string body;                  // sent for POST
  std::string ca_file;               // trust anchors for https URLs
  absl::Duration timeout = absl::Seconds(10);
};

struct HttpResult {
  CURLcode curl_code = CURLE_OK;
  long status = 0;  // NOLINT(runtime/int): libcurl's type
  std::vector<std::pair<std::string, std::string>> headers;  // names lowered
  std::string body;
  absl::Duration elapsed;

  // The first header called `name` (lower-case), or "" when absent.
  std::string Header(absl::string_view name) const;
};

HttpResult Fetch(const HttpCall& call);

// RFC 3986 percent-encoding (unreserved characters kept, every other byte
// %XX in upper-case hex): what UPSTREAM.md §1 applies to key and secret and
// what form bodies use.
std::string PercentEncode(absl::string_view in);

// "Basic " + base64(percent-encoded key ":" percent-encoded secret), as
// UPSTREAM.md §1 builds it.
std::string BasicAuthorization(absl::string_view key, absl::string_view secret);

// The string member `key` of the JSON object `json`, or "" if missing or
// `json` is not a valid object.
std::string JsonStringMember(absl::string_view json, absl::string_view key);

// True if `json` is one complete, valid JSON document.
bool IsValidJson(absl::string_view json);

}  // namespace perch::emulator::testing

#endif  // PERCH_EMULATOR_TEST_HTTP_CLIENT_H_
