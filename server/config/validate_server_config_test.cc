#include "server/config/validate_server_config.h"

#include <cmath>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace perch {
namespace {

using ::perch::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ServerConfig, MetricsNeverOnTheGrpcPort) {
  ServerConfig c;
  c.insecure_no_auth = true;
  c.listen = "0.0.0.0:50051";
  c.metrics_listen = "127.0.0.1:50051";
  EXPECT_NE(ValidateServerConfig(c).message().find("--metrics_listen"),
            std::string::npos);
  c.metrics_listen = "";
  EXPECT_TRUE(ValidateServerConfig(c).ok());
  c.listen = "127.0.0.1:0";  // both ephemeral: two different ports
  c.metrics_listen = "127.0.0.1:0";
  EXPECT_TRUE(ValidateServerConfig(c).ok());
}

TEST(ServerConfig, FlagsThatNeedEachOther) {
  ServerConfig c;
  c.api_keys_file = "/callers";
  c.tls_cert_file = "/c.pem";
  EXPECT_NE(ValidateServerConfig(c).message().find("--tls_key_file"),
            std::string::npos);
  c.tls_cert_file.clear();
  c.client_ca_file = "/ca.pem";
  EXPECT_NE(ValidateServerConfig(c).message().find("--client_ca_file"),
            std::string::npos);
  c.tls_cert_file = "/c.pem";
  c.tls_key_file = "/k.pem";
  EXPECT_TRUE(ValidateServerConfig(c).ok());
  c.api_keys_file.clear();
  c.insecure_no_auth = true;
  EXPECT_NE(ValidateServerConfig(c).message().find("--api_keys_file"),
            std::string::npos);
}

// The consumer secret and the token go to the upstream: in clear only to a
// loopback host, never across a network.
TEST(ServerConfig, PlainHttpUpstreamOnlyOnLoopback) {
  for (const char* url :
       {"http://127.0.0.1:8080", "http://127.3.4.5", "http://localhost:1/x",
        "http://LOCALHOST", "http://[::1]:9000", "http://[::1]",
        "https://api.twitter.com", "https://10.0.0.1"}) {
    ServerConfig c;
    c.insecure_no_auth = true;
    c.api_base_url = url;
    EXPECT_TRUE(ValidateServerConfig(c).ok()) << url;
  }
  for (const char* url :
       {"http://api.twitter.com", "http://10.0.0.1:80", "http://128.0.0.1",
        "http://localhost.evil.example", "http://127.0.0.1@evil.example",
        "http://evil.example#@127.0.0.1", "http://[::2]", "http://[::1",
        "http://127.1", "http://0x7f.0.0.1", "HTTP://api.twitter.com",
        "http://[::ffff:10.0.0.1]"}) {
    ServerConfig c;
    c.insecure_no_auth = true;
    c.api_base_url = url;
    absl::Status s = ValidateServerConfig(c);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                            HasSubstr("--api_base_url")))
        << url;
  }
}

// Every value is judged in the config, whoever filled it: a test's struct as
// much as the flags.
TEST(ServerConfig, EachValueInItsRange) {
  struct Case {
    const char* message;
    void (*spoil)(ServerConfig&);
  };
  const Case cases[] = {
      {"bad value for --listen", [](ServerConfig& c) { c.listen = ""; }},
      {"bad value for --api_base_url",
       [](ServerConfig& c) { c.api_base_url = "ftp://x"; }},
      {"bad value for --upstream_api: expected v2 or v1.1",
       [](ServerConfig& c) { c.upstream_api = "v3"; }},
      {"bad value for --name_cache_ttl",
       [](ServerConfig& c) { c.name_cache_ttl = absl::Seconds(-1); }},
      {"bad value for --credentials_reload_interval",
       [](ServerConfig& c) { c.credentials_reload_interval = {}; }},
      {"bad value for --shutdown_grace",
       [](ServerConfig& c) { c.shutdown_grace = absl::Seconds(-1); }},
      {"bad value for --max_call_time",
       [](ServerConfig& c) { c.max_call_time = {}; }},
      {"bad value for --upstream_max_connections",
       [](ServerConfig& c) { c.upstream_max_connections = -1; }},
      {"bad value for --cache_ttl",
       [](ServerConfig& c) { c.cache_ttl = absl::Seconds(-1); }},
      {"bad value for --tls_reload_interval",
       [](ServerConfig& c) {
         c.tls_reload_interval = absl::Milliseconds(999);
       }},
      {"bad value for --api_keys_reload_interval",
       [](ServerConfig& c) { c.api_keys_reload_interval = absl::Seconds(-1); }},
      {"bad value for --caller_rate",
       [](ServerConfig& c) { c.caller_rate = -1; }},
      {"bad value for --caller_rate",
       [](ServerConfig& c) { c.caller_rate = std::nan(""); }},
      {"bad value for --caller_burst",
       [](ServerConfig& c) { c.caller_burst = 0.5; }},
      {"bad value for --max_request_bytes",
       [](ServerConfig& c) { c.max_request_bytes = 1023; }},
      {"bad value for --upstream_max_response_bytes",
       [](ServerConfig& c) { c.upstream_max_response_bytes = 1023; }},
  };
  ServerConfig good;
  good.insecure_no_auth = true;
  EXPECT_TRUE(CheckServerConfigValues(good).ok());
  EXPECT_TRUE(ValidateServerConfig(good).ok());
  for (const Case& c : cases) {
    ServerConfig config = good;
    c.spoil(config);
    EXPECT_EQ(CheckServerConfigValues(config).message(), c.message);
    EXPECT_THAT(ValidateServerConfig(config),
                StatusIs(absl::StatusCode::kInvalidArgument, c.message));
  }
}

}  // namespace
}  // namespace perch
