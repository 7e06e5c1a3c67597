#include "server/security/api_keys.h"

#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace perch::security {
namespace {

using ::perch::testing::StatusIs;

std::string HexSha256(absl::string_view key) {
  const Sha256Digest d = Sha256(key);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

TEST(ApiKeys, FindsCallersByKeyAndByCertificateIdentity) {
  auto keys = ApiKeys::Parse(
      absl::StrCat("# callers\n"
                   "\n"
                   "billing  ",
                   HexSha256("billing-key"), "  reader\n", "ops\t",
                   HexSha256("ops-key"), "\tadmin rate=2 burst=5\n",
                   "billing mtls:spiffe://perch.test/billing reader\n"));
  ASSERT_TRUE(keys.ok()) << keys.status();
  const CallerEntry* billing = keys->FindByKey("billing-key");
  ASSERT_NE(billing, nullptr);
  EXPECT_EQ(billing->name, "billing");
  EXPECT_EQ(billing->roles, RoleSet{Role::kReader});
  EXPECT_FALSE(billing->rate.has_value());
  const CallerEntry* ops = keys->FindByKey("ops-key");
  ASSERT_NE(ops, nullptr);
  EXPECT_EQ(ops->roles, RoleSet{Role::kAdmin});
  EXPECT_EQ(ops->rate, 2.0);
  EXPECT_EQ(ops->burst, 5.0);
  const CallerEntry* cert = keys->FindByIdentity("spiffe://perch.test/billing");
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(cert->name, "billing");
  EXPECT_EQ(keys->key_count(), 2u);
  EXPECT_EQ(keys->identity_count(), 1u);
}

TEST(ApiKeys, UnknownKeysAndIdentitiesFindNothing) {
  auto keys = ApiKeys::Parse(absl::StrCat("a ", HexSha256("k"), " reader\n"));
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->FindByKey("K"), nullptr);
  EXPECT_EQ(keys->FindByKey(""), nullptr);
  EXPECT_EQ(keys->FindByKey(HexSha256("k")), nullptr);  // the hash is no key
  EXPECT_EQ(keys->FindByIdentity("a"), nullptr);
}

TEST(ApiKeys, UppercaseHexIsTheSameDigest) {
  std::string hex = HexSha256("k");
  for (char& c : hex) c = static_cast<char>(toupper(c));
  auto keys = ApiKeys::Parse(absl::StrCat("a ", hex, " reader,admin\n"));
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_NE(keys->FindByKey("k"), nullptr);
  EXPECT_EQ(keys->FindByKey("k")->roles,
            (RoleSet{Role::kReader, Role::kAdmin}));
}

TEST(ApiKeys, LinesOfOneNameShareTheQuotaAnyOfThemSets) {
  auto keys =
      ApiKeys::Parse(absl::StrCat("a ", HexSha256("old"), " reader\n", "a ",
                                  HexSha256("new"), " reader rate=3\n"));
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->FindByKey("old")->rate, 3.0);
  EXPECT_EQ(keys->FindByKey("new")->rate, 3.0);
}

// Each bad file is refused with the line number and the problem, and the
// message never holds what sat in the credential column (which, by mistake,
// could be a key).
TEST(ApiKeys, ErrorsNameTheLineNeverTheCredential) {
  const std::string secret = "s3cr3t-key-pasted-by-mistake";
  const std::string good = HexSha256("k");
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {absl::StrCat("a ", secret, " reader\n"), "line 1: CREDENTIAL must be"},
      {absl::StrCat("# c\na ", good, "\n"), "line 2: expected NAME"},
      {absl::StrCat("a ", good, " root\n"), "line 1: ROLES must be"},
      {absl::StrCat("a ", good, " reader,\n"), "line 1: ROLES must be"},
      {absl::StrCat(secret, "! ", good, " reader\n"), "line 1: NAME must be"},
      {absl::StrCat("a ", good, " reader rate=-1\n"), "line 1: rate="},
      {absl::StrCat("a ", good, " reader burst=0\n"), "line 1: burst="},
      {absl::StrCat("a ", good, " reader ", secret, "\n"),
       "line 1: unknown option"},
      {absl::StrCat("a ", good, " reader\nb ", good, " reader\n"),
       "line 2: this key hash is already registered"},
      {"a mtls:x reader\nb mtls:x admin\n",
       "line 2: this certificate identity is already registered"},
      {"a mtls: reader\n", "line 1: mtls: needs an identity"},
      {absl::StrCat("a ", good, " reader rate=1\na ", HexSha256("j"),
                    " reader rate=2\n"),
       "line 2: caller a has a different rate="},
  };
  for (const Case& c : cases) {
    auto keys = ApiKeys::Parse(c.text);
    ASSERT_FALSE(keys.ok()) << c.expected;
    EXPECT_THAT(keys.status(), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_TRUE(absl::StartsWith(keys.status().message(), c.expected))
        << keys.status().message();
    EXPECT_EQ(keys.status().message().find(secret), absl::string_view::npos)
        << "credential echoed for case " << c.expected;
  }
}

TEST(ApiKeys, AFileNamingNoCallerIsRefused) {
  for (const char* text : {"", "\n\n", "# nobody yet\n", "  \t\n# a\n"}) {
    auto keys = ApiKeys::Parse(text);
    ASSERT_FALSE(keys.ok()) << "accepted: '" << text << "'";
    EXPECT_THAT(keys.status(), StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_TRUE(absl::StrContains(keys.status().message(), "!no-callers"));
  }
}

TEST(ApiKeys, NoCallersSaysOnPurposeThatNobodyMayCall) {
  auto keys =
      ApiKeys::Parse("# revoked 2026-12-02, incident 42\n!no-callers\n");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_TRUE(keys->admits_nobody());
  EXPECT_EQ(keys->key_count(), 0u);
  EXPECT_EQ(keys->FindByKey("anything"), nullptr);
  EXPECT_EQ(keys->FindByIdentity("anything"), nullptr);
}

TEST(ApiKeys, NoCallersBesideACallerIsAnError) {
  const std::string caller = absl::StrCat("a ", HexSha256("k"), " reader\n");
  for (const std::string& text : {absl::StrCat("!no-callers\n", caller),
                                  absl::StrCat(caller, "!no-callers\n")}) {
    auto keys = ApiKeys::Parse(text);
    ASSERT_FALSE(keys.ok());
    EXPECT_TRUE(absl::StrContains(keys.status().message(),
                                  "!no-callers must be the only line"));
  }
}

TEST(ApiKeys, LoadNamesTheFileAndTheLine) {
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/api_keys_test_callers");
  {
    std::ofstream out(path, std::ios::trunc);
    out << "a " << HexSha256("k") << " reader\nb nonsense reader\n";
  }
  auto keys = ApiKeys::Load(path);
  ASSERT_FALSE(keys.ok());
  EXPECT_TRUE(absl::StrContains(keys.status().message(), path));
  EXPECT_TRUE(absl::StrContains(keys.status().message(), "line 2:"));
  auto missing = ApiKeys::Load(path + ".missing");
  EXPECT_FALSE(missing.ok());
  std::remove(path.c_str());
}

TEST(Roles, AdminMayCallEverythingReaderOnlyReads) {
  const RoleSet reader{Role::kReader};
  const RoleSet admin{Role::kAdmin};
  for (Method m : {Method::kGetTimeline, Method::kSearch, Method::kGetFollowers,
                   Method::kGetList}) {
    EXPECT_TRUE(Permits(reader, m)) << MethodName(m);
    EXPECT_TRUE(Permits(admin, m)) << MethodName(m);
  }
  for (Method m : {Method::kObtain, Method::kInvalidate}) {
    EXPECT_FALSE(Permits(reader, m)) << MethodName(m);
    EXPECT_TRUE(Permits(admin, m)) << MethodName(m);
    EXPECT_FALSE(Permits(RoleSet{}, m));
  }
  EXPECT_EQ(MethodName(Method::kInvalidate),
            "perch.v1.TokenService/Invalidate");
}

}  // namespace
}  // namespace perch::security
