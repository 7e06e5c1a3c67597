// libFuzzer target for server/mapping: every public parser, v1.1 and v2,
// gets the same bytes, as an upstream body (or created_at text). The upstream
// is not trusted, so each parser must return, never crash, hang or read out of
// bounds, and every error must keep the documented contract: INTERNAL with
// ErrorInfo reason UPSTREAM_MALFORMED_RESPONSE (anything else aborts, so
// the fuzzer reports it). Built only with clang (-DPERCH_FUZZ=ON); run by
// scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "server/common/errors.h"
#include "server/mapping/created_at.h"
#include "server/mapping/error_json.h"
#include "server/mapping/list_json.h"
#include "server/mapping/page_json.h"
#include "server/mapping/token_json.h"
#include "server/mapping/tweet_json.h"
#include "server/mapping/user_json.h"
#include "server/mapping/v2_json.h"

namespace {

void CheckContract(const char* parser, const absl::Status& status) {
  if (status.ok()) return;
  if (status.code() != absl::StatusCode::kInternal ||
      perch::ErrorReason(status) != "UPSTREAM_MALFORMED_RESPONSE") {
    // The message is the parser's own (the contract says it never quotes
    // the body), safe to print.
    std::fprintf(stderr, "%s broke its error contract: %s\n", parser,
                 status.ToString().c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view body(reinterpret_cast<const char*>(data), size);
  namespace m = perch::mapping;
  CheckContract("ParseTweetArray", m::ParseTweetArray(body).status());
  CheckContract("ParseUser", m::ParseUser(body).status());
  CheckContract("ParseTwitterList", m::ParseTwitterList(body).status());
  CheckContract("ParseSearchPage", m::ParseSearchPage(body).status());
  CheckContract("ParseUserPage", m::ParseUserPage(body).status());
  CheckContract("ParseIdPage", m::ParseIdPage(body).status());
  CheckContract("ParseTokenGrant", m::ParseTokenGrant(body).status());
  CheckContract("ParseInvalidatedToken",
                m::ParseInvalidatedToken(body).status());
  CheckContract("ParseCreatedAt", m::ParseCreatedAt(body).status());
  CheckContract("v2::ParseTweetPage", m::v2::ParseTweetPage(body).status());
  CheckContract("v2::ParseUserPage", m::v2::ParseUserPage(body).status());
  CheckContract("v2::ParseUserLookup", m::v2::ParseUserLookup(body).status());
  CheckContract("v2::ParseListLookup", m::v2::ParseListLookup(body).status());
  CheckContract("v2::ParseListsPage", m::v2::ParseListsPage(body).status());
  // Pure string functions: any bytes in, no crash.
  (void)m::v2::ProblemName(body);
  (void)m::v2::Slugify(body);
  // Any body at all may come with an error status: answers or nullopt.
  (void)m::ParseUpstreamError(body);
  return 0;
}
