// Several perch-server processes on one upstream app, as the replicas of a
// Deployment are: the upstream issues one bearer token per app, so replicas
// share it without talking to each other. Checks, with three real processes
// on one in-process emulator, that every replica serves reads on the one
// token; that an Invalidate through one replica costs every replica exactly
// one token request on its next calls (a 401/89 at most once, never an error
// to a caller); and that SIGTERM to one replica under load completes every
// call it had accepted before it exits 0, while the others keep serving.
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "emulator/emulator.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "perch/v1/read_service.grpc.pb.h"
#include "perch/v1/token_service.grpc.pb.h"
#include "tests/integration/dialects.h"
#include "tests/integration/server_process.h"
#include "tests/testing/status_matchers.h"

namespace perch::testing {
namespace {

// perch-server's default dialect is v2: a timeline page is one request to
// its user tweets endpoint (the screen name is looked up once per replica).
std::string TimelinePath() { return PathsOf(kV2).timeline; }
constexpr char kTokenPath[] = "/oauth2/token";
constexpr char kInvalidatePath[] = "/oauth2/invalidate_token";
constexpr int kReplicas = 3;

std::unique_ptr<emulator::Emulator> StartEmulator() {
  auto e = emulator::Emulator::Start(emulator::EmulatorOptions{});
  EXPECT_TRUE(e.ok()) << e.status();
  if (!e.ok()) return nullptr;
  // Enough quota that only the behaviour under test limits anything.
  (*e)->SetRateLimit(TimelinePath(), 1000000);
  return *std::move(e);
}

// Whatever the emulator's world holds for perch_dev, a success proves the
// token path. perch coalesces identical reads in flight together, so calls
// meant to reach the upstream each get their own `page_size`.
v1::GetTimelineRequest TimelineRequest(int page_size = 5) {
  v1::GetTimelineRequest request;
  request.set_screen_name("perch_dev");
  request.set_page_size(page_size);
  return request;
}

// One perch-server process configured like a pod of the Deployment: the
// credentials (the emulator's example app) and the upstream from PERCH_*
// variables. No response cache (the default, pinned here): every call must
// reach the token path for the counts below to mean anything.
class Replica {
 public:
  Replica(const emulator::Emulator& upstream, absl::Duration grace)
      : process_(
            {"--listen=127.0.0.1:0", "--insecure_no_auth",
             absl::StrCat("--shutdown_grace=", absl::FormatDuration(grace)),
             "--cache_ttl=0s"},
            {absl::StrCat("PERCH_CONSUMER_KEY=",
                          emulator::EmulatorOptions{}.app_key),
             absl::StrCat("PERCH_CONSUMER_SECRET=",
                          emulator::EmulatorOptions{}.app_secret),
             absl::StrCat("PERCH_API_BASE_URL=", upstream.base_url()),
             // Callers are not what this suite is about: where perch
             // authenticates and meters callers, let these in unmetered
             // (variables for flags a perch-server lacks are ignored).
             "PERCH_INSECURE_NO_AUTH=true", "PERCH_CALLER_RATE=0"}) {
    const int port = process_.WaitForPort(absl::Seconds(30));
    EXPECT_GT(port, 0) << process_.Output();
    if (port == 0) return;
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials());
    reads_ = v1::ReadService::NewStub(channel_);
    tokens_ = v1::TokenService::NewStub(channel_);
  }

  bool started() const { return reads_ != nullptr; }
  ServerProcess& process() { return process_; }
  v1::ReadService::Stub& reads() { return *reads_; }

  grpc::Status Timeline(int page_size = 5) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::GetTimelineResponse response;
    return reads_->GetTimeline(&context, TimelineRequest(page_size), &response);
  }

  grpc::Status Invalidate() {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::InvalidateResponse response;
    return tokens_->Invalidate(&context, {}, &response);
  }

 private:
  ServerProcess process_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ReadService::Stub> reads_;
  std::unique_ptr<v1::TokenService::Stub> tokens_;
};

std::vector<std::unique_ptr<Replica>> StartReplicas(
    const emulator::Emulator& upstream, absl::Duration grace) {
  std::vector<std::unique_ptr<Replica>> replicas;
  for (int i = 0; i < kReplicas; ++i) {
    replicas.push_back(std::make_unique<Replica>(upstream, grace));
  }
  return replicas;
}

// `per_replica` distinct GetTimeline calls on every replica, all in flight
// at once; their statuses once all have finished.
std::vector<grpc::Status> ConcurrentTimelines(
    std::vector<std::unique_ptr<Replica>>& replicas, int per_replica) {
  struct Call {
    grpc::ClientContext context;
    v1::GetTimelineRequest request;
    v1::GetTimelineResponse response;
    grpc::Status status;
  };
  std::vector<std::unique_ptr<Call>> calls;
  absl::BlockingCounter done(static_cast<int>(replicas.size()) * per_replica);
  for (auto& replica : replicas) {
    for (int i = 0; i < per_replica; ++i) {
      auto call = std::make_unique<Call>();
      call->request = TimelineRequest(1 + i);
      call->context.set_deadline(
          absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
      Call* raw = call.get();
      replica->reads().async()->GetTimeline(&raw->context, &raw->request,
                                            &raw->response,
                                            [raw, &done](grpc::Status s) {
                                              raw->status = std::move(s);
                                              done.DecrementCount();
                                            });
      calls.push_back(std::move(call));
    }
  }
  done.Wait();
  std::vector<grpc::Status> statuses;
  for (auto& call : calls) statuses.push_back(call->status);
  return statuses;
}

void ExpectAllOk(const std::vector<grpc::Status>& statuses) {
  for (const grpc::Status& s : statuses) {
    EXPECT_THAT(s, IsOk());
  }
}

TEST(Replicas, ShareTheAppsOneTokenAndEachReobtainsOnceAfterAnInvalidation) {
  auto upstream = StartEmulator();
  ASSERT_NE(upstream, nullptr);
  auto replicas = StartReplicas(*upstream, absl::Seconds(5));
  for (auto& r : replicas) ASSERT_TRUE(r->started());
  Replica& a = *replicas[0];
  Replica& b = *replicas[1];
  Replica& c = *replicas[2];

  // Every replica serves; each asks for the token once and caches it, and
  // the upstream hands all three the same one.
  for (auto& r : replicas) EXPECT_TRUE(r->Timeline().ok());
  ExpectAllOk(ConcurrentTimelines(replicas, 4));
  EXPECT_EQ(upstream->RequestCount(kTokenPath), kReplicas);
  EXPECT_EQ(upstream->TokensIssued(), 1);

  // Invalidate through A. A holds the token, so it asks for none first;
  // B and C are not told and still hold the revoked token.
  upstream->ResetCounters();
  ASSERT_TRUE(a.Invalidate().ok());
  EXPECT_EQ(upstream->RequestCount(kInvalidatePath), 1);
  EXPECT_EQ(upstream->RequestCount(kTokenPath), 0);

  // One call each, in turn: A dropped the token when it invalidated it, so
  // it asks for a new one up front (1 read); B and C send the revoked
  // token, meet 401/89, ask once and retry (2 reads each). The upstream
  // mints one new token and hands the same one to all three. No caller
  // sees an error.
  EXPECT_TRUE(a.Timeline().ok());
  EXPECT_TRUE(b.Timeline().ok());
  EXPECT_TRUE(c.Timeline().ok());
  EXPECT_EQ(upstream->RequestCount(kTokenPath), kReplicas);
  EXPECT_EQ(upstream->TokensIssued(), 2);
  EXPECT_EQ(upstream->RequestCount(TimelinePath()), 1 + 2 + 2);

  // From then on the new token is cached everywhere: no more token
  // requests, one upstream read per call.
  ExpectAllOk(ConcurrentTimelines(replicas, 4));
  EXPECT_EQ(upstream->RequestCount(kTokenPath), kReplicas);
  EXPECT_EQ(upstream->RequestCount(TimelinePath()), 5 + kReplicas * 4);
}

TEST(Replicas, ConcurrentCallersOnEveryReplicaShareOneReobtainPerReplica) {
  auto upstream = StartEmulator();
  ASSERT_NE(upstream, nullptr);
  auto replicas = StartReplicas(*upstream, absl::Seconds(5));
  for (auto& r : replicas) ASSERT_TRUE(r->started());
  for (auto& r : replicas) ASSERT_TRUE(r->Timeline().ok());

  // Invalidate through B, then eight calls at once on every replica. On A
  // and C several calls may meet 401/89 with the revoked token, but they
  // drop the same token and share one fetch (single flight); on B they
  // share the fetch B needs anyway. So: exactly one token request per
  // replica, one new token, and 24 successes.
  upstream->ResetCounters();
  ASSERT_TRUE(replicas[1]->Invalidate().ok());
  constexpr int kPerReplica = 8;
  const std::vector<grpc::Status> statuses =
      ConcurrentTimelines(replicas, kPerReplica);
  EXPECT_EQ(statuses.size(), kReplicas * kPerReplica);
  ExpectAllOk(statuses);
  EXPECT_EQ(upstream->RequestCount(kTokenPath), kReplicas);
  EXPECT_EQ(upstream->TokensIssued(), 2);
  // Each call reads once, plus one retry for each call that met 401/89
  // (none on B, at most every call on A and C).
  EXPECT_GE(upstream->RequestCount(TimelinePath()), kReplicas * kPerReplica);
  EXPECT_LE(upstream->RequestCount(TimelinePath()),
            kReplicas * kPerReplica + 2 * kPerReplica);
}

// A call gRPC core itself ended as the server shut down: its stream had
// arrived but no handler had taken it yet, and core ends such pending calls
// with a bare CANCELLED (grpc/grpc#41785, where UNAVAILABLE is proposed).
// perch never saw it, so it was refused, not lost: perch's own answers
// always carry a google.rpc.Status with an ErrorInfo. Seen once in the ASan
// suite's five repeats on a loaded machine (issue 13).
bool NeverReachedPerch(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::CANCELLED &&
         status.error_message() == "CANCELLED" &&
         status.error_details().empty();
}

// Keeps `workers` threads calling GetTimeline on one replica, each call
// after the last, and sorts every finished call by whether it was started
// before or after SIGTERM. Launches can be paused, so that the test can
// know exactly which calls the replica has accepted.
class Load {
 public:
  Load(Replica& target, int workers) : target_(target) {
    for (int i = 0; i < workers; ++i) {
      // Distinct per worker: concurrent calls are never coalesced.
      threads_.emplace_back([this, i] { Run(/*page_size=*/1 + i); });
    }
  }

  ~Load() { Stop(); }

  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  // Closes the gate: no call starts until Resume. Returns the number of
  // calls started so far.
  int64_t Pause() {
    absl::MutexLock lock(&mu_);
    paused_ = true;
    return started_;
  }

  // Marks every call started from now on as "after SIGTERM" and reopens
  // the gate. Returns how many started calls had not finished.
  int64_t ResumeAfterSigterm() {
    absl::MutexLock lock(&mu_);
    after_sigterm_ = true;
    paused_ = false;
    return started_ - finished_before_;
  }

  // Waits until `n` calls have finished (deadline `timeout`).
  bool AwaitFinished(int64_t n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return finished_before_ >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }

  struct Tally {
    int64_t before_ok = 0;
    std::vector<grpc::Status> before_failed;
    int64_t after_ok = 0;
    int64_t after_refused = 0;  // UNAVAILABLE, or NeverReachedPerch
    std::vector<grpc::Status> after_other;
  };
  Tally tally() {
    absl::MutexLock lock(&mu_);
    return tally_;
  }

 private:
  void Run(int page_size) {
    bool refused = false;
    while (true) {
      bool after;
      {
        absl::MutexLock lock(&mu_);
        auto can_start = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return stop_ || !paused_;
        };
        mu_.Await(absl::Condition(&can_start));
        // After SIGTERM one refusal per worker is enough: the replica is
        // going away, and the loop must not spin against a closed port.
        if (stop_ || refused) return;
        after = after_sigterm_;
        ++started_;
      }
      const grpc::Status status = target_.Timeline(page_size);
      absl::MutexLock lock(&mu_);
      if (!after) {
        ++finished_before_;
        if (status.ok()) {
          ++tally_.before_ok;
        } else {
          tally_.before_failed.push_back(status);
        }
      } else if (status.ok()) {
        ++tally_.after_ok;
      } else if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                 NeverReachedPerch(status)) {
        ++tally_.after_refused;
        refused = true;
      } else {
        tally_.after_other.push_back(status);
        refused = true;
      }
    }
  }

  Replica& target_;
  std::vector<std::thread> threads_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  bool after_sigterm_ ABSL_GUARDED_BY(mu_) = false;
  int64_t started_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t finished_before_ ABSL_GUARDED_BY(mu_) = 0;
  Tally tally_ ABSL_GUARDED_BY(mu_);
};

TEST(Replicas, SigtermUnderLoadCompletesEveryAcceptedCallAndExitsZero) {
  auto upstream = StartEmulator();
  ASSERT_NE(upstream, nullptr);
  constexpr absl::Duration kGrace = absl::Seconds(10);
  auto replicas = StartReplicas(*upstream, kGrace);
  for (auto& r : replicas) ASSERT_TRUE(r->started());
  for (auto& r : replicas) ASSERT_TRUE(r->Timeline().ok());
  Replica& draining = *replicas[0];

  // Every upstream read takes 300 ms, so calls are in flight inside perch
  // when the signal comes.
  emulator::FaultRule slow;
  slow.path_prefix = TimelinePath();
  slow.latency = absl::Milliseconds(300);
  upstream->AddFault(slow);

  constexpr int kWorkers = 8;
  const int64_t reads_before = upstream->RequestCount(TimelinePath());
  Load load(draining, kWorkers);
  ASSERT_TRUE(load.AwaitFinished(2 * kWorkers, absl::Seconds(30)));

  // Stop starting calls, then wait until the upstream has seen a read for
  // every call started: each of them has been accepted by perch (with the
  // token cached, one call is exactly one upstream read). Only then
  // SIGTERM, so "accepted before the signal" is exact, not a guess.
  const int64_t started = load.Pause();
  const absl::Time until = absl::Now() + absl::Seconds(30);
  while (upstream->RequestCount(TimelinePath()) - reads_before < started &&
         absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_EQ(upstream->RequestCount(TimelinePath()) - reads_before, started);
  const absl::Time signalled = absl::Now();
  draining.process().Signal(SIGTERM);
  const int64_t in_flight = load.ResumeAfterSigterm();

  ASSERT_TRUE(draining.process().Exited(kGrace + absl::Seconds(5)))
      << draining.process().Output();
  const absl::Duration drain_time = absl::Now() - signalled;
  load.Stop();
  EXPECT_EQ(draining.process().exit_code(), 0) << draining.process().Output();
  EXPECT_LT(drain_time, kGrace);

  // Every call started before the signal finished, and finished OK; the
  // ones still in flight at the signal are the point of the test.
  const Load::Tally tally = load.tally();
  EXPECT_GT(in_flight, 0);
  EXPECT_EQ(tally.before_ok, started);
  for (const grpc::Status& s : tally.before_failed) {
    ADD_FAILURE() << "accepted call lost: " << s.error_code() << " "
                  << s.error_message();
  }
  // Calls started after the signal may still have been accepted (OK) or
  // refused (UNAVAILABLE, or gRPC's bare CANCELLED for a call no handler had
  // taken), nothing else.
  for (const grpc::Status& s : tally.after_other) {
    ADD_FAILURE() << "call after SIGTERM neither served nor refused: "
                  << s.error_code() << " " << s.error_message();
  }
  std::printf(
      "drain: %lld calls started before SIGTERM (%lld in flight at the "
      "signal), %lld OK; after it %lld served, %lld refused; exited %d "
      "after %s\n",
      static_cast<long long>(started), static_cast<long long>(in_flight),
      static_cast<long long>(tally.before_ok),
      static_cast<long long>(tally.after_ok),
      static_cast<long long>(tally.after_refused),
      draining.process().exit_code(), absl::FormatDuration(drain_time).c_str());

  // The other replicas never noticed.
  upstream->ClearFaults();
  for (int i = 1; i < kReplicas; ++i) {
    EXPECT_TRUE(replicas[i]->Timeline().ok());
  }
  EXPECT_TRUE(absl::StrContains(draining.process().Output(), "drained"));
}

}  // namespace
}  // namespace perch::testing
