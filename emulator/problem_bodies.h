// The v2 dialect's error answers, byte for byte as UPSTREAM-V2.md §3 quotes
// them: RFC 7807 problems for whole-request failures (401, 400, 402, 403,
// 429) and the problems a 200 carries in errors[] next to (or instead of)
// data. Every v2 route builds its failures here; when each applies is the
// routes' business.
#ifndef PERCH_EMULATOR_PROBLEM_BODIES_H_
#define PERCH_EMULATOR_PROBLEM_BODIES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "emulator/http_message.h"
#include "emulator/json_writer.h"

namespace perch::emulator {

// A v2 JSON answer: "application/json; charset=utf-8", with the space
// before charset that v1.1 does not have.
Response V2JsonResponse(int status, std::string body);

// 401 about:blank (application/problem+json): bearer missing, unknown or
// revoked.
Response V2Unauthorized();
// 429 about:blank: the 15-minute window is spent.
Response V2TooManyRequests();
// 403 unsupported-authentication: a user-context-only endpoint (§3.6).
Response V2UnsupportedAuthentication();
// 403 client-forbidden, reason client-not-enrolled (§3.5).
Response V2ClientNotEnrolled();
// 402 CreditsDepleted (§3.7); `account_id` is 19 digits.
Response V2CreditsDepleted(absl::string_view account_id);
// 429 UsageCapExceeded, monthly product cap (§3.8).
Response V2UsageCapped(absl::string_view account_id);

// One rejected parameter of a 400 invalid-request (§3.4).
struct InvalidParameter {
  std::string name;
  std::string value;
  std::string message;
};
Response V2InvalidRequest(absl::Span<const InvalidParameter> problems);

// One problem inside a 200 (§3.2). Empty members are left out.
struct PartialError {
  std::string value;
  std::string detail;
  std::string title;
  std::string resource_type;  // user, tweet, list
  std::string parameter;
  std::string resource_id;
  std::string section;  // "data", "includes" or ""
  std::string type;     // the last path segment, e.g. "resource-not-found"
};

// "Could not find <resource_type> with <parameter>: [<value>]."
PartialError NotFoundError(absl::string_view resource_type,
                           absl::string_view parameter,
                           absl::string_view value);
// A suspended user: resource-not-found with title "Forbidden".
PartialError SuspendedError(absl::string_view parameter,
                            absl::string_view value);
// "Sorry, you are not authorized to see the <noun> with <parameter>: [..]."
PartialError NotAuthorizedError(absl::string_view resource_type,
                                absl::string_view parameter,
                                absl::string_view value,
                                absl::string_view section);

void WritePartialError(const PartialError& error, JsonWriter& out);

// 200 {"errors":[...]} with no data and no meta: the requested resource
// itself cannot be shown.
Response V2ErrorsOnly(absl::Span<const PartialError> errors);

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_PROBLEM_BODIES_H_
