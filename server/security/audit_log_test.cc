#include "server/security/audit_log.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"

namespace perch::security {
namespace {

TEST(AuditLog, OneLineOfJsonWithEveryField) {
  AuditEvent event;
  event.time = absl::FromUnixMillis(1700000000123);
  event.caller = "billing";
  event.credential = "api_key";
  event.peer = "ipv4:127.0.0.1:5000";
  event.method = "perch.v1.TokenService/Obtain";
  SetOutcome(absl::OkStatus(), event);
  event.token_fingerprint = "0123456789ab";
  EXPECT_EQ(FormatAuditLine(event),
            "AUDIT {\"time\":\"2023-11-14T22:13:20.123Z\",\"caller\":"
            "\"billing\",\"credential\":\"api_key\",\"peer\":\"ipv4:127.0.0.1:"
            "5000\",\"method\":\"perch.v1.TokenService/Obtain\",\"outcome\":"
            "\"OK\",\"reason\":\"\",\"token_fingerprint\":\"0123456789ab\"}");
}

TEST(AuditLog, OutcomeIsTheCodeNameAndTheReason) {
  AuditEvent event;
  SetOutcome(MakeError(absl::StatusCode::kPermissionDenied, "no",
                       "CALLER_NOT_PERMITTED", kPerchDomain),
             event);
  EXPECT_EQ(event.outcome, "PERMISSION_DENIED");
  EXPECT_EQ(event.reason, "CALLER_NOT_PERMITTED");
}

// A certificate name or peer string is attacker-chosen: it must not end the
// line, close the JSON string, or smuggle non-ASCII bytes.
TEST(AuditLog, HostileValuesStayInsideTheirString) {
  AuditEvent event;
  event.caller = "x\",\"outcome\":\"OK\"\nAUDIT {\\\x01\xff";
  event.peer = std::string(10000, 'p');
  const std::string line = FormatAuditLine(event);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(
      line.find(
          R"("caller":"x\",\"outcome\":\"OK\"\u000aAUDIT {\\\u0001\u00ff")"),
      std::string::npos)
      << line;
  for (char c : line) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << static_cast<int>(c);
  }
  EXPECT_LT(line.size(), 1000u);
}

// An operator reads an audit line with docs/security.md beside it: every
// value the credential field can take must be explained there.
TEST(AuditLog, EveryCredentialValueIsDocumented) {
  std::ifstream in(PERCH_SECURITY_DOC);
  ASSERT_TRUE(in) << "cannot read " << PERCH_SECURITY_DOC;
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const size_t section = doc.find("## The audit trail");
  ASSERT_NE(section, std::string::npos);
  const size_t end = doc.find("\n## ", section + 1);
  const std::string audit = doc.substr(section, end - section);
  const size_t sentence = audit.find("`credential`");
  ASSERT_NE(sentence, std::string::npos);
  const std::string explained =
      audit.substr(sentence, audit.find(". ", sentence) - sentence);
  for (absl::string_view value : kAuditCredentials) {
    EXPECT_TRUE(absl::StrContains(explained, absl::StrCat("`", value, "`")))
        << "docs/security.md does not list credential value " << value
        << " in: " << explained;
  }
}

}  // namespace
}  // namespace perch::security
