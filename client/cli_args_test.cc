#include "client/cli_args.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace perch::client {
namespace {

using ::perch::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

absl::StatusOr<CliArgs> Parse(std::vector<std::string> args,
                              absl::string_view env = "") {
  return ParseArgs(args, env);
}

// Asserts a usage error whose message contains `text`.
void ExpectUsageError(std::vector<std::string> args, absl::string_view text) {
  absl::StatusOr<CliArgs> parsed = Parse(args);
  ASSERT_FALSE(parsed.ok()) << "parsed: " << ::testing::PrintToString(args);
  EXPECT_THAT(parsed.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(text));
}

TEST(CliArgs, HelpFlagsAndWordAnywhere) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--help"},
                                             {"-h"},
                                             {"help"},
                                             {"timeline", "--help"},
                                             {"search", "--bogus", "-h"}}) {
    absl::StatusOr<CliArgs> parsed = Parse(args);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->command, Command::kHelp);
  }
}

TEST(CliArgs, UsageTextListsCommandsAndExitCodes) {
  const std::string usage = UsageText();
  for (const char* word :
       {"timeline",     "search",           "followers",     "list",
        "token obtain", "token invalidate", "health",        "--server",
        "--timeout",    "--json",           "--page_size",   "--page_token",
        "--all",        "--api_key_file",   "PERCH_API_KEY", "--tls",
        "--ca_file",    "--cert_file",      "--key_file",    "Exit codes",
        "8  FAILED"}) {
    EXPECT_THAT(usage, HasSubstr(word));
  }
}

TEST(CliArgs, NoCommandOrUnknownCommandIsUsageError) {
  ExpectUsageError({}, "no command");
  ExpectUsageError({"--json"}, "no command");
  ExpectUsageError({"tweets", "@jack"}, "unknown command 'tweets'");
}

TEST(CliArgs, TimelineByScreenNameWithDefaults) {
  absl::StatusOr<CliArgs> parsed = Parse({"timeline", "@jack"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->command, Command::kTimeline);
  EXPECT_EQ(parsed->server, "localhost:50051");
  EXPECT_EQ(parsed->timeout, absl::Seconds(10));
  EXPECT_FALSE(parsed->json);
  EXPECT_FALSE(parsed->all);
  EXPECT_EQ(parsed->timeline.screen_name(), "jack");
  EXPECT_EQ(parsed->timeline.page_size(), 0);
  EXPECT_EQ(parsed->timeline.page_token(), "");
  EXPECT_FALSE(parsed->timeline.exclude_replies());
  EXPECT_FALSE(parsed->timeline.has_include_retweets());
}

TEST(CliArgs, UserFormsPickScreenNameOrId) {
  absl::StatusOr<CliArgs> parsed = Parse({"timeline", "12345"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->timeline.user_id(), "12345");
  EXPECT_EQ(parsed->timeline.user_case(),
            perch::v1::GetTimelineRequest::kUserId);

  parsed = Parse({"timeline", "jack_2"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->timeline.screen_name(), "jack_2");

  // '@' forces a screen name even when it is all digits.
  parsed = Parse({"timeline", "@123"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->timeline.screen_name(), "123");
}

TEST(CliArgs, TimelineFlagsFillTheRequest) {
  absl::StatusOr<CliArgs> parsed =
      Parse({"--server=perch:9000", "timeline", "@jack", "--exclude_replies",
             "--no_retweets", "--since_id=42", "--page_size", "50",
             "--page_token=tok", "--all", "--json", "--timeout=1500ms"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->server, "perch:9000");
  EXPECT_EQ(parsed->timeout, absl::Milliseconds(1500));
  EXPECT_TRUE(parsed->json);
  EXPECT_TRUE(parsed->all);
  EXPECT_TRUE(parsed->timeline.exclude_replies());
  ASSERT_TRUE(parsed->timeline.has_include_retweets());
  EXPECT_FALSE(parsed->timeline.include_retweets());
  EXPECT_EQ(parsed->timeline.since_id(), "42");
  EXPECT_EQ(parsed->timeline.page_size(), 50);
  EXPECT_EQ(parsed->timeline.page_token(), "tok");
}

TEST(CliArgs, ServerComesFromFlagThenEnvThenDefault) {
  absl::StatusOr<CliArgs> parsed = Parse({"health"}, "env-host:1");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->server, "env-host:1");
  parsed = Parse({"health", "--server", "flag-host:2"}, "env-host:1");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->server, "flag-host:2");
  ExpectUsageError({"health", "--server="}, "--server needs a value");
  ExpectUsageError({"health", "--server"}, "--server needs a value");
}

TEST(CliArgs, TimeoutForms) {
  absl::StatusOr<CliArgs> parsed = Parse({"health", "--timeout=3"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->timeout, absl::Seconds(3));
  parsed = Parse({"health", "--timeout=1m30s"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->timeout, absl::Seconds(90));
  ExpectUsageError({"health", "--timeout=soon"}, "--timeout");
  ExpectUsageError({"health", "--timeout=0s"}, "positive");
  ExpectUsageError({"health", "--timeout=-1s"}, "positive");
  ExpectUsageError({"health", "--timeout=inf"}, "finite");
}

TEST(CliArgs, TimelineBadInput) {
  ExpectUsageError({"timeline"}, "timeline needs a user");
  ExpectUsageError({"timeline", "@jack", "@jill"}, "unexpected argument");
  ExpectUsageError({"timeline", "@bad-name"}, "invalid screen name");
  ExpectUsageError({"timeline", "@sixteen_chars_xx"}, "invalid screen name");
  ExpectUsageError({"timeline", "not a user"}, "invalid user");
  ExpectUsageError({"timeline", "@jack", "--since_id=abc"},
                   "--since_id must be a numeric id");
  ExpectUsageError({"timeline", "@jack", "--page_size=0"}, "--page_size");
  ExpectUsageError({"timeline", "@jack", "--page_size=-5"}, "--page_size");
  ExpectUsageError({"timeline", "@jack", "--page_size=ten"}, "--page_size");
  ExpectUsageError({"timeline", "@jack", "--ids"},
                   "timeline does not take --ids");
  ExpectUsageError({"timeline", "@jack", "--nope"}, "unknown flag '--nope'");
  ExpectUsageError({"timeline", "@jack", "-x"}, "unknown flag '-x'");
  ExpectUsageError({"timeline", "@jack", "--json=maybe"}, "--json");
}

TEST(CliArgs, BooleanFlagsTakeTrueOrFalse) {
  absl::StatusOr<CliArgs> parsed =
      Parse({"timeline", "@jack", "--json=false", "--exclude_replies=true"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->json);
  EXPECT_TRUE(parsed->timeline.exclude_replies());
}

TEST(CliArgs, SearchWithAllFilters) {
  absl::StatusOr<CliArgs> parsed =
      Parse({"search", "hello world", "--result_type=recent", "--lang=en",
             "--until=2024-02-29", "--since_id=7", "--page_size=100"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->command, Command::kSearch);
  EXPECT_EQ(parsed->search.query(), "hello world");
  EXPECT_EQ(parsed->search.result_type(),
            perch::v1::SearchRequest::RESULT_TYPE_RECENT);
  EXPECT_EQ(parsed->search.lang(), "en");
  EXPECT_EQ(parsed->search.until(), "2024-02-29");
  EXPECT_EQ(parsed->search.since_id(), "7");
  EXPECT_EQ(parsed->search.page_size(), 100);

  parsed = Parse({"search", "x", "--result_type", "popular"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->search.result_type(),
            perch::v1::SearchRequest::RESULT_TYPE_POPULAR);
  parsed = Parse({"search", "x", "--result_type=mixed"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->search.result_type(),
            perch::v1::SearchRequest::RESULT_TYPE_MIXED);
}

TEST(CliArgs, SearchQueryStartingWithDashNeedsDoubleDash) {
  ExpectUsageError({"search", "-filter:retweets"}, "put -- before");
  absl::StatusOr<CliArgs> parsed =
      Parse({"search", "--lang=en", "--", "-filter:retweets"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->search.query(), "-filter:retweets");
  EXPECT_EQ(parsed->search.lang(), "en");
}

TEST(CliArgs, SearchBadInput) {
  ExpectUsageError({"search"}, "search needs a query");
  ExpectUsageError({"search", ""}, "search needs a query");
  ExpectUsageError({"search", "hello", "world"}, "quote a multi-word query");
  ExpectUsageError({"search", "x", "--result_type=best"}, "--result_type");
  ExpectUsageError({"search", "x", "--until=2023-02-29"}, "--until");
  ExpectUsageError({"search", "x", "--until=2024-13-01"}, "--until");
  ExpectUsageError({"search", "x", "--until=2024-1-01"}, "--until");
  ExpectUsageError({"search", "x", "--lang="}, "--lang needs a value");
  ExpectUsageError({"search", "x", "--exclude_replies"},
                   "search does not take --exclude_replies");
}

TEST(CliArgs, Followers) {
  absl::StatusOr<CliArgs> parsed = Parse({"followers", "@jack", "--ids"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->command, Command::kFollowers);
  EXPECT_EQ(parsed->followers.screen_name(), "jack");
  EXPECT_TRUE(parsed->followers.ids_only());

  parsed = Parse({"followers", "12", "--page_size=5000", "--all"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->followers.user_id(), "12");
  EXPECT_FALSE(parsed->followers.ids_only());
  EXPECT_EQ(parsed->followers.page_size(), 5000);
  EXPECT_TRUE(parsed->all);

  ExpectUsageError({"followers"}, "followers needs a user");
  ExpectUsageError({"followers", "@jack", "--members"},
                   "followers does not take --members");
}

TEST(CliArgs, ListByIdOrSlug) {
  absl::StatusOr<CliArgs> parsed = Parse({"list", "84839422"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->command, Command::kList);
  EXPECT_EQ(parsed->list.list_id(), "84839422");
  EXPECT_EQ(parsed->list.view(), perch::v1::GetListRequest::VIEW_TWEETS);
  EXPECT_FALSE(parsed->list.has_include_retweets());

  parsed = Parse({"list", "@jack/friends-of-perch", "--members"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->list.slug().owner_screen_name(), "jack");
  EXPECT_EQ(parsed->list.slug().slug(), "friends-of-perch");
  EXPECT_EQ(parsed->list.view(), perch::v1::GetListRequest::VIEW_MEMBERS);

  parsed = Parse({"list", "jack/news", "--no_retweets"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->list.slug().owner_screen_name(), "jack");
  ASSERT_TRUE(parsed->list.has_include_retweets());
  EXPECT_FALSE(parsed->list.include_retweets());
}

TEST(CliArgs, ListBadInput) {
  ExpectUsageError({"list"}, "list needs a list id or owner/slug");
  ExpectUsageError({"list", "a/b/c"}, "invalid list");
  ExpectUsageError({"list", "/slug"}, "invalid list");
  ExpectUsageError({"list", "jack/"}, "invalid list");
  ExpectUsageError({"list", "bad-owner/slug"}, "invalid list");
  ExpectUsageError({"list", "news"}, "invalid list");
  ExpectUsageError({"list", "1", "--members", "--no_retweets"},
                   "--no_retweets applies");
}

TEST(CliArgs, TokenSubcommands) {
  absl::StatusOr<CliArgs> parsed = Parse({"token", "obtain"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->command, Command::kTokenObtain);
  parsed = Parse({"token", "invalidate", "--json"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->command, Command::kTokenInvalidate);
  EXPECT_TRUE(parsed->json);

  ExpectUsageError({"token"}, "obtain or invalidate");
  ExpectUsageError({"token", "refresh"}, "unknown token subcommand");
  ExpectUsageError({"token", "obtain", "now"}, "unexpected argument 'now'");
  ExpectUsageError({"token", "obtain", "--page_size=1"},
                   "token obtain does not take --page_size");
  ExpectUsageError({"token", "invalidate", "--all"},
                   "token invalidate does not take --all");
}

TEST(CliArgs, Health) {
  absl::StatusOr<CliArgs> parsed = Parse({"health"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->command, Command::kHealth);
  EXPECT_EQ(parsed->health.service(), "");
  parsed = Parse({"health", "perch.v1.ReadService"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->health.service(), "perch.v1.ReadService");

  ExpectUsageError({"health", "a", "b"}, "unexpected argument 'b'");
  ExpectUsageError({"health", "--page_token=x"},
                   "health does not take --page_token");
}

// A file under the test's temp dir holding `content`, removed at the end.
class TempFile {
 public:
  explicit TempFile(absl::string_view content) {
    std::string tmpl = absl::StrCat(::testing::TempDir(), "/cli_args_XXXXXX");
    const int fd = mkstemp(tmpl.data());
    EXPECT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

constexpr char kPemCert[] =
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
constexpr char kPemKey[] =
    "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

// Parses `args`, then loads what they name with $PERCH_API_KEY = `key_env`.
absl::StatusOr<ChannelSecurity> Load(std::vector<std::string> args,
                                     absl::string_view key_env = "") {
  absl::StatusOr<CliArgs> parsed = Parse(args);
  if (!parsed.ok()) return parsed.status();
  return LoadChannelSecurity(*parsed, key_env);
}

// Asserts a usage error from loading whose message contains `text` and
// not `secret`.
void ExpectLoadError(std::vector<std::string> args, absl::string_view text,
                     absl::string_view secret = "",
                     absl::string_view env = "") {
  absl::StatusOr<ChannelSecurity> loaded = Load(args, env);
  ASSERT_FALSE(loaded.ok()) << "loaded: " << ::testing::PrintToString(args);
  EXPECT_THAT(loaded.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  const std::string message(loaded.status().message());
  EXPECT_THAT(message, HasSubstr(text));
  if (!secret.empty()) {
    EXPECT_THAT(message, Not(HasSubstr(secret)));
  }
}

TEST(CliArgs, DefaultIsPlaintextWithoutApiKey) {
  absl::StatusOr<CliArgs> parsed = Parse({"timeline", "@jack"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->tls);
  EXPECT_EQ(parsed->ca_file, "");
  EXPECT_EQ(parsed->api_key_file, "");
  absl::StatusOr<ChannelSecurity> loaded = LoadChannelSecurity(*parsed, "");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_FALSE(loaded->tls);
  EXPECT_EQ(loaded->pem_root_certs, "");
  EXPECT_EQ(loaded->pem_cert_chain, "");
  EXPECT_EQ(loaded->api_key, "");
}

TEST(CliArgs, SecurityFlagsApplyToEveryCommand) {
  for (const auto& command :
       std::vector<std::vector<std::string>>{{"timeline", "@jack"},
                                             {"search", "q"},
                                             {"followers", "@jack"},
                                             {"list", "1"},
                                             {"token", "obtain"},
                                             {"token", "invalidate"},
                                             {"health"}}) {
    std::vector<std::string> args = command;
    args.insert(args.end(), {"--tls", "--ca_file=ca.pem", "--cert_file=c.pem",
                             "--key_file=c.key", "--api_key_file=key"});
    absl::StatusOr<CliArgs> parsed = Parse(args);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_TRUE(parsed->tls);
    EXPECT_EQ(parsed->ca_file, "ca.pem");
    EXPECT_EQ(parsed->cert_file, "c.pem");
    EXPECT_EQ(parsed->key_file, "c.key");
    EXPECT_EQ(parsed->api_key_file, "key");
  }
}

TEST(CliArgs, TlsFlagOrTlsFilesTurnTlsOn) {
  absl::StatusOr<CliArgs> parsed = Parse({"health", "--tls"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->tls);
  parsed = Parse({"health", "--tls=false"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->tls);
  parsed = Parse({"health", "--ca_file", "ca.pem"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->tls);
  parsed = Parse({"health", "--cert_file=c.pem", "--key_file=c.key"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->tls);
  EXPECT_EQ(parsed->ca_file, "");
  // An API key alone does not choose TLS (perch may sit behind a mesh).
  parsed = Parse({"health", "--api_key_file=key"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->tls);

  ExpectUsageError({"health", "--tls=false", "--ca_file=ca.pem"},
                   "contradicts");
  ExpectUsageError({"health", "--tls=yes"}, "--tls takes no value");
}

TEST(CliArgs, ClientCertificateAndKeyComeTogether) {
  ExpectUsageError({"health", "--cert_file=c.pem"},
                   "--cert_file needs --key_file");
  ExpectUsageError({"health", "--tls", "--key_file=c.key"},
                   "--key_file needs --cert_file");
}

TEST(CliArgs, SecurityFileFlagsNeedValues) {
  for (const char* flag :
       {"--api_key_file", "--ca_file", "--cert_file", "--key_file"}) {
    ExpectUsageError({"health", absl::StrCat(flag, "=")},
                     absl::StrCat(flag, " needs a value"));
    ExpectUsageError({"health", flag}, absl::StrCat(flag, " needs a value"));
  }
  // No flag takes the key itself: it would show in `ps` and shell history.
  ExpectUsageError({"health", "--api_key=abc"}, "unknown flag '--api_key'");
}

TEST(CliArgs, ApiKeyFileTrailingNewlineIsTrimmed) {
  for (const char* content : {"k3y-Secret_1", "k3y-Secret_1\n",
                              "k3y-Secret_1\r\n", "k3y-Secret_1 \n\n"}) {
    TempFile file(content);
    absl::StatusOr<ChannelSecurity> loaded =
        Load({"health", absl::StrCat("--api_key_file=", file.path())});
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_EQ(loaded->api_key, "k3y-Secret_1");
  }
}

TEST(CliArgs, ApiKeyFileWinsOverEnvironment) {
  TempFile file("from-file\n");
  absl::StatusOr<ChannelSecurity> loaded = Load(
      {"health", absl::StrCat("--api_key_file=", file.path())}, "from-env");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->api_key, "from-file");

  loaded = Load({"health"}, "from-env\n");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->api_key, "from-env");
}

TEST(CliArgs, UnreadableFilesAreUsageErrors) {
  const std::string missing =
      absl::StrCat(::testing::TempDir(), "/cli_args_no_such_file");
  for (const char* flag : {"--api_key_file", "--ca_file"}) {
    ExpectLoadError({"health", absl::StrCat(flag, "=", missing)},
                    absl::StrCat(flag, ": no such file"));
  }
  ExpectLoadError({"health", "--cert_file", missing, "--key_file", missing},
                  "--cert_file: no such file");
  TempFile cert(kPemCert);
  ExpectLoadError({"health", "--cert_file", cert.path(), "--key_file", missing},
                  "--key_file: no such file");
  // A directory opens but cannot be read.
  ExpectLoadError(
      {"health", absl::StrCat("--api_key_file=", ::testing::TempDir())},
      "--api_key_file: cannot read");
}

// A key pasted where its file's path belongs must not be printed back.
TEST(CliArgs, MissingKeyFileIsNotEchoed) {
  const std::string pasted = "canaryPASTEDKEYe81f07";
  ExpectLoadError({"health", "--api_key_file=" + pasted},
                  "--api_key_file: no such file", pasted);
}

TEST(CliArgs, ApiKeyMustBeOneTokenAndIsNeverQuoted) {
  TempFile empty("\n");
  ExpectLoadError({"health", absl::StrCat("--api_key_file=", empty.path())},
                  "holds no API key");
  TempFile two_words("s3cret words\n");
  ExpectLoadError({"health", absl::StrCat("--api_key_file=", two_words.path())},
                  "must hold one API key", "s3cret");
  TempFile two_lines("s3cretA\ns3cretB\n");
  ExpectLoadError({"health", absl::StrCat("--api_key_file=", two_lines.path())},
                  "must hold one API key", "s3cret");
  TempFile binary(std::string("s3cret\x01\xff", 8));
  ExpectLoadError({"health", absl::StrCat("--api_key_file=", binary.path())},
                  "must hold one API key", "s3cret");
  ExpectLoadError({"health"}, "$PERCH_API_KEY must hold one API key", "s3cret",
                  "s3cret words");
  ExpectLoadError({"health"}, "$PERCH_API_KEY holds no API key", "", " \n");
}

TEST(CliArgs, TlsFilesAreReadAndMustHoldPem) {
  TempFile ca(kPemCert);
  TempFile cert(kPemCert);
  TempFile key(kPemKey);
  absl::StatusOr<ChannelSecurity> loaded =
      Load({"health", absl::StrCat("--ca_file=", ca.path()),
            absl::StrCat("--cert_file=", cert.path()),
            absl::StrCat("--key_file=", key.path())});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(loaded->tls);
  EXPECT_EQ(loaded->pem_root_certs, kPemCert);
  EXPECT_EQ(loaded->pem_cert_chain, kPemCert);
  EXPECT_EQ(loaded->pem_private_key, kPemKey);

  // --tls alone: the system roots (empty root PEM tells gRPC so).
  loaded = Load({"health", "--tls"});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(loaded->tls);
  EXPECT_EQ(loaded->pem_root_certs, "");

  TempFile junk("not-a-pem-s3cret\n");
  ExpectLoadError({"health", absl::StrCat("--ca_file=", junk.path())},
                  "--ca_file: '" + junk.path() + "' holds no PEM certificate",
                  "s3cret");
  ExpectLoadError({"health", absl::StrCat("--cert_file=", key.path()),
                   absl::StrCat("--key_file=", key.path())},
                  "--cert_file: '" + key.path() + "' holds no PEM certificate");
  ExpectLoadError({"health", absl::StrCat("--cert_file=", cert.path()),
                   absl::StrCat("--key_file=", cert.path())},
                  "--key_file: '" + cert.path() + "' holds no PEM private key");
}

}  // namespace
}  // namespace perch::client
