#include "server/security/caller_gate.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/common/mutex.h"
#include "server/common/testing/fake_clock.h"
#include "server/metrics/text_format.h"
#include "tests/testing/status_matchers.h"

namespace perch::security {
namespace {

using ::perch::testing::FakeClock;
using ::perch::testing::StatusIs;

std::string Hex(absl::string_view key) {
  const Sha256Digest d = Sha256(key);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

class RecordingAuditLog final : public AuditLog {
 public:
  void Record(const AuditEvent& event) override {
    MutexLock lock(&mu_);
    events_.push_back(event);
  }
  std::vector<AuditEvent> events() {
    MutexLock lock(&mu_);
    return events_;
  }

 private:
  Mutex mu_;
  std::vector<AuditEvent> events_;
};

PresentedCredentials Key(absl::string_view key) {
  PresentedCredentials p;
  p.api_key = std::string(key);
  p.peer = "ipv4:10.0.0.7:4000";
  return p;
}

PresentedCredentials Certificate(std::vector<std::string> identities) {
  PresentedCredentials p;
  p.certificate_identities = std::move(identities);
  p.peer = "ipv4:10.0.0.8:4000";
  return p;
}

// Checks that each of `lines` (a whole sample line: name, labels, value) is
// in the exposition of `registry`, and returns the exposition.
std::string ExpectExposed(const metrics::Registry& registry,
                          const std::vector<std::string>& lines) {
  const std::string text = metrics::FormatText(registry.Collect());
  for (const std::string& line : lines) {
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
  }
  return text;
}

class CallerGateTest : public ::testing::Test {
 protected:
  CallerGateTest()
      : path_(
            absl::StrCat(::testing::TempDir(), "/gate_callers_", ::getpid())) {
    std::ofstream out(path_, std::ios::trunc);
    out << "reports " << Hex("reports-key") << " reader\n"
        << "ops " << Hex("ops-key") << " admin\n"
        << "noisy " << Hex("noisy-key") << " reader rate=1 burst=2\n"
        << "billing mtls:spiffe://perch.test/billing reader\n"
        << "cron mtls:cron.perch.test admin\n";
  }
  ~CallerGateTest() override { std::remove(path_.c_str()); }

  std::unique_ptr<CallerGate> MakeGate(
      bool accept_certificates = true,
      metrics::CallerMetrics* metrics = nullptr) {
    auto keys = ReloadingApiKeys::Open(path_, absl::Seconds(10), clock_);
    EXPECT_TRUE(keys.ok()) << keys.status();
    keys_ = *std::move(keys);
    return std::make_unique<CallerGate>(
        GateOptions{.keys = keys_.get(),
                    .accept_certificates = accept_certificates,
                    .default_rate = 100,
                    .default_burst = 100,
                    .metrics = metrics},
        clock_, audit_);
  }

  // As Kubernetes does: a new file renamed over the old one; then past
  // MakeGate's check interval, so the next call reloads it.
  void ReplaceCallers(absl::string_view callers) {
    const std::string tmp = path_ + ".new";
    std::ofstream(tmp, std::ios::trunc) << callers;
    ASSERT_EQ(std::rename(tmp.c_str(), path_.c_str()), 0);
    clock_.Advance(absl::Seconds(11));
  }

  std::string path_;
  FakeClock clock_;
  RecordingAuditLog audit_;
  std::unique_ptr<ReloadingApiKeys> keys_;
};

void ExpectDenied(const absl::StatusOr<Caller>& r, absl::StatusCode code,
                  absl::string_view reason) {
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status(), StatusIs(code));
  auto info = GetErrorInfo(r.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), reason);
  EXPECT_EQ(info->domain(), "perch.v1");
}

TEST_F(CallerGateTest, AKnownKeyIsAdmittedToWhatItsRolesAllow) {
  auto gate = MakeGate();
  auto reader = gate->Admit(Key("reports-key"), Method::kGetTimeline);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(reader->name, "reports");
  EXPECT_EQ(reader->credential, "api_key");
  ExpectDenied(gate->Admit(Key("reports-key"), Method::kObtain),
               absl::StatusCode::kPermissionDenied,
               reasons::kCallerNotPermitted);
  EXPECT_TRUE(gate->Admit(Key("ops-key"), Method::kInvalidate).ok());
  EXPECT_TRUE(gate->Admit(Key("ops-key"), Method::kSearch).ok());
}

TEST_F(CallerGateTest, MissingMalformedOrUnknownCredentialsAreUnauthenticated) {
  auto gate = MakeGate();
  ExpectDenied(gate->Admit(PresentedCredentials{}, Method::kSearch),
               absl::StatusCode::kUnauthenticated,
               reasons::kCallerUnauthenticated);
  ExpectDenied(gate->Admit(Key("guess"), Method::kSearch),
               absl::StatusCode::kUnauthenticated,
               reasons::kCallerUnauthenticated);
  PresentedCredentials malformed;
  malformed.malformed_authorization = true;
  ExpectDenied(gate->Admit(malformed, Method::kSearch),
               absl::StatusCode::kUnauthenticated,
               reasons::kCallerUnauthenticated);
  // A wrong key next to a good certificate is still a wrong key.
  PresentedCredentials both = Certificate({"spiffe://perch.test/billing"});
  both.api_key = "guess";
  ExpectDenied(gate->Admit(both, Method::kSearch),
               absl::StatusCode::kUnauthenticated,
               reasons::kCallerUnauthenticated);
}

TEST_F(CallerGateTest, CertificateIdentitiesMapToCallers) {
  auto gate = MakeGate();
  // The first registered identity wins, whatever its position.
  auto billing = gate->Admit(
      Certificate({"spiffe://elsewhere/x", "spiffe://perch.test/billing",
                   "cron.perch.test"}),
      Method::kGetList);
  ASSERT_TRUE(billing.ok()) << billing.status();
  EXPECT_EQ(billing->name, "billing");
  EXPECT_EQ(billing->credential, "certificate");
  ExpectDenied(gate->Admit(Certificate({"spiffe://perch.test/billing"}),
                           Method::kObtain),
               absl::StatusCode::kPermissionDenied,
               reasons::kCallerNotPermitted);
  EXPECT_TRUE(
      gate->Admit(Certificate({"cron.perch.test"}), Method::kObtain).ok());
  ExpectDenied(gate->Admit(Certificate({"stranger"}), Method::kSearch),
               absl::StatusCode::kUnauthenticated,
               reasons::kCallerUnauthenticated);
}

TEST_F(CallerGateTest, CertificatesCountOnlyWithMutualTls) {
  auto gate = MakeGate(/*accept_certificates=*/false);
  ExpectDenied(gate->Admit(Certificate({"cron.perch.test"}), Method::kSearch),
               absl::StatusCode::kUnauthenticated,
               reasons::kCallerUnauthenticated);
}

TEST_F(CallerGateTest, AQuotaPerCallerWithRetryInfo) {
  auto gate = MakeGate();
  EXPECT_TRUE(gate->Admit(Key("noisy-key"), Method::kSearch).ok());
  EXPECT_TRUE(gate->Admit(Key("noisy-key"), Method::kSearch).ok());
  auto over = gate->Admit(Key("noisy-key"), Method::kSearch);
  ExpectDenied(over, absl::StatusCode::kResourceExhausted,
               reasons::kCallerQuotaExceeded);
  auto retry = GetRetryInfo(over.status());
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 1);
  // Others are not affected.
  EXPECT_TRUE(gate->Admit(Key("reports-key"), Method::kSearch).ok());
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(gate->Admit(Key("noisy-key"), Method::kSearch).ok());
}

TEST_F(CallerGateTest, EveryDenialIsAuditedWithoutTheKey) {
  auto gate = MakeGate();
  (void)gate->Admit(Key("reports-key"), Method::kGetTimeline);  // admitted
  (void)gate->Admit(Key("guess-key-canary"), Method::kSearch);
  (void)gate->Admit(Key("reports-key"), Method::kInvalidate);
  const std::vector<AuditEvent> events = audit_.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].caller, "");
  EXPECT_EQ(events[0].credential, "api_key");
  EXPECT_EQ(events[0].method, "perch.v1.ReadService/Search");
  EXPECT_EQ(events[0].outcome, "UNAUTHENTICATED");
  EXPECT_EQ(events[0].reason, "CALLER_UNAUTHENTICATED");
  EXPECT_EQ(events[0].peer, "ipv4:10.0.0.7:4000");
  EXPECT_EQ(events[1].caller, "reports");
  EXPECT_EQ(events[1].outcome, "PERMISSION_DENIED");
  for (const AuditEvent& e : events) {
    EXPECT_EQ(FormatAuditLine(e).find("key-canary"), std::string::npos);
    EXPECT_EQ(FormatAuditLine(e).find("reports-key"), std::string::npos);
  }
}

// perch_caller_*: admissions by caller name, denials by name (unknown when
// no caller was identified) and reason, throttles; never the key presented.
TEST_F(CallerGateTest, CountsCallsDenialsAndThrottlesByCallerName) {
  metrics::Registry registry;
  metrics::PerchMetrics perch_metrics(registry, clock_, {});
  auto gate = MakeGate(true, &perch_metrics.callers());
  for (int i = 0; i < 3; ++i) {
    (void)gate->Admit(Key("noisy-key"), Method::kSearch);  // 2 pass, 1 not
  }
  (void)gate->Admit(Key("reports-key"), Method::kGetTimeline);
  (void)gate->Admit(Key("reports-key"), Method::kObtain);  // not permitted
  (void)gate->Admit(Key("guess-key-canary"), Method::kSearch);
  const std::string text = ExpectExposed(
      registry,
      {"perch_caller_calls_total{caller=\"noisy\"} 2\n",
       "perch_caller_calls_total{caller=\"reports\"} 1\n",
       "perch_caller_denials_total{caller=\"noisy\",reason=\"CALLER_"
       "QUOTA_EXCEEDED\"} 1\n",
       "perch_caller_denials_total{caller=\"reports\",reason=\"CALLER_"
       "NOT_PERMITTED\"} 1\n",
       "perch_caller_denials_total{caller=\"unknown\",reason=\"CALLER_"
       "UNAUTHENTICATED\"} 1\n",
       "perch_caller_throttles_total{caller=\"noisy\"} 1\n"});
  EXPECT_EQ(text.find("key-canary"), std::string::npos);
  EXPECT_EQ(text.find("perch_caller_throttles_total{caller=\"reports\""),
            std::string::npos);
}

// The series are resolved when a callers file loads, not per call: a
// reload must keep counting into the same series. A caller removed from the
// file keeps its series (its key is then unknown); re-added, it counts on
// from where it was, never from zero.
TEST_F(CallerGateTest, ReloadsKeepCountingIntoTheSameSeries) {
  metrics::Registry registry;
  metrics::PerchMetrics perch_metrics(registry, clock_, {});
  auto gate = MakeGate(true, &perch_metrics.callers());
  const std::string reports_line =
      absl::StrCat("reports ", Hex("reports-key"), " reader\n");
  const std::string ops_line = absl::StrCat("ops ", Hex("ops-key"), " admin\n");

  ASSERT_TRUE(gate->Admit(Key("reports-key"), Method::kSearch).ok());
  ASSERT_TRUE(gate->Admit(Key("ops-key"), Method::kSearch).ok());
  ReplaceCallers(ops_line);  // reports removed
  EXPECT_THAT(gate->Admit(Key("reports-key"), Method::kSearch),
              StatusIs(absl::StatusCode::kUnauthenticated));
  ASSERT_TRUE(gate->Admit(Key("ops-key"), Method::kSearch).ok());
  ExpectExposed(registry,
                {"perch_caller_calls_total{caller=\"reports\"} 1\n",
                 "perch_caller_calls_total{caller=\"ops\"} 2\n",
                 "perch_caller_denials_total{caller=\"unknown\",reason="
                 "\"CALLER_UNAUTHENTICATED\"} 1\n"});

  ReplaceCallers(absl::StrCat(ops_line, reports_line));  // reports back
  ASSERT_TRUE(gate->Admit(Key("reports-key"), Method::kSearch).ok());
  ASSERT_TRUE(gate->Admit(Key("reports-key"), Method::kSearch).ok());
  EXPECT_THAT(gate->Admit(Key("reports-key"), Method::kObtain),
              StatusIs(absl::StatusCode::kPermissionDenied));
  ASSERT_TRUE(gate->Admit(Key("ops-key"), Method::kSearch).ok());
  const std::string text = ExpectExposed(
      registry, {"perch_caller_calls_total{caller=\"reports\"} 3\n",
                 "perch_caller_calls_total{caller=\"ops\"} 3\n",
                 "perch_caller_denials_total{caller=\"reports\",reason="
                 "\"CALLER_NOT_PERMITTED\"} 1\n",
                 "perch_caller_denials_total{caller=\"unknown\",reason="
                 "\"CALLER_UNAUTHENTICATED\"} 1\n"});
  // Loading a file makes no series: a caller's appear on its first call.
  EXPECT_EQ(text.find("caller=\"billing\""), std::string::npos) << text;
  EXPECT_EQ(keys_->reloads(), 2);
}

// Calls on two threads while the callers file is reloaded under them: no
// admission is lost, whichever version of the keys (and of the resolved
// series) a call saw. The callers keep calling until all five reloads are
// done, and each reload waits (bounded) for both to call again, so calls
// and reloads overlap. Under ThreadSanitizer this also checks that the
// series are published with the keys and incremented without a race.
TEST_F(CallerGateTest, CallsDuringReloadsAreEachCountedOnce) {
  // Quotas far beyond the loop cap: every call here is admitted, so the
  // totals to compare are the calls each thread made.
  const auto callers_file = [](int version) {
    // A size of its own per version: a renamed file may reuse the old
    // inode within one mtime tick, and the stamp must still differ.
    return absl::StrCat("reports ", Hex("reports-key"),
                        " reader rate=1000000000 burst=1000000000\n", "ops ",
                        Hex("ops-key"),
                        " admin rate=1000000000 burst=1000000000\n", "# ",
                        std::string(8 * (version + 1), 'v'), "\n");
  };
  std::ofstream(path_, std::ios::trunc) << callers_file(0);
  metrics::Registry registry;
  metrics::PerchMetrics perch_metrics(registry, clock_, {});
  auto gate = MakeGate(true, &perch_metrics.callers());

  // Bounds, not expectations: on a loaded machine the test may end before
  // every reload saw calls around it, and still checks the counts.
  constexpr int64_t kMaxCallsPerThread = 1'000'000;
  constexpr int kReloads = 5;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  std::atomic<bool> reloads_done{false};
  struct Calls {
    std::atomic<int64_t> made{0};
    int64_t refused = 0;  // read after join
  };
  Calls calls[2];
  const char* const keys[2] = {"reports-key", "ops-key"};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int64_t i = 0; i < kMaxCallsPerThread && !reloads_done.load() &&
                          absl::Now() < deadline;
           ++i) {
        if (!gate->Admit(Key(keys[t]), Method::kSearch).ok()) {
          ++calls[t].refused;
        }
        calls[t].made.fetch_add(1);
      }
    });
  }
  // Waits until both threads have called since `seen` was taken.
  const auto await_calls = [&] {
    const int64_t seen[2] = {calls[0].made.load(), calls[1].made.load()};
    while (
        (calls[0].made.load() == seen[0] || calls[1].made.load() == seen[1]) &&
        absl::Now() < deadline) {
      std::this_thread::yield();
    }
  };
  await_calls();
  for (int version = 1; version <= kReloads; ++version) {
    ReplaceCallers(callers_file(version));
    // Makes sure this version is looked at before the next replaces it.
    (void)gate->Admit(Key("unknown-key"), Method::kSearch);
    await_calls();
  }
  reloads_done.store(true);
  for (std::thread& t : threads) t.join();

  EXPECT_EQ(keys_->reloads(), kReloads);
  EXPECT_EQ(calls[0].refused, 0);
  EXPECT_EQ(calls[1].refused, 0);
  ExpectExposed(registry,
                {absl::StrCat("perch_caller_calls_total{caller=\"reports\"} ",
                              calls[0].made.load(), "\n"),
                 absl::StrCat("perch_caller_calls_total{caller=\"ops\"} ",
                              calls[1].made.load(), "\n"),
                 absl::StrCat("perch_caller_denials_total{caller=\"unknown\","
                              "reason=\"CALLER_UNAUTHENTICATED\"} ",
                              kReloads, "\n")});
}

// GateOptions::metrics null records nothing, even when the keys it shares
// with a metered gate carry series resolved by that gate.
TEST_F(CallerGateTest, AGateWithoutMetricsRecordsNothing) {
  metrics::Registry registry;
  metrics::PerchMetrics perch_metrics(registry, clock_, {});
  auto metered = MakeGate(true, &perch_metrics.callers());
  CallerGate unmetered(GateOptions{.keys = keys_.get(),
                                   .accept_certificates = true,
                                   .default_rate = 100,
                                   .default_burst = 100,
                                   .metrics = nullptr},
                       clock_, audit_);
  for (int i = 0; i < 3; ++i) {
    (void)unmetered.Admit(Key("noisy-key"), Method::kSearch);  // 2 pass, 1 not
  }
  ASSERT_TRUE(unmetered.Admit(Key("reports-key"), Method::kSearch).ok());
  EXPECT_THAT(unmetered.Admit(Key("reports-key"), Method::kObtain),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(unmetered.Admit(Key("guess-key"), Method::kSearch),
              StatusIs(absl::StatusCode::kUnauthenticated));
  // The metered gate still counts, into the same families.
  ASSERT_TRUE(metered->Admit(Key("ops-key"), Method::kSearch).ok());
  const std::string text =
      ExpectExposed(registry, {"perch_caller_calls_total{caller=\"ops\"} 1\n"});
  EXPECT_EQ(text.find("caller=\"reports\""), std::string::npos) << text;
  EXPECT_EQ(text.find("caller=\"noisy\""), std::string::npos) << text;
  EXPECT_EQ(text.find("caller=\"unknown\""), std::string::npos) << text;
}

TEST_F(CallerGateTest, TokenCallsAreAuditedWithTheFingerprint) {
  auto gate = MakeGate();
  auto ops = gate->Admit(Key("ops-key"), Method::kObtain);
  ASSERT_TRUE(ops.ok());
  gate->RecordTokenCall(*ops, Method::kObtain, absl::OkStatus(),
                        "0123456789ab");
  const std::vector<AuditEvent> events = audit_.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].caller, "ops");
  EXPECT_EQ(events[0].method, "perch.v1.TokenService/Obtain");
  EXPECT_EQ(events[0].outcome, "OK");
  EXPECT_EQ(events[0].token_fingerprint, "0123456789ab");
}

TEST(CallerGate, WithoutAuthenticationEveryoneIsAnonymousWithBothRoles) {
  FakeClock clock;
  RecordingAuditLog audit;
  CallerGate gate(GateOptions{}, clock, audit);
  auto caller = gate.Admit(PresentedCredentials{}, Method::kInvalidate);
  ASSERT_TRUE(caller.ok());
  EXPECT_EQ(caller->name, "anonymous");
  EXPECT_EQ(caller->credential, "insecure_no_auth");
}

TEST(BearerKey, AcceptsOnlyOneBearerToken) {
  EXPECT_EQ(BearerKey("Bearer abc"), "abc");
  EXPECT_EQ(BearerKey("bearer   abc  "), "abc");
  EXPECT_EQ(BearerKey("Basic abc"), std::nullopt);
  EXPECT_EQ(BearerKey("Bearer"), std::nullopt);
  EXPECT_EQ(BearerKey("Bearer "), std::nullopt);
  EXPECT_EQ(BearerKey("Bearerabc"), std::nullopt);
  EXPECT_EQ(BearerKey("Bearer a b"), std::nullopt);
}

}  // namespace
}  // namespace perch::security
