// Helpers for the caller-security suites: callers files written the way
// Kubernetes updates a mounted Secret, API-key metadata, TLS channels, and
// every perch.v1 method called by name. Header-only; tests only.
#ifndef PERCH_TESTS_INTEGRATION_SECURITY_TEST_UTIL_H_
#define PERCH_TESTS_INTEGRATION_SECURITY_TEST_UTIL_H_

#include <openssl/sha.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "perch/v1/read_service.grpc.pb.h"
#include "perch/v1/token_service.grpc.pb.h"
#include "tests/testing/text_proto.h"

namespace perch::testing {

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh directory under the test's temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = absl::StrCat(::testing::TempDir(), "/perch_sec_XXXXXX");
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string File(absl::string_view name) const {
    return absl::StrCat(path_, "/", name);
  }

  // Replaces `name` atomically (a new file renamed over it), as a
  // Kubernetes Secret update does.
  void Write(absl::string_view name, absl::string_view content) const {
    const std::string tmp = File(absl::StrCat(name, ".tmp"));
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << content;
    }
    ASSERT_EQ(std::rename(tmp.c_str(), File(name).c_str()), 0);
  }

 private:
  std::string path_;
};

// The callers-file column for an API key: its SHA-256 in hex.
inline std::string KeyHash(absl::string_view key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

inline std::string CallerLine(absl::string_view name, absl::string_view key,
                              absl::string_view roles,
                              absl::string_view options = "") {
  return absl::StrCat(name, " ", KeyHash(key), " ", roles,
                      options.empty() ? "" : " ", options, "\n");
}

// The two readers the process suites call as: "reports", with room for every
// call a suite makes (more than the default per-caller burst), and "noisy",
// whose quota allows one call and then throttles (rate=0.001: the bucket
// does not refill during a test).
inline std::string ReportsAndNoisyCallers(absl::string_view reports_key,
                                          absl::string_view noisy_key) {
  return absl::StrCat(
      CallerLine("reports", reports_key, "reader", "rate=100 burst=100"),
      CallerLine("noisy", noisy_key, "reader", "rate=0.001 burst=1"));
}

// A context with a deadline and, when `api_key` is not empty, the key as
// "authorization: Bearer <key>".
inline std::unique_ptr<grpc::ClientContext> KeyedContext(
    absl::string_view api_key, absl::Duration timeout = absl::Seconds(10)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!api_key.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", api_key));
  }
  return context;
}

// A channel with its own connection (no subchannel shared with other
// channels), so each one makes its own handshake.
inline std::shared_ptr<grpc::Channel> OwnChannel(
    const std::string& target,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // The test server certificates name localhost (and 127.0.0.1).
  args.SetSslTargetNameOverride("localhost");
  return grpc::CreateCustomChannel(target, credentials, args);
}

// TLS credentials trusting `ca_file`, presenting `cert`/`key` if given.
inline std::shared_ptr<grpc::ChannelCredentials> TlsCredentials(
    const std::string& ca_file, const std::string& cert_file = "",
    const std::string& key_file = "") {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadWholeFile(ca_file);
  if (!cert_file.empty()) {
    options.pem_cert_chain = ReadWholeFile(cert_file);
    options.pem_private_key = ReadWholeFile(key_file);
  }
  return grpc::SslCredentials(options);
}

// `bytes` sent as the request of `method` in `context`, unparsed on this
// side (e.g. bytes that are not a valid message); the response's bytes are
// appended to `response_bytes` when given.
inline grpc::Status SendRawBytes(grpc::Channel& channel,
                                 grpc::ClientContext& context,
                                 const std::string& method,
                                 const std::string& bytes,
                                 std::string* response_bytes = nullptr) {
  grpc::GenericStub stub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  absl::Notification done;
  grpc::Status result;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   result = s;
                   done.Notify();
                 });
  done.WaitForNotification();
  std::vector<grpc::Slice> slices;
  if (response_bytes != nullptr && response.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      response_bytes->append(reinterpret_cast<const char*>(s.begin()),
                             s.size());
    }
  }
  return result;
}

// The same with a context of its own (10 s deadline, no key).
inline grpc::Status SendRawBytes(grpc::Channel& channel,
                                 const std::string& method,
                                 const std::string& bytes) {
  auto context = KeyedContext("");
  return SendRawBytes(channel, *context, method, bytes);
}

// Every perch.v1 method, called with a valid request: the methods the gate
// guards, by name.
struct GuardedMethod {
  std::string name;
  bool admin;  // needs the admin role
  std::function<grpc::Status(grpc::Channel&, grpc::ClientContext*,
                             std::string* response_bytes)>
      call;
};

// One unary call of `rpc` (a generated stub's method) on `channel`; the
// response's bytes go to `response_bytes` when it is not null.
template <typename Stub, typename Request, typename Response>
grpc::Status UnaryCall(grpc::Channel& channel, grpc::ClientContext* context,
                       grpc::Status (Stub::*rpc)(grpc::ClientContext*,
                                                 const Request&, Response*),
                       const Request& request, Response* response,
                       std::string* response_bytes = nullptr) {
  Stub stub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::Status status = (stub.*rpc)(context, request, response);
  if (response_bytes != nullptr)
    *response_bytes = response->SerializeAsString();
  return status;
}

// `name`, guarded as `admin` says, called as `rpc` with `request`.
template <typename Stub, typename Request, typename Response>
GuardedMethod Guarded(std::string name, bool admin,
                      grpc::Status (Stub::*rpc)(grpc::ClientContext*,
                                                const Request&, Response*),
                      const std::string& request) {
  return {std::move(name), admin,
          [rpc, request = TextProto<Request>(request)](
              grpc::Channel& c, grpc::ClientContext* context,
              std::string* response_bytes) {
            Response response;
            return UnaryCall(c, context, rpc, request, &response,
                             response_bytes);
          }};
}

inline std::vector<GuardedMethod> AllGuardedMethods() {
  using Reads = v1::ReadService::Stub;
  using Tokens = v1::TokenService::Stub;
  return {
      Guarded("Obtain", true, &Tokens::Obtain, ""),
      Guarded("Invalidate", true, &Tokens::Invalidate, ""),
      Guarded("GetTimeline", false, &Reads::GetTimeline,
              "screen_name: 'perch_dev' page_size: 5"),
      Guarded("Search", false, &Reads::Search, "query: 'perch' page_size: 5"),
      Guarded("GetFollowers", false, &Reads::GetFollowers,
              "screen_name: 'perch_dev' page_size: 5"),
      Guarded("GetList", false, &Reads::GetList,
              "slug { owner_screen_name: 'perch_dev' slug: 'engineering' } "
              "page_size: 5"),
  };
}

// The method of AllGuardedMethods() called `name`; aborts on a name that
// is not one (a typo in a test).
inline const GuardedMethod& GuardedMethodNamed(absl::string_view name) {
  static const auto* methods =
      new std::vector<GuardedMethod>(AllGuardedMethods());
  for (const GuardedMethod& m : *methods) {
    if (m.name == name) return m;
  }
  std::abort();
}

// Every token the emulator issues starts with this run of 'A's: a canary
// for a bearer token in output.
constexpr char kEmulatorTokenPrefix[] = "AAAAAAAAAAAAAAAAAAAAA";

// grpc.health.v1.Health/Check for the whole server (or the entry named
// `service`), with no credentials.
inline grpc::Status HealthCheck(grpc::Channel& channel,
                                const std::string& service = "") {
  grpc::TemplatedGenericStub<grpc::health::v1::HealthCheckRequest,
                             grpc::health::v1::HealthCheckResponse>
      stub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  absl::Notification done;
  grpc::Status result;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                 &request, &response, [&](grpc::Status s) {
                   result = s;
                   done.Notify();
                 });
  done.WaitForNotification();
  if (result.ok() &&
      response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "not SERVING");
  }
  return result;
}

// Calls `attempt` until it returns true or `timeout` passes; true if it did.
inline bool Eventually(const std::function<bool()>& attempt,
                       absl::Duration timeout = absl::Seconds(20)) {
  const absl::Time end = absl::Now() + timeout;
  while (true) {
    if (attempt()) return true;
    if (absl::Now() >= end) return false;
    absl::SleepFor(absl::Milliseconds(50));
  }
}

}  // namespace perch::testing

#endif  // PERCH_TESTS_INTEGRATION_SECURITY_TEST_UTIL_H_
