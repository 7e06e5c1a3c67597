// Rotating the consumer key and secret under a running perch (issue 15,
// item 3): perch-server and perch-emulator as processes, the emulator
// knowing two apps. The operator replaces the key file, is slow, then
// replaces the secret file; reads run throughout. The half-new pair is
// tried once and rejected, perch serves on with the old token and says so
// (log, health entry), then switches to the new pair: the next read uses
// its token, no read failed, nothing restarted, no secret was printed.
#include "server/auth/credentials_rotation.h"

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "emulator/test_http_client.h"
#include "gtest/gtest.h"
#include "perch/v1/read_service.grpc.pb.h"
#include "simdjson.h"
#include "tests/integration/security_test_util.h"
#include "tests/integration/server_process.h"
#include "tests/testing/child_process.h"
#include "tests/testing/perch_process_lines.h"

namespace perch::testing {
namespace {

// Canaries: none of these may appear in either process's output.
constexpr char kKeyA[] = "rotKEYa5d1e0";
constexpr char kSecretA[] = "rotSECRETa77c2b91";
constexpr char kKeyB[] = "rotKEYb3f8a4";
constexpr char kSecretB[] = "rotSECRETb0e6d413";
constexpr char kCredentialsHealth[] = "perch.app_credentials";

// What the emulator's /_emulator/stats says about token requests and each
// app's tokens.
struct EmulatorStats {
  int64_t token_requests = 0;
  struct App {
    int64_t tokens_issued = 0;
    int64_t token_uses = 0;
  };
  std::vector<App> apps;
};

EmulatorStats ReadStats(const std::string& url) {
  emulator::testing::HttpCall call;
  call.url = absl::StrCat(url, "/_emulator/stats");
  const emulator::testing::HttpResult got = emulator::testing::Fetch(call);
  EXPECT_EQ(got.status, 200);
  EmulatorStats stats;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(got.body).get(doc) != simdjson::SUCCESS) {
    ADD_FAILURE() << "stats are not JSON";
    return stats;
  }
  int64_t n = 0;
  if (doc["requests"]["/oauth2/token"].get(n) == simdjson::SUCCESS) {
    stats.token_requests = n;
  }
  simdjson::dom::array apps;
  if (doc["apps"].get(apps) == simdjson::SUCCESS) {
    for (simdjson::dom::element app : apps) {
      EmulatorStats::App a;
      EXPECT_EQ(app["tokens_issued"].get(a.tokens_issued), simdjson::SUCCESS);
      EXPECT_EQ(app["token_uses"].get(a.token_uses), simdjson::SUCCESS);
      stats.apps.push_back(a);
    }
  }
  return stats;
}

grpc::Status Timeline(v1::ReadService::Stub& reads) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  v1::GetTimelineRequest request;
  request.set_screen_name("perch_dev");
  v1::GetTimelineResponse out;
  return reads.GetTimeline(&context, request, &out);
}

// Reads one after the other on a few threads until stopped (or a bound of
// time passes), counting every outcome.
class ContinuousReads {
 public:
  ContinuousReads(v1::ReadService::Stub& reads, int threads) {
    const absl::Time end = absl::Now() + absl::Minutes(3);
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this, &reads, end] {
        while (!stop_.load() && absl::Now() < end) {
          grpc::Status s = Timeline(reads);
          absl::MutexLock lock(&mu_);
          if (s.ok()) {
            ++ok_;
          } else if (failures_.size() < 5) {
            failures_.push_back(
                absl::StrCat(s.error_code(), " ", s.error_message()));
          }
          failed_ += s.ok() ? 0 : 1;
        }
      });
    }
  }
  ~ContinuousReads() { Stop(); }

  void Stop() {
    stop_.store(true);
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  int ok() const {
    absl::MutexLock lock(&mu_);
    return ok_;
  }
  int failed() const {
    absl::MutexLock lock(&mu_);
    return failed_;
  }
  std::string failures() const {
    absl::MutexLock lock(&mu_);
    return absl::StrJoin(failures_, "; ");
  }

 private:
  std::atomic<bool> stop_{false};
  mutable absl::Mutex mu_;
  int ok_ ABSL_GUARDED_BY(mu_) = 0;
  int failed_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> failures_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

int Occurrences(absl::string_view text, absl::string_view what) {
  int n = 0;
  for (size_t at = text.find(what); at != absl::string_view::npos;
       at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

TEST(CredentialsRotation, ANewPairIsUsedWithoutARestartOrAFailedRead) {
  TempDir dir;
  dir.Write("key", kKeyA);
  dir.Write("secret", absl::StrCat(kSecretA, "\n"));

  absl::StatusOr<std::unique_ptr<ChildProcess>> emulator = ChildProcess::Spawn(
      {.argv = {PERCH_EMULATOR_BINARY, "--listen=127.0.0.1:0",
                absl::StrCat("--app_key=", kKeyA),
                absl::StrCat("--app_secret=", kSecretA),
                absl::StrCat("--second_app_key=", kKeyB),
                absl::StrCat("--second_app_secret=", kSecretB)},
       .inherit_env = false});
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  const absl::StatusOr<std::string> url =
      WaitForEmulatorUrl(**emulator, absl::Seconds(30));
  ASSERT_TRUE(url.ok()) << url.status() << (*emulator)->Output();

  ServerProcess server(
      {"--listen=127.0.0.1:0", "--insecure_no_auth",
       absl::StrCat("--api_base_url=", *url),
       absl::StrCat("--consumer_key_file=", dir.File("key")),
       absl::StrCat("--consumer_secret_file=", dir.File("secret")),
       "--credentials_reload_interval=200ms"},
      {});
  const int port = server.WaitForPort(absl::Seconds(30));
  ASSERT_GT(port, 0) << server.Output();
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  auto reads = v1::ReadService::NewStub(channel);
  ASSERT_TRUE(Timeline(*reads).ok());
  EXPECT_TRUE(HealthCheck(*channel, kCredentialsHealth).ok());

  ContinuousReads during(*reads, 2);

  // The key first; the operator is slower than two looks.
  dir.Write("key", kKeyB);
  const std::string half_new = auth::PairFingerprint({kKeyB, kSecretA});
  ASSERT_TRUE(Eventually(
      [&] {
        return absl::StrContains(
            server.Output(),
            absl::StrCat("the upstream rejected pair ", half_new));
      },
      absl::Seconds(60)))
      << server.Output();
  // Health says so; the server itself serves on.
  EXPECT_FALSE(HealthCheck(*channel, kCredentialsHealth).ok());
  EXPECT_TRUE(HealthCheck(*channel).ok());

  // Then the secret.
  dir.Write("secret", kSecretB);
  const std::string new_pair = auth::PairFingerprint({kKeyB, kSecretB});
  ASSERT_TRUE(Eventually(
      [&] {
        return absl::StrContains(server.Output(),
                                 absl::StrCat("switched to pair ", new_pair));
      },
      absl::Seconds(60)))
      << server.Output();
  EXPECT_TRUE(Eventually(
      [&] { return HealthCheck(*channel, kCredentialsHealth).ok(); }));

  during.Stop();
  EXPECT_GT(during.ok(), 0);
  EXPECT_EQ(during.failed(), 0) << during.failures();
  std::printf("reads during the rotation: %d succeeded, %d failed\n",
              during.ok(), during.failed());

  // The next read uses the new pair's token, and only it.
  const EmulatorStats before = ReadStats(*url);
  ASSERT_TRUE(Timeline(*reads).ok());
  const EmulatorStats after = ReadStats(*url);
  ASSERT_EQ(after.apps.size(), 2u);
  EXPECT_GT(after.apps[1].token_uses, before.apps[1].token_uses);
  EXPECT_EQ(after.apps[0].token_uses, before.apps[0].token_uses);
  EXPECT_EQ(after.apps[1].tokens_issued, 1);
  // Token requests: the first pair, the half-new pair once (never again,
  // however many looks followed), the new pair.
  EXPECT_EQ(after.token_requests, 3);

  // Nothing restarted.
  EXPECT_FALSE(server.Exited(absl::ZeroDuration()));
  EXPECT_EQ(Occurrences(server.Output(), "listening on"), 1);

  // No secret and no token in either process's output.
  for (const std::string& out : {server.Output(), (*emulator)->Output()}) {
    for (const char* secret :
         {kKeyA, kSecretA, kKeyB, kSecretB, kEmulatorTokenPrefix}) {
      EXPECT_FALSE(absl::StrContains(out, secret))
          << "a secret reached the output (" << std::string(secret).size()
          << " characters)";
    }
  }
}

}  // namespace
}  // namespace perch::testing
