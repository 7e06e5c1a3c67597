// The perch-server binary as operators run it: a child process configured
// by environment, talking to an in-process emulator. Checks what only the
// real process shows: health and reflection, its refusal to start without
// credentials, draining on SIGTERM, and that no secret ever reaches its
// output.
#include "tests/integration/server_process.h"

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
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "perch/v1/read_service.grpc.pb.h"
#include "perch/v1/token_service.grpc.pb.h"
#include "tests/integration/dialects.h"
#include "tests/testing/status_matchers.h"

extern char** environ;

namespace perch::testing {
namespace {

using ::testing::Not;

// Canary credentials: if any of these bytes show up in the server's output,
// a secret leaked.
constexpr char kCanaryKey[] = "canaryKEY7d1f0c";
constexpr char kCanarySecret[] = "canarySECRET9b2e4a77";
// Every emulator token starts with this run of 'A's.
constexpr char kTokenPrefix[] = "AAAAAAAAAAAAAAAAAAAAA";

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

// The services listed by reflection version `Reflection` (v1 or v1alpha).
template <typename Reflection, typename Request, typename Response>
std::vector<std::string> ReflectedServices(grpc::Channel& channel) {
  auto stub = Reflection::NewStub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  auto context = Deadline(absl::Seconds(5));
  auto stream = stub->ServerReflectionInfo(context.get());
  Request request;
  request.set_list_services("*");
  std::vector<std::string> names;
  if (!stream->Write(request)) return names;
  stream->WritesDone();
  Response response;
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
  ServerProcess server({"--listen=127.0.0.1:0", "--insecure_no_auth"},
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
      {"--listen=127.0.0.1:0", "--insecure_no_auth", "--shutdown_grace=10s"},
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

  namespace v1r = grpc::reflection::v1;
  namespace v1alpha = grpc::reflection::v1alpha;
  std::vector<std::string> services =
      ReflectedServices<v1r::ServerReflection, v1r::ServerReflectionRequest,
                        v1r::ServerReflectionResponse>(*channel);
  EXPECT_EQ(services,
            (std::vector<std::string>{
                "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                "grpc.reflection.v1alpha.ServerReflection",
                "perch.v1.ReadService", "perch.v1.TokenService"}));
  EXPECT_EQ((ReflectedServices<v1alpha::ServerReflection,
                               v1alpha::ServerReflectionRequest,
                               v1alpha::ServerReflectionResponse>(*channel)),
            services);

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
  EXPECT_THAT(after_revoke, Not(StatusIs(grpc::StatusCode::UNAUTHENTICATED)));
  v1::InvalidateResponse invalidated;
  ASSERT_TRUE(
      tokens->Invalidate(Deadline(absl::Seconds(5)).get(), {}, &invalidated)
          .ok());
  emulator->RevokeCurrentToken();
  tokens->Obtain(Deadline(absl::Seconds(5)).get(), {}, &obtained);
  emulator->RevokeCurrentToken();
  EXPECT_THAT(
      tokens->Invalidate(Deadline(absl::Seconds(5)).get(), {}, &invalidated),
      StatusIs(grpc::StatusCode::FAILED_PRECONDITION));

  // Drain: an RPC in flight when SIGTERM arrives still completes; the
  // process then exits 0.
  // v2 by default (the start line below says so).
  const std::string timeline_path = PathsOf(kV2).timeline;
  emulator::FaultRule slow;
  slow.path_prefix = timeline_path;
  slow.latency = absl::Milliseconds(800);
  emulator->AddFault(slow);
  const int64_t reads_before = emulator->RequestCount(timeline_path);
  grpc::ClientContext in_flight_context;
  // Room for a loaded machine: the poll below waits as long as this.
  in_flight_context.set_deadline(
      absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  grpc::Status in_flight_status;
  absl::Notification in_flight_done;
  reads->async()->GetTimeline(&in_flight_context, &timeline, &page,
                              [&](grpc::Status s) {
                                in_flight_status = s;
                                in_flight_done.Notify();
                              });
  const absl::Time until = absl::Now() + absl::Seconds(30);
  while (emulator->RequestCount(timeline_path) == reads_before &&
         absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_GT(emulator->RequestCount(timeline_path), reads_before)
      << "the read is in flight upstream";
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
  EXPECT_TRUE(absl::StrContains(output, "upstream v2 at ")) << "the default";
}

}  // namespace
}  // namespace perch::testing
