#include "server/security/audit_log.h"

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

}  // namespace
}  // namespace perch::security
