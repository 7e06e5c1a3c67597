// Who may call perch, end to end on loopback: TLS on the listener with the
// test CA (and certificate rotation), mutual-TLS identities mapped to roles,
// API keys (valid, unknown, wrong role, a reloaded callers file), default
// deny of every perch.v1 method while health stays open, and the
// per-caller quota.
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/dialects.h"
#include "tests/integration/perch_harness.h"
#include "tests/integration/security_test_util.h"
#include "tests/integration/test_certs.h"
#include "tests/testing/status_matchers.h"

namespace perch::testing {
namespace {

constexpr char kReaderKey[] = "reader-key-4c1d0b";
constexpr char kAdminKey[] = "admin-key-9e77a1";

void ExpectDenied(const grpc::Status& status, grpc::StatusCode code,
                  absl::string_view reason) {
  EXPECT_THAT(status, StatusIs(code));
  const google::rpc::ErrorInfo info = OnlyErrorInfo(status);
  EXPECT_EQ(info.reason(), reason);
  EXPECT_EQ(info.domain(), "perch.v1");
}

grpc::Status CallWithKey(grpc::Channel& channel, const GuardedMethod& method,
                         absl::string_view key) {
  auto context = KeyedContext(key);
  return method.call(channel, context.get(), nullptr);
}

// The services reflection lists, asked with no credentials.
std::vector<std::string> ReflectedServices(
    const std::shared_ptr<grpc::Channel>& channel) {
  namespace reflection = grpc::reflection::v1alpha;
  auto stub = reflection::ServerReflection::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  auto stream = stub->ServerReflectionInfo(&context);
  reflection::ServerReflectionRequest request;
  request.set_list_services("*");
  std::vector<std::string> names;
  if (!stream->Write(request)) return names;
  stream->WritesDone();
  reflection::ServerReflectionResponse response;
  while (stream->Read(&response)) {
    for (const auto& s : response.list_services_response().service()) {
      names.push_back(s.name());
    }
  }
  stream->Finish();
  return names;
}

// --- TLS on the listener ---

TEST(TlsListener, HandshakeWithTheTestCaAndNothingElse) {
  HarnessOptions options;
  options.server.tls_cert_file = TestCert("server.pem");
  options.server.tls_key_file = TestCert("server.key");
  auto h = PerchHarness::Start(options);
  ASSERT_NE(h, nullptr);

  auto trusted = OwnChannel(h->target(), TlsCredentials(TestCert("ca.pem")));
  EXPECT_TRUE(HealthCheck(*trusted).ok());
  EXPECT_TRUE(CallWithKey(*trusted, GuardedMethodNamed("Obtain"), "").ok());

  auto other_ca =
      OwnChannel(h->target(), TlsCredentials(TestCert("other_ca.pem")));
  EXPECT_THAT(HealthCheck(*other_ca), StatusIs(grpc::StatusCode::UNAVAILABLE));
  auto plaintext = OwnChannel(h->target(), grpc::InsecureChannelCredentials());
  EXPECT_THAT(HealthCheck(*plaintext), StatusIs(grpc::StatusCode::UNAVAILABLE));
}

// Kubernetes rotates a mounted certificate by pointing the volume's "..data"
// symlink at a new directory; the files perch names are symlinks through it.
class MountedSecret {
 public:
  explicit MountedSecret(const TempDir& dir) : dir_(dir) {}

  void Install(const std::string& cert, const std::string& key) {
    const std::string version = dir_.File(absl::StrCat("..v", ++versions_));
    std::filesystem::create_directory(version);
    std::filesystem::copy_file(cert, version + "/tls.crt");
    std::filesystem::copy_file(key, version + "/tls.key");
    const std::string link = dir_.File("..data_tmp");
    std::filesystem::create_directory_symlink(version, link);
    // rename(2) replaces the old "..data" atomically.
    ASSERT_EQ(std::rename(link.c_str(), dir_.File("..data").c_str()), 0);
    if (versions_ == 1) {
      std::filesystem::create_symlink("..data/tls.crt", cert_file());
      std::filesystem::create_symlink("..data/tls.key", key_file());
    }
  }
  std::string cert_file() const { return dir_.File("tls.crt"); }
  std::string key_file() const { return dir_.File("tls.key"); }

 private:
  const TempDir& dir_;
  int versions_ = 0;
};

TEST(TlsListener,
     RotatedCertificateServesNewHandshakesOpenChannelsKeepWorking) {
  TempDir dir;
  MountedSecret secret(dir);
  secret.Install(TestCert("server.pem"), TestCert("server.key"));
  HarnessOptions options;
  options.server.tls_cert_file = secret.cert_file();
  options.server.tls_key_file = secret.key_file();
  options.server.tls_reload_interval = absl::Seconds(1);
  auto h = PerchHarness::Start(options);
  ASSERT_NE(h, nullptr);

  auto before = OwnChannel(h->target(), TlsCredentials(TestCert("ca.pem")));
  ASSERT_TRUE(HealthCheck(*before).ok());
  EXPECT_THAT(HealthCheck(*OwnChannel(
                  h->target(), TlsCredentials(TestCert("rotation_ca.pem")))),
              StatusIs(grpc::StatusCode::UNAVAILABLE));

  secret.Install(TestCert("rotated_server.pem"),
                 TestCert("rotated_server.key"));
  EXPECT_TRUE(Eventually([&] {
    return HealthCheck(*OwnChannel(h->target(),
                                   TlsCredentials(TestCert("rotation_ca.pem"))))
        .ok();
  })) << "new handshakes never got the rotated certificate";
  // The connection made before the rotation is still up and serving.
  EXPECT_TRUE(HealthCheck(*before).ok());
  EXPECT_TRUE(CallWithKey(*before, GuardedMethodNamed("GetTimeline"), "").ok());
  EXPECT_EQ(before->GetState(false), GRPC_CHANNEL_READY);
  // And the old certificate is no longer handed out.
  EXPECT_FALSE(
      HealthCheck(*OwnChannel(h->target(), TlsCredentials(TestCert("ca.pem"))))
          .ok());
}

// --- Mutual TLS ---

class MutualTlsTest : public ::testing::Test {
 protected:
  void Start(const std::string& callers) {
    dir_.Write("callers", callers);
    HarnessOptions options;
    options.server.tls_cert_file = TestCert("server.pem");
    options.server.tls_key_file = TestCert("server.key");
    options.server.client_ca_file = TestCert("ca.pem");
    options.server.api_keys_file = dir_.File("callers");
    h_ = PerchHarness::Start(options);
    ASSERT_NE(h_, nullptr);
  }
  std::shared_ptr<grpc::Channel> As(absl::string_view client) {
    return OwnChannel(h_->target(),
                      TlsCredentials(TestCert("ca.pem"),
                                     TestCert(absl::StrCat(client, ".pem")),
                                     TestCert(absl::StrCat(client, ".key"))));
  }

  TempDir dir_;
  std::unique_ptr<PerchHarness> h_;
};

TEST_F(MutualTlsTest, UriDnsAndCommonNameIdentitiesMapToTheirRoles) {
  Start(absl::StrCat("billing mtls:spiffe://perch.test/billing reader\n",
                     "reports mtls:reports.perch.test admin\n",
                     "cron mtls:cron-caller admin\n",
                     CallerLine("keyed", kReaderKey, "reader")));
  auto billing = As("client_uri");
  EXPECT_TRUE(
      CallWithKey(*billing, GuardedMethodNamed("GetTimeline"), "").ok());
  ExpectDenied(CallWithKey(*billing, GuardedMethodNamed("Obtain"), ""),
               grpc::StatusCode::PERMISSION_DENIED, "CALLER_NOT_PERMITTED");
  auto reports = As("client_dns");
  EXPECT_TRUE(CallWithKey(*reports, GuardedMethodNamed("Obtain"), "").ok());
  auto cron = As("client_cn");
  EXPECT_TRUE(CallWithKey(*cron, GuardedMethodNamed("Obtain"), "").ok());
  EXPECT_TRUE(CallWithKey(*cron, GuardedMethodNamed("Search"), "").ok());

  // TLS without a client certificate: connected (health is open), but an
  // unknown caller unless it brings an API key.
  auto anonymous = OwnChannel(h_->target(), TlsCredentials(TestCert("ca.pem")));
  EXPECT_TRUE(HealthCheck(*anonymous).ok());
  ExpectDenied(CallWithKey(*anonymous, GuardedMethodNamed("Search"), ""),
               grpc::StatusCode::UNAUTHENTICATED, "CALLER_UNAUTHENTICATED");
  EXPECT_TRUE(
      CallWithKey(*anonymous, GuardedMethodNamed("Search"), kReaderKey).ok());

  // A certificate from a CA perch does not trust never completes the
  // handshake, whatever identity it claims.
  EXPECT_THAT(HealthCheck(*As("untrusted_client")),
              StatusIs(grpc::StatusCode::UNAVAILABLE));
}

TEST_F(MutualTlsTest, AnUnregisteredCertificateIdentityIsUnauthenticated) {
  Start("cron mtls:cron-caller admin\n");
  ExpectDenied(
      CallWithKey(*As("client_uri"), GuardedMethodNamed("GetTimeline"), ""),
      grpc::StatusCode::UNAUTHENTICATED, "CALLER_UNAUTHENTICATED");
  ExpectDenied(CallWithKey(*As("client_dns"), GuardedMethodNamed("Obtain"), ""),
               grpc::StatusCode::UNAUTHENTICATED, "CALLER_UNAUTHENTICATED");
}

// --- API keys and default deny ---

class ApiKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("callers",
               absl::StrCat("# test callers\n",
                            CallerLine("reports", kReaderKey, "reader"),
                            CallerLine("ops", kAdminKey, "admin")));
    HarnessOptions options;
    options.server.api_keys_file = dir_.File("callers");
    // Every call looks at the file, so a rewrite shows up on the next one.
    options.server.api_keys_reload_interval = absl::ZeroDuration();
    h_ = PerchHarness::Start(options);
    ASSERT_NE(h_, nullptr);
    channel_ = h_->channel();
  }

  TempDir dir_;
  std::unique_ptr<PerchHarness> h_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ApiKeyTest, EveryMethodIsDeniedWithoutAKnownKeyHealthStaysOpen) {
  for (const GuardedMethod& m : AllGuardedMethods()) {
    SCOPED_TRACE(m.name);
    ExpectDenied(CallWithKey(*channel_, m, ""),
                 grpc::StatusCode::UNAUTHENTICATED, "CALLER_UNAUTHENTICATED");
    ExpectDenied(CallWithKey(*channel_, m, "not-a-known-key"),
                 grpc::StatusCode::UNAUTHENTICATED, "CALLER_UNAUTHENTICATED");
    auto basic = KeyedContext("");
    basic->AddMetadata("authorization", "Basic cmVwb3J0czpwdw==");
    ExpectDenied(m.call(*channel_, basic.get(), nullptr),
                 grpc::StatusCode::UNAUTHENTICATED, "CALLER_UNAUTHENTICATED");
  }
  // Health and reflection stay open.
  EXPECT_TRUE(HealthCheck(*channel_).ok());
  const std::vector<std::string> services = ReflectedServices(channel_);
  EXPECT_NE(std::find(services.begin(), services.end(), "perch.v1.ReadService"),
            services.end());
  // Nothing denied reached the upstream.
  EXPECT_EQ(h_->emulator().RequestCounts().size(), 0u);
}

TEST_F(ApiKeyTest, RolesDecideWhatAKnownCallerMayCall) {
  for (const GuardedMethod& m : AllGuardedMethods()) {
    SCOPED_TRACE(m.name);
    grpc::Status as_reader = CallWithKey(*channel_, m, kReaderKey);
    if (m.admin) {
      ExpectDenied(as_reader, grpc::StatusCode::PERMISSION_DENIED,
                   "CALLER_NOT_PERMITTED");
      EXPECT_EQ(OnlyErrorInfo(as_reader).metadata().at("caller"), "reports");
    } else {
      EXPECT_TRUE(as_reader.ok()) << as_reader.error_message();
    }
    grpc::Status as_admin = CallWithKey(*channel_, m, kAdminKey);
    EXPECT_TRUE(as_admin.ok()) << as_admin.error_message();
  }
}

TEST_F(ApiKeyTest, ARewrittenCallersFileTakesEffectWithoutARestart) {
  constexpr char kNewKey[] = "rotated-key-0f3e";
  ASSERT_TRUE(
      CallWithKey(*channel_, GuardedMethodNamed("Search"), kReaderKey).ok());
  // The reader's key is rotated; ops keeps its key and loses admin.
  dir_.Write("callers", absl::StrCat(CallerLine("reports", kNewKey, "reader"),
                                     CallerLine("ops", kAdminKey, "reader")));
  EXPECT_TRUE(Eventually([&] {
    return CallWithKey(*channel_, GuardedMethodNamed("Search"), kNewKey).ok();
  }));
  ExpectDenied(CallWithKey(*channel_, GuardedMethodNamed("Search"), kReaderKey),
               grpc::StatusCode::UNAUTHENTICATED, "CALLER_UNAUTHENTICATED");
  ExpectDenied(
      CallWithKey(*channel_, GuardedMethodNamed("Invalidate"), kAdminKey),
      grpc::StatusCode::PERMISSION_DENIED, "CALLER_NOT_PERMITTED");
  // A broken edit keeps the last good keys in force.
  dir_.Write("callers", "reports not-a-sha256 reader\n");
  EXPECT_TRUE(
      CallWithKey(*channel_, GuardedMethodNamed("Search"), kNewKey).ok());
}

// --- The two UNAUTHENTICATEDs ---

// One code, two parties: perch refusing the caller's key, and the upstream
// refusing perch's own app. Callers depend on the code, so it stays; the
// domain and the reason tell them apart (docs/api.md, "Telling them apart").
TEST(TwoUnauthenticateds, TheCallersKeyAndPerchsAppDifferInDomainAndReason) {
  TempDir dir;
  dir.Write("callers", CallerLine("reports", kReaderKey, "reader"));
  HarnessOptions options;
  options.server.api_keys_file = dir.File("callers");
  // A pair the emulator's app does not have: every token request is 403/99.
  options.credentials = auth::AppCredentials{"wrong-key", "wrong-secret"};
  auto h = PerchHarness::Start(options);
  ASSERT_NE(h, nullptr);
  auto channel = h->channel();

  // The caller's side: refused by perch before anything goes upstream.
  const grpc::Status caller = CallWithKey(
      *channel, GuardedMethodNamed("GetTimeline"), "not-a-known-key");
  EXPECT_THAT(caller, StatusIs(grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_EQ(OnlyErrorInfo(caller).domain(), "perch.v1");
  EXPECT_EQ(OnlyErrorInfo(caller).reason(), "CALLER_UNAUTHENTICATED");
  EXPECT_EQ(h->emulator().RequestCounts().size(), 0u);

  // perch's side: the key is good, the upstream refuses perch's app.
  const grpc::Status app =
      CallWithKey(*channel, GuardedMethodNamed("GetTimeline"), kReaderKey);
  EXPECT_THAT(app, StatusIs(grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_EQ(OnlyErrorInfo(app).domain(), "api.twitter.com");
  EXPECT_EQ(OnlyErrorInfo(app).reason(), "APP_CREDENTIALS_REJECTED");
  EXPECT_EQ(OnlyErrorInfo(app).metadata().at("endpoint"), "/oauth2/token");
  EXPECT_EQ(app.error_message().find("wrong-secret"), std::string::npos);
}

// --- Per-caller quota ---

TEST(CallerQuota, ANoisyCallerIsThrottledAndOthersAreNot) {
  TempDir dir;
  // rate=0.001: the bucket effectively does not refill during the test.
  dir.Write("callers",
            absl::StrCat(CallerLine("noisy", "noisy-key", "reader",
                                    "rate=0.001 burst=3"),
                         CallerLine("quiet", "quiet-key", "reader")));
  HarnessOptions options;
  options.server.api_keys_file = dir.File("callers");
  options.server.caller_rate = 100;
  options.server.caller_burst = 100;
  auto h = PerchHarness::Start(options);
  ASSERT_NE(h, nullptr);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(CallWithKey(*h->channel(), GuardedMethodNamed("GetTimeline"),
                            "noisy-key")
                    .ok());
  }
  const int64_t upstream_reads = UpstreamReads(h->emulator());
  ASSERT_GT(upstream_reads, 0);
  grpc::Status over = CallWithKey(
      *h->channel(), GuardedMethodNamed("GetTimeline"), "noisy-key");
  ExpectDenied(over, grpc::StatusCode::RESOURCE_EXHAUSTED,
               "CALLER_QUOTA_EXCEEDED");
  auto retry = RetryInfoOf(over);
  ASSERT_TRUE(retry.has_value());
  EXPECT_GT(retry->retry_delay().seconds(), 0);
  auto quota = QuotaFailureOf(over);
  ASSERT_TRUE(quota.has_value());
  EXPECT_EQ(quota->violations(0).subject(), "caller:noisy");
  // The denied call spent nothing upstream; the quiet caller is unaffected.
  EXPECT_EQ(UpstreamReads(h->emulator()), upstream_reads);
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(CallWithKey(*h->channel(), GuardedMethodNamed("GetTimeline"),
                            "quiet-key")
                    .ok());
  }
}

}  // namespace
}  // namespace perch::testing
