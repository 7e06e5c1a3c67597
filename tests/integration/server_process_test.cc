// The perch-server binary as operators run it: a child process configured
// by environment, talking to an in-process emulator. Checks what only the
// real process shows: health and reflection, its refusal to start without
// credentials, draining on SIGTERM, and that no secret ever reaches its
// output.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "emulator/emulator.h"
#include "grpc/health/v1/health.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "perch/v1/read_service.grpc.pb.h"
#include "perch/v1/token_service.grpc.pb.h"

extern char** environ;

namespace perch::testing {
namespace {

// Canary credentials: if any of these bytes show up in the server's output,
// a secret leaked.
constexpr char kCanaryKey[] = "canaryKEY7d1f0c";
constexpr char kCanarySecret[] = "canarySECRET9b2e4a77";
// Every emulator token starts with this run of 'A's.
constexpr char kTokenPrefix[] = "AAAAAAAAAAAAAAAAAAAAA";

class ServerProcess {
 public:
  // Starts perch-server with `args` and exactly the environment `env`.
  ServerProcess(std::vector<std::string> args, std::vector<std::string> env) {
    char path[] = "/tmp/perch_server_log_XXXXXX";
    const int fd = mkstemp(path);
    log_path_ = path;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fd, STDERR_FILENO);
    args.insert(args.begin(), PERCH_SERVER_BINARY);
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, PERCH_SERVER_BINARY, &actions, nullptr,
                          argv.data(), envp.data()),
              0);
    posix_spawn_file_actions_destroy(&actions);
    close(fd);
  }

  ~ServerProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    unlink(log_path_.c_str());
  }

  std::string Output() const {
    std::ifstream in(log_path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // The port from the "listening" log line, or 0 after `timeout`.
  int WaitForPort(absl::Duration timeout) {
    const absl::Time end = absl::Now() + timeout;
    while (absl::Now() < end) {
      const std::string out = Output();
      const size_t at = out.find("(port ");
      if (at != std::string::npos) {
        int port = 0;
        const size_t close = out.find(')', at);
        if (absl::SimpleAtoi(out.substr(at + 6, close - at - 6), &port))
          return port;
      }
      if (Exited(absl::ZeroDuration())) return 0;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return 0;
  }

  // True once the process has exited (waiting up to `timeout`).
  bool Exited(absl::Duration timeout) {
    const absl::Time end = absl::Now() + timeout;
    do {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return true;
      }
      if (exited_) return true;
      absl::SleepFor(absl::Milliseconds(20));
    } while (absl::Now() < end);
    return false;
  }

  void Signal(int sig) { kill(pid_, sig); }
  int exit_code() const { return exit_code_; }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
  std::string log_path_;
};

std::unique_ptr<grpc::ClientContext> Deadline(absl::Duration d) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(absl::ToChronoTime(absl::Now() + d));
  return c;
}

grpc::Status HealthCheck(grpc::Channel& channel,
                         grpc::health::v1::HealthCheckResponse* out) {
  grpc::TemplatedGenericStub<grpc::health::v1::HealthCheckRequest,
                             grpc::health::v1::HealthCheckResponse>
      stub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::health::v1::HealthCheckRequest request;
  auto context = Deadline(absl::Seconds(5));
  absl::Notification done;
  grpc::Status result;
  stub.UnaryCall(context.get(), "/grpc.health.v1.Health/Check",
                 grpc::StubOptions(), &request, out, [&](grpc::Status s) {
                   result = s;
                   done.Notify();
                 });
  done.WaitForNotification();
  return result;
}

std::vector<std::string> ReflectedServices(grpc::Channel& channel) {
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  auto context = Deadline(absl::Seconds(5));
  auto stream = stub->ServerReflectionInfo(context.get());
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("*");
  std::vector<std::string> names;
  if (!stream->Write(request)) return names;
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  while (stream->Read(&response)) {
    for (const auto& s : response.list_services_response().service()) {
      names.push_back(s.name());
    }
  }
  stream->Finish();
  return names;
}

std::unique_ptr<emulator::Emulator> StartEmulator() {
  emulator::EmulatorOptions options;
  options.app_key = kCanaryKey;
  options.app_secret = kCanarySecret;
  auto e = emulator::Emulator::Start(options);
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? *std::move(e) : nullptr;
}

TEST(ServerProcess, RefusesToStartWithoutCredentialsAndSaysWhich) {
  ServerProcess server({"--listen=127.0.0.1:0"},
                       {"PERCH_CONSUMER_KEY=somekey"});
  ASSERT_TRUE(server.Exited(absl::Seconds(20)));
  EXPECT_EQ(server.exit_code(), 2);
  EXPECT_EQ(server.Output(),
            "perch-server: missing consumer secret: set --consumer_secret_file "
            "or PERCH_CONSUMER_SECRET\n");
}

TEST(ServerProcess, ServesHealthReflectionAndNeverLogsSecrets) {
  auto emulator = StartEmulator();
  ASSERT_NE(emulator, nullptr);
  ServerProcess server(
      {"--listen=127.0.0.1:0", "--shutdown_grace=10s"},
      {absl::StrCat("PERCH_CONSUMER_KEY=", kCanaryKey),
       absl::StrCat("PERCH_CONSUMER_SECRET=", kCanarySecret, "\n"),
       absl::StrCat("PERCH_API_BASE_URL=", emulator->base_url())});
  const int port = server.WaitForPort(absl::Seconds(20));
  ASSERT_GT(port, 0) << "server output withheld (it might hold secrets)";
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());

  grpc::health::v1::HealthCheckResponse health;
  ASSERT_TRUE(HealthCheck(*channel, &health).ok());
  EXPECT_EQ(health.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  std::vector<std::string> services = ReflectedServices(*channel);
  for (const char* name : {"perch.v1.TokenService", "perch.v1.ReadService",
                           "grpc.health.v1.Health"}) {
    EXPECT_NE(std::find(services.begin(), services.end(), name), services.end())
        << name;
  }

  // Every token path: obtain, a read, revoked behind perch's back (401/89 →
  // re-obtain), invalidate, a rejected invalidation, an upstream error.
  auto tokens = v1::TokenService::NewStub(channel);
  auto reads = v1::ReadService::NewStub(channel);
  v1::ObtainResponse obtained;
  ASSERT_TRUE(
      tokens->Obtain(Deadline(absl::Seconds(5)).get(), {}, &obtained).ok());
  v1::GetTimelineRequest timeline;
  timeline.set_screen_name("perch_dev");
  v1::GetTimelineResponse page;
  reads->GetTimeline(Deadline(absl::Seconds(5)).get(), timeline, &page);
  emulator->RevokeCurrentToken();
  grpc::Status after_revoke =
      reads->GetTimeline(Deadline(absl::Seconds(5)).get(), timeline, &page);
  EXPECT_NE(after_revoke.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::InvalidateResponse invalidated;
  ASSERT_TRUE(
      tokens->Invalidate(Deadline(absl::Seconds(5)).get(), {}, &invalidated)
          .ok());
  emulator->RevokeCurrentToken();
  tokens->Obtain(Deadline(absl::Seconds(5)).get(), {}, &obtained);
  emulator->RevokeCurrentToken();
  EXPECT_EQ(
      tokens->Invalidate(Deadline(absl::Seconds(5)).get(), {}, &invalidated)
          .error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);

  // Drain: an RPC in flight when SIGTERM arrives still completes; the
  // process then exits 0.
  emulator::FaultRule slow;
  slow.path_prefix = "/1.1/statuses/user_timeline.json";
  slow.latency = absl::Milliseconds(800);
  emulator->AddFault(slow);
  const int64_t reads_before =
      emulator->RequestCount("/1.1/statuses/user_timeline.json");
  grpc::ClientContext in_flight_context;
  in_flight_context.set_deadline(
      absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  grpc::Status in_flight_status;
  absl::Notification in_flight_done;
  reads->async()->GetTimeline(&in_flight_context, &timeline, &page,
                              [&](grpc::Status s) {
                                in_flight_status = s;
                                in_flight_done.Notify();
                              });
  const absl::Time until = absl::Now() + absl::Seconds(5);
  while (emulator->RequestCount("/1.1/statuses/user_timeline.json") ==
             reads_before &&
         absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  server.Signal(SIGTERM);
  ASSERT_TRUE(in_flight_done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(in_flight_status.ok()) << in_flight_status.error_message();
  ASSERT_TRUE(server.Exited(absl::Seconds(15)));
  EXPECT_EQ(server.exit_code(), 0);

  const std::string output = server.Output();
  EXPECT_FALSE(absl::StrContains(output, kCanarySecret)) << "secret in output";
  EXPECT_FALSE(absl::StrContains(output, kCanaryKey)) << "key in output";
  EXPECT_FALSE(absl::StrContains(output, kTokenPrefix)) << "token in output";
  EXPECT_TRUE(absl::StrContains(output, "fingerprint="));
  EXPECT_TRUE(absl::StrContains(output, "received SIGTERM"));
}

}  // namespace
}  // namespace perch::testing
