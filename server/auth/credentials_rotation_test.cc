#include "server/auth/credentials_rotation.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/auth/load_app_credentials.h"
#include "server/auth/testing/fake_token_source.h"
#include "server/common/errors.h"
#include "server/common/testing/fake_clock.h"
#include "server/common/testing/manual_scheduler.h"

namespace perch::auth {
namespace {

using ::perch::auth::testing::FakeTokenSource;
using ::perch::testing::FakeClock;
using ::perch::testing::ManualScheduler;

const AppCredentials kOld{"old-key", "old-secret"};
const AppCredentials kNew{"new-key", "new-secret"};

// The key and secret files, a token holder serving kOld's token, and a
// rotation driven by a manual scheduler: each Tick() is one look. Every
// token source the rotation makes is a fake the test answers.
class CredentialsRotationTest : public ::testing::Test {
 protected:
  CredentialsRotationTest()
      : dir_(absl::StrCat(::testing::TempDir(), "/rotation_", ::getpid())) {
    ::mkdir(dir_.c_str(), 0700);
    config_.consumer_key_file = dir_ + "/key";
    config_.consumer_secret_file = dir_ + "/secret";
    Write(config_.consumer_key_file, kOld.consumer_key);
    Write(config_.consumer_secret_file, kOld.consumer_secret);

    // Kept here too: the holder lets go of it when it switches.
    old_source_ = std::make_shared<FakeTokenSource>();
    tokens_ =
        std::make_unique<CachingTokenSource>(old_source_, clock_, token_timers_);
    EXPECT_EQ(Fetched(), "");  // starts the first fetch
    old_source_->AnswerFetch(BearerToken{"old-token", clock_.Now()});
    EXPECT_EQ(Fetched(), "old-token");

    rotation_ = std::make_unique<CredentialsRotation>(
        RotationOptions{.key_file = config_.consumer_key_file,
                        .secret_file = config_.consumer_secret_file,
                        .check_interval = absl::Seconds(10),
                        .request_timeout = absl::Seconds(30)},
        kOld,
        [this] {
          return LoadAppCredentials(
              config_, [](const std::string&) { return std::nullopt; });
        },
        [this](const AppCredentials& pair) {
          requested_.push_back(pair);
          sources_.push_back(std::make_shared<FakeTokenSource>());
          return sources_.back();
        },
        *tokens_, scheduler_, clock_,
        [this](const RotationState& state) { reported_.push_back(state); });
    rotation_->Start();
  }
  ~CredentialsRotationTest() override {
    std::remove(config_.consumer_key_file.c_str());
    std::remove(config_.consumer_secret_file.c_str());
    ::rmdir(dir_.c_str());
  }

  // As an operator or Kubernetes does: a new file renamed over the old one.
  static void Write(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << text << "\n";
    }
    ASSERT_EQ(std::rename(tmp.c_str(), path.c_str()), 0);
  }

  // One look, as the timer makes it every check_interval.
  void Tick() {
    clock_.Advance(absl::Seconds(10));
    ASSERT_EQ(scheduler_.RunAll(), 1);
  }

  // The token a read would get now ("" while a fetch is pending; its late
  // answer goes nowhere).
  std::string Fetched() {
    auto got = std::make_shared<std::string>();
    tokens_->Fetch(clock_.Now() + absl::Seconds(10),
                   [got](absl::StatusOr<BearerToken> t) {
                     *got = t.ok() ? t->value : t.status().ToString();
                   });
    return *got;
  }

  static absl::Status Rejected() {
    return MakeError(absl::StatusCode::kUnauthenticated,
                     "app credentials rejected", "APP_CREDENTIALS_REJECTED",
                     kUpstreamDomain,
                     {{"http_status", "403"}, {"upstream_code", "99"}});
  }
  static bool Same(const AppCredentials& a, const AppCredentials& b) {
    return a.consumer_key == b.consumer_key &&
           a.consumer_secret == b.consumer_secret;
  }

  const std::string dir_;
  ServerConfig config_;
  FakeClock clock_;
  ManualScheduler scheduler_;
  // The token holder's waiter deadlines, apart from the rotation's checks.
  ManualScheduler token_timers_;
  std::shared_ptr<FakeTokenSource> old_source_;
  std::unique_ptr<CachingTokenSource> tokens_;
  std::vector<AppCredentials> requested_;
  std::vector<std::shared_ptr<FakeTokenSource>> sources_;
  std::vector<RotationState> reported_;
  std::unique_ptr<CredentialsRotation> rotation_;
};

TEST_F(CredentialsRotationTest, SwitchesToTheNewPairOnceItsTokenArrives) {
  Tick();  // the pair in force, read once: nothing to ask
  Write(config_.consumer_key_file, kNew.consumer_key);
  Write(config_.consumer_secret_file, kNew.consumer_secret);
  Tick();  // noticed
  EXPECT_TRUE(requested_.empty());
  Tick();  // unchanged since: read and tried
  ASSERT_EQ(requested_.size(), 1u);
  EXPECT_TRUE(Same(requested_[0], kNew));
  EXPECT_EQ(sources_[0]->fetch_deadlines().front(),
            clock_.Now() + absl::Seconds(30));

  // Until the new pair's token arrives, reads keep the old one.
  EXPECT_EQ(Fetched(), "old-token");
  ASSERT_TRUE(sources_[0]->AnswerFetch(BearerToken{"new-token", clock_.Now()}));
  EXPECT_EQ(Fetched(), "new-token");
  const RotationState state = rotation_->state();
  EXPECT_EQ(state.in_force, PairFingerprint(kNew));
  EXPECT_EQ(state.rejected, "");
  EXPECT_EQ(state.switches, 1);
  ASSERT_EQ(reported_.size(), 1u);
  EXPECT_EQ(reported_[0].in_force, PairFingerprint(kNew));

  // Later tokens come from the new pair too.
  tokens_->Drop("new-token", absl::UnauthenticatedError("gone"));
  EXPECT_EQ(Fetched(), "");
  EXPECT_EQ(sources_[0]->fetches(), 2);
  EXPECT_EQ(old_source_->fetches(), 1);

  // Nothing changes after: no more requests.
  Tick();
  Tick();
  EXPECT_EQ(requested_.size(), 1u);
}

TEST_F(CredentialsRotationTest, FilesReplacedOneByOneAreReadOnlyOnceSettled) {
  Write(config_.consumer_key_file, kNew.consumer_key);
  Tick();  // the key changed
  Write(config_.consumer_secret_file, kNew.consumer_secret);
  Tick();  // the secret changed since: still not settled
  EXPECT_TRUE(requested_.empty());
  Tick();
  ASSERT_EQ(requested_.size(), 1u);
  EXPECT_TRUE(Same(requested_[0], kNew));
}

TEST_F(CredentialsRotationTest, AHalfNewPairIsNeverSentTwice) {
  // The operator is slower than a look: the half-new pair settles.
  Write(config_.consumer_key_file, kNew.consumer_key);
  Tick();
  Tick();
  ASSERT_EQ(requested_.size(), 1u);
  EXPECT_TRUE(Same(requested_[0], {kNew.consumer_key, kOld.consumer_secret}));
  ASSERT_TRUE(sources_[0]->AnswerFetch(Rejected()));
  EXPECT_EQ(Fetched(), "old-token");

  // Neither more looks nor the same key written again send it again.
  Tick();
  Write(config_.consumer_key_file, kNew.consumer_key);
  Tick();
  Tick();
  Tick();
  EXPECT_EQ(requested_.size(), 1u);

  // The secret follows: the whole new pair is tried and used.
  Write(config_.consumer_secret_file, kNew.consumer_secret);
  Tick();
  Tick();
  ASSERT_EQ(requested_.size(), 2u);
  EXPECT_TRUE(Same(requested_[1], kNew));
  ASSERT_TRUE(sources_[1]->AnswerFetch(BearerToken{"new-token", clock_.Now()}));
  EXPECT_EQ(Fetched(), "new-token");
  EXPECT_EQ(rotation_->state().rejected, "");
}

TEST_F(CredentialsRotationTest, ARejectedPairKeepsTheOldTokenAndSaysSo) {
  Write(config_.consumer_key_file, kNew.consumer_key);
  Write(config_.consumer_secret_file, kNew.consumer_secret);
  Tick();
  Tick();
  ASSERT_TRUE(sources_.at(0)->AnswerFetch(Rejected()));

  EXPECT_EQ(Fetched(), "old-token");
  const RotationState state = rotation_->state();
  EXPECT_EQ(state.in_force, PairFingerprint(kOld));
  EXPECT_EQ(state.rejected, PairFingerprint(kNew));
  EXPECT_EQ(state.switches, 0);
  ASSERT_EQ(reported_.size(), 1u);
  EXPECT_EQ(reported_[0].rejected, PairFingerprint(kNew));
  // The old token serves on while the upstream accepts it, and the old pair
  // still obtains the next one when it is dropped.
  tokens_->ReportAccepted("old-token");
  EXPECT_EQ(Fetched(), "old-token");
  tokens_->Drop("old-token", absl::UnauthenticatedError("gone"));
  EXPECT_EQ(Fetched(), "");
  EXPECT_EQ(old_source_->fetches(), 2);

  // The files put back to the pair in force: the report clears, nothing is
  // asked.
  Write(config_.consumer_key_file, kOld.consumer_key);
  Write(config_.consumer_secret_file, kOld.consumer_secret);
  Tick();
  Tick();
  EXPECT_EQ(requested_.size(), 1u);
  EXPECT_EQ(rotation_->state().rejected, "");
  ASSERT_EQ(reported_.size(), 2u);
  EXPECT_EQ(reported_[1].rejected, "");
}

TEST_F(CredentialsRotationTest,
       AnUnreachableUpstreamIsAskedAgainAtTheNextLook) {
  Write(config_.consumer_key_file, kNew.consumer_key);
  Write(config_.consumer_secret_file, kNew.consumer_secret);
  Tick();
  Tick();
  // Looks while the request is in flight ask nothing more.
  Tick();
  ASSERT_EQ(requested_.size(), 1u);
  ASSERT_TRUE(sources_[0]->AnswerFetch(
      MakeError(absl::StatusCode::kUnavailable, "token endpoint 503",
                "UPSTREAM_UNAVAILABLE", kUpstreamDomain)));
  EXPECT_EQ(Fetched(), "old-token");
  EXPECT_EQ(rotation_->state().rejected, "");
  Tick();
  ASSERT_EQ(requested_.size(), 2u);
  ASSERT_TRUE(sources_[1]->AnswerFetch(BearerToken{"new-token", clock_.Now()}));
  EXPECT_EQ(Fetched(), "new-token");
}

TEST_F(CredentialsRotationTest, UnchangedOrUnreadableFilesAskNothing) {
  // Rewritten with the same pair.
  Write(config_.consumer_key_file, kOld.consumer_key);
  Tick();
  Tick();
  // A file gone (mid-replacement, an emptied Secret).
  std::remove(config_.consumer_secret_file.c_str());
  Tick();
  Tick();
  Tick();
  EXPECT_TRUE(requested_.empty());
  EXPECT_TRUE(reported_.empty());
  EXPECT_EQ(Fetched(), "old-token");
}

}  // namespace
}  // namespace perch::auth
