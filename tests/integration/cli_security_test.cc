// The `perch` CLI binary run as a process against perch-server processes on
// loopback: one that requires API keys (plaintext), one that serves TLS and
// accepts client certificates. Checks that --api_key_file / $PERCH_API_KEY
// authenticate every call, that --ca_file / --cert_file / --key_file make
// the handshake succeed where plaintext, the system roots or another CA
// fail, the exit codes of each outcome, and that the key is never printed.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "emulator/emulator.h"
#include "gtest/gtest.h"
#include "tests/integration/security_test_util.h"
#include "tests/integration/server_process.h"
#include "tests/integration/test_certs.h"
#include "tests/testing/child_process.h"

namespace perch::testing {
namespace {

constexpr char kConsumerKey[] = "cliConsumerKey";
constexpr char kConsumerSecret[] = "cliConsumerSecret";
// Canaries: neither may appear in anything the CLI prints.
constexpr char kReaderKey[] = "canaryCLIREADERKEY7e41c2";
constexpr char kUnknownKey[] = "canaryCLIUNKNOWNKEY93b0d5";

// Exit codes of client/exit_codes.h, as scripts see them.
constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
constexpr int kExitDenied = 4;
constexpr int kExitUnavailable = 6;

struct CliResult {
  int exit_code = -1;  // -1: killed (by a signal, or for running too long)
  std::string output;  // stdout and stderr, interleaved
};

// Runs PERCH_CLI_BINARY with `args` and exactly the environment `env`, and
// kills it if it has not exited within `limit`.
CliResult RunCli(std::vector<std::string> args, std::vector<std::string> env,
                 absl::Duration limit = absl::Seconds(30)) {
  CliResult result;
  std::vector<std::string> argv = args;
  argv.insert(argv.begin(), PERCH_CLI_BINARY);
  absl::StatusOr<std::unique_ptr<ChildProcess>> cli = ChildProcess::Spawn(
      {.argv = std::move(argv), .env = std::move(env), .inherit_env = false});
  EXPECT_TRUE(cli.ok()) << cli.status();
  if (!cli.ok()) return result;
  absl::StatusOr<int> code = (*cli)->Wait(limit);
  if (!code.ok()) {
    ADD_FAILURE() << "perch " << absl::StrJoin(args, " ") << " ran longer than "
                  << limit;
    (*cli)->Stop(absl::ZeroDuration());
  } else if (*code < 128) {
    result.exit_code = *code;
  }
  result.output = (*cli)->Output();
  return result;
}

// A perch-server process reading through an in-process emulator.
class Perch {
 public:
  explicit Perch(std::vector<std::string> flags) {
    auto emulator = emulator::Emulator::Start([] {
      emulator::EmulatorOptions options;
      options.app_key = kConsumerKey;
      options.app_secret = kConsumerSecret;
      return options;
    }());
    EXPECT_TRUE(emulator.ok()) << emulator.status();
    if (!emulator.ok()) return;
    emulator_ = *std::move(emulator);
    flags.insert(flags.begin(), "--listen=127.0.0.1:0");
    server_ = std::make_unique<ServerProcess>(
        flags, ServerEnv(kConsumerKey, kConsumerSecret, emulator_->base_url()));
    port_ = server_->WaitForPort(absl::Seconds(20));
    EXPECT_GT(port_, 0) << server_->Output();
  }

  bool ok() const { return port_ > 0; }
  // The flag that points the CLI at this server, by address: the test
  // certificate names 127.0.0.1.
  std::string ServerFlag() const {
    return absl::StrCat("--server=127.0.0.1:", port_);
  }

 private:
  std::unique_ptr<emulator::Emulator> emulator_;
  std::unique_ptr<ServerProcess> server_;
  int port_ = 0;
};

// Fails the test if `result` printed either canary key.
void ExpectNoKey(const CliResult& result) {
  EXPECT_FALSE(absl::StrContains(result.output, kReaderKey))
      << "the CLI printed the API key";
  EXPECT_FALSE(absl::StrContains(result.output, kUnknownKey))
      << "the CLI printed the API key";
}

TEST(CliSecurity, ApiKeyFromFileOrEnvironmentAuthenticatesEveryCall) {
  TempDir dir;
  dir.Write("callers", CallerLine("reports", kReaderKey, "reader"));
  dir.Write("reader.key", absl::StrCat(kReaderKey, "\n"));
  dir.Write("unknown.key", absl::StrCat(kUnknownKey, "\n"));
  Perch perch({absl::StrCat("--api_keys_file=", dir.File("callers"))});
  ASSERT_TRUE(perch.ok());
  const std::string server = perch.ServerFlag();
  const std::vector<std::string> timeline = {
      server, "--timeout=10s", "timeline", "@perch_dev", "--page_size=2"};
  auto with = [](std::vector<std::string> args, std::string flag) {
    args.push_back(std::move(flag));
    return args;
  };

  // Health is open to everyone; reads are not.
  CliResult r = RunCli({server, "--timeout=10s", "health"}, {});
  EXPECT_EQ(r.exit_code, kExitOk) << r.output;
  EXPECT_TRUE(absl::StrContains(r.output, "SERVING")) << r.output;

  r = RunCli(timeline, {});
  EXPECT_EQ(r.exit_code, kExitDenied) << r.output;
  EXPECT_TRUE(absl::StrContains(r.output, "UNAUTHENTICATED")) << r.output;

  r = RunCli(with(timeline, "--api_key_file=" + dir.File("reader.key")), {});
  EXPECT_EQ(r.exit_code, kExitOk) << r.output;
  EXPECT_TRUE(absl::StrContains(r.output, "@perch_dev")) << r.output;
  ExpectNoKey(r);

  r = RunCli(timeline, {absl::StrCat("PERCH_API_KEY=", kReaderKey)});
  EXPECT_EQ(r.exit_code, kExitOk) << r.output;
  EXPECT_TRUE(absl::StrContains(r.output, "@perch_dev")) << r.output;
  ExpectNoKey(r);

  // The file wins over the environment.
  r = RunCli(with(timeline, "--api_key_file=" + dir.File("unknown.key")),
             {absl::StrCat("PERCH_API_KEY=", kReaderKey)});
  EXPECT_EQ(r.exit_code, kExitDenied) << "output withheld (key canaries)";
  ExpectNoKey(r);

  // Failures with a key: unknown, and known without the role. The server's
  // answer is printed; the key is not.
  r = RunCli(with(timeline, "--api_key_file=" + dir.File("unknown.key")), {});
  EXPECT_EQ(r.exit_code, kExitDenied) << "output withheld (key canaries)";
  EXPECT_TRUE(absl::StrContains(r.output, "UNAUTHENTICATED"));
  ExpectNoKey(r);
  r = RunCli({server, "--timeout=10s", "token", "obtain",
              "--api_key_file=" + dir.File("reader.key")},
             {});
  EXPECT_EQ(r.exit_code, kExitDenied) << "output withheld (key canaries)";
  EXPECT_TRUE(absl::StrContains(r.output, "PERMISSION_DENIED"));
  ExpectNoKey(r);

  // A key that cannot be sent is a usage error, before any call.
  dir.Write("two_lines.key", absl::StrCat(kReaderKey, "\n", kUnknownKey, "\n"));
  r = RunCli(with(timeline, "--api_key_file=" + dir.File("two_lines.key")), {});
  EXPECT_EQ(r.exit_code, kExitUsage) << "output withheld (key canaries)";
  ExpectNoKey(r);
  r = RunCli(with(timeline, "--api_key_file=" + dir.File("missing.key")), {});
  EXPECT_EQ(r.exit_code, kExitUsage) << r.output;
  EXPECT_TRUE(absl::StrContains(r.output, "no such file")) << r.output;
}

TEST(CliSecurity, TlsNeedsTheServersCaAndAClientCertificateIdentifies) {
  TempDir dir;
  dir.Write("callers", absl::StrCat(CallerLine("reports", kReaderKey, "reader"),
                                    "cron mtls:cron-caller reader\n"));
  dir.Write("reader.key", absl::StrCat(kReaderKey, "\n"));
  Perch perch({absl::StrCat("--tls_cert_file=", TestCert("server.pem")),
               absl::StrCat("--tls_key_file=", TestCert("server.key")),
               absl::StrCat("--client_ca_file=", TestCert("ca.pem")),
               absl::StrCat("--api_keys_file=", dir.File("callers"))});
  ASSERT_TRUE(perch.ok());
  const std::string server = perch.ServerFlag();
  const std::string ca = "--ca_file=" + TestCert("ca.pem");
  const std::string key = "--api_key_file=" + dir.File("reader.key");

  CliResult r = RunCli({server, "--timeout=10s", ca, "health"}, {});
  EXPECT_EQ(r.exit_code, kExitOk) << r.output;
  EXPECT_TRUE(absl::StrContains(r.output, "SERVING")) << r.output;

  // Without the test CA the handshake fails: plaintext, the system roots,
  // another CA.
  for (const std::vector<std::string>& trust :
       std::vector<std::vector<std::string>>{
           {}, {"--tls"}, {"--ca_file=" + TestCert("other_ca.pem")}}) {
    std::vector<std::string> args = {server, "--timeout=10s", "health"};
    args.insert(args.end(), trust.begin(), trust.end());
    r = RunCli(args, {});
    EXPECT_EQ(r.exit_code, kExitUnavailable)
        << absl::StrJoin(trust, " ") << ": " << r.output;
  }
  r = RunCli({server, "--timeout=10s", "timeline", "@perch_dev", key}, {});
  EXPECT_EQ(r.exit_code, kExitUnavailable) << "output withheld (key canary)";
  ExpectNoKey(r);

  // Over TLS: the API key, or a client certificate the callers file names.
  r = RunCli({server, "--timeout=10s", ca, key, "timeline", "@perch_dev",
              "--page_size=2"},
             {});
  EXPECT_EQ(r.exit_code, kExitOk) << "output withheld (key canary)";
  EXPECT_TRUE(absl::StrContains(r.output, "@perch_dev"));
  ExpectNoKey(r);
  r = RunCli(
      {server, "--timeout=10s", ca, "--cert_file=" + TestCert("client_cn.pem"),
       "--key_file=" + TestCert("client_cn.key"), "timeline", "@perch_dev",
       "--page_size=2"},
      {});
  EXPECT_EQ(r.exit_code, kExitOk) << r.output;
  EXPECT_TRUE(absl::StrContains(r.output, "@perch_dev")) << r.output;
  r = RunCli({server, "--timeout=10s", ca, "timeline", "@perch_dev"}, {});
  EXPECT_EQ(r.exit_code, kExitDenied) << r.output;
  EXPECT_TRUE(absl::StrContains(r.output, "UNAUTHENTICATED")) << r.output;
  // A certificate from another CA fails the handshake.
  r = RunCli({server, "--timeout=10s", ca,
              "--cert_file=" + TestCert("untrusted_client.pem"),
              "--key_file=" + TestCert("untrusted_client.key"), "timeline",
              "@perch_dev"},
             {});
  EXPECT_EQ(r.exit_code, kExitUnavailable) << r.output;

  // Usage errors: a certificate without its key, an unreadable CA file.
  r = RunCli({server, ca, "--cert_file=" + TestCert("client_cn.pem"), "health"},
             {});
  EXPECT_EQ(r.exit_code, kExitUsage) << r.output;
  EXPECT_TRUE(absl::StrContains(r.output, "--cert_file needs --key_file"))
      << r.output;
  r = RunCli({server, "--ca_file=" + dir.File("missing.pem"), "health"}, {});
  EXPECT_EQ(r.exit_code, kExitUsage) << r.output;
  EXPECT_TRUE(absl::StrContains(r.output, "--ca_file: no such file"))
      << r.output;
}

}  // namespace
}  // namespace perch::testing
