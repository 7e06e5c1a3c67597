#include "server/server_flags.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/testing/map_env.h"
#include "server/config/validate_server_config.h"
#include "tests/testing/status_matchers.h"

namespace perch {
namespace {

using ::perch::testing::MapEnv;
using ::perch::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ServerConfig, DefaultsWithoutFlagsOrEnvironment) {
  auto c = ParseServerConfig({"perch-server"}, MapEnv({}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->listen, "0.0.0.0:50051");
  EXPECT_EQ(c->api_base_url, "https://api.x.com");
  EXPECT_EQ(c->upstream_api, "v2");
  EXPECT_EQ(c->name_cache_ttl, absl::Hours(1));
  EXPECT_EQ(c->shutdown_grace, absl::Seconds(20));
  EXPECT_FALSE(c->insecure_no_auth);
}

TEST(ServerConfig, FlagsWinOverEnvironmentWhichWinsOverDefaults) {
  auto c = ParseServerConfig(
      {"perch-server", "--listen=127.0.0.1:9", "--shutdown_grace", "5s",
       "--insecure_no_auth", "--cache_ttl=2s"},
      MapEnv({{"PERCH_LISTEN", "0.0.0.0:1"},
              {"PERCH_API_BASE_URL", "http://127.0.0.1:8080/"},
              {"PERCH_CA_FILE", "/etc/ca.pem"}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->listen, "127.0.0.1:9");
  EXPECT_EQ(c->api_base_url, "http://127.0.0.1:8080");
  EXPECT_EQ(c->ca_file, "/etc/ca.pem");
  EXPECT_EQ(c->shutdown_grace, absl::Seconds(5));
  EXPECT_TRUE(c->insecure_no_auth);
  EXPECT_EQ(c->cache_ttl, absl::Seconds(2));
}

TEST(ServerConfig, LogFormatFromFlagOrEnvironmentTextByDefault) {
  auto defaults = ParseServerConfig({"perch-server"}, MapEnv({}));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->log_format, LogFormat::kText);
  auto env = ParseServerConfig({"perch-server"},
                               MapEnv({{"PERCH_LOG_FORMAT", "json"}}));
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->log_format, LogFormat::kJson);
  auto flag = ParseServerConfig({"perch-server", "--log_format=text"},
                                MapEnv({{"PERCH_LOG_FORMAT", "json"}}));
  ASSERT_TRUE(flag.ok()) << flag.status();
  EXPECT_EQ(flag->log_format, LogFormat::kText);
  auto bad =
      ParseServerConfig({"perch-server", "--log_format=xml"}, MapEnv({}));
  EXPECT_NE(bad.status().message().find("--log_format"), std::string::npos);
}

TEST(ServerConfig, MetricsListenDefaultsOnAndEmptyTurnsItOff) {
  auto defaults = ParseServerConfig({"perch-server"}, MapEnv({}));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->metrics_listen, "0.0.0.0:9464");
  auto env = ParseServerConfig(
      {"perch-server"}, MapEnv({{"PERCH_METRICS_LISTEN", "127.0.0.1:9100"}}));
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->metrics_listen, "127.0.0.1:9100");
  auto off = ParseServerConfig({"perch-server", "--metrics_listen="},
                               MapEnv({{"PERCH_METRICS_LISTEN", "x:1"}}));
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_EQ(off->metrics_listen, "");
}

TEST(ServerConfig, BadInputNamesTheFlag) {
  auto unknown = ParseServerConfig({"perch-server", "--nope=1"}, MapEnv({}));
  EXPECT_NE(unknown.status().message().find("--nope"), std::string::npos);
  auto bad =
      ParseServerConfig({"perch-server", "--shutdown_grace=soon"}, MapEnv({}));
  EXPECT_NE(bad.status().message().find("--shutdown_grace"), std::string::npos);
  auto url =
      ParseServerConfig({"perch-server", "--api_base_url=ftp://x"}, MapEnv({}));
  EXPECT_FALSE(url.ok());
  auto missing = ParseServerConfig({"perch-server", "--listen"}, MapEnv({}));
  EXPECT_FALSE(missing.ok());
}

TEST(ServerConfig, UpstreamApiAndNameCacheTtlFromFlagsOrEnvironment) {
  auto flags = ParseServerConfig(
      {"perch-server", "--upstream_api=v2", "--name_cache_ttl=90s"},
      MapEnv({{"PERCH_UPSTREAM_API", "v1.1"}}));
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->upstream_api, "v2");
  EXPECT_EQ(flags->name_cache_ttl, absl::Seconds(90));

  auto env = ParseServerConfig(
      {"perch-server"},
      MapEnv({{"PERCH_UPSTREAM_API", "v1.1"}, {"PERCH_NAME_CACHE_TTL", "0s"}}));
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->upstream_api, "v1.1");
  EXPECT_EQ(env->name_cache_ttl, absl::ZeroDuration());

  auto v11 =
      ParseServerConfig({"perch-server", "--upstream_api", "v1.1"}, MapEnv({}));
  ASSERT_TRUE(v11.ok()) << v11.status();
  EXPECT_EQ(v11->upstream_api, "v1.1");
}

// A dialect perch does not speak is refused before anything starts, naming
// the flag and what it accepts.
TEST(ServerConfig, UnknownUpstreamApiNamesTheFlagAndTheChoices) {
  for (const char* value : {"v1", "V2", "2", "", "v2 "}) {
    auto c = ParseServerConfig(
        {"perch-server", absl::StrCat("--upstream_api=", value)}, MapEnv({}));
    EXPECT_THAT(c,
                StatusIs(absl::StatusCode::kInvalidArgument,
                         "bad value for --upstream_api: expected v2 or v1.1"))
        << value;
  }
  auto env = ParseServerConfig({"perch-server"},
                               MapEnv({{"PERCH_UPSTREAM_API", "v3"}}));
  EXPECT_EQ(env.status().message(),
            "bad value for --upstream_api: expected v2 or v1.1");
  auto ttl =
      ParseServerConfig({"perch-server", "--name_cache_ttl=-1s"}, MapEnv({}));
  EXPECT_EQ(ttl.status().message(), "bad value for --name_cache_ttl");
}

TEST(ServerConfig, CredentialsReloadIntervalParses) {
  auto c = ParseServerConfig(
      {"perch-server", "--credentials_reload_interval=250ms"}, MapEnv({}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->credentials_reload_interval, absl::Milliseconds(250));
  auto defaults = ParseServerConfig({"perch-server"}, MapEnv({}));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->credentials_reload_interval, absl::Seconds(10));
  // A timer of zero would spin.
  EXPECT_EQ(
      ParseServerConfig({"perch-server", "--credentials_reload_interval=0s"},
                        MapEnv({}))
          .status()
          .message(),
      "bad value for --credentials_reload_interval");
}

TEST(ServerConfig, SecurityFlagsParse) {
  auto c = ParseServerConfig(
      {"perch-server", "--tls_cert_file=/c.pem", "--tls_key_file=/k.pem",
       "--client_ca_file=/ca.pem", "--api_keys_file=/callers",
       "--caller_rate=2.5", "--caller_burst=7", "--max_request_bytes=4096",
       "--api_keys_reload_interval=1s", "--tls_reload_interval=2s"},
      MapEnv({{"PERCH_UPSTREAM_MAX_RESPONSE_BYTES", "2048"}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->tls_cert_file, "/c.pem");
  EXPECT_EQ(c->tls_key_file, "/k.pem");
  EXPECT_EQ(c->client_ca_file, "/ca.pem");
  EXPECT_EQ(c->api_keys_file, "/callers");
  EXPECT_EQ(c->caller_rate, 2.5);
  EXPECT_EQ(c->caller_burst, 7);
  EXPECT_EQ(c->max_request_bytes, 4096);
  EXPECT_EQ(c->upstream_max_response_bytes, 2048);
  EXPECT_EQ(c->api_keys_reload_interval, absl::Seconds(1));
  EXPECT_EQ(c->tls_reload_interval, absl::Seconds(2));
  EXPECT_FALSE(c->insecure_no_auth);
  EXPECT_TRUE(ValidateServerConfig(*c).ok());

  auto defaults = ParseServerConfig({"perch-server"}, MapEnv({}));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->max_request_bytes, 65536);
  EXPECT_FALSE(
      ParseServerConfig({"perch-server", "--caller_rate=-1"}, MapEnv({})).ok());
  EXPECT_FALSE(
      ParseServerConfig({"perch-server", "--caller_burst=0"}, MapEnv({})).ok());
}

// --help is generated from the definitions: every flag with its default and
// the variable it falls back to (docs/deploy.md sends readers there).
TEST(ServerConfig, HelpListsEveryFlagWithDefaultAndEnvironmentVariable) {
  const std::string usage = ServerUsage();
  for (const char* line :
       {"  --listen (default: 0.0.0.0:50051) $PERCH_LISTEN\n",
        "  --shutdown_grace (default: 20s) $PERCH_SHUTDOWN_GRACE\n",
        "  --insecure_no_auth (default: false) $PERCH_INSECURE_NO_AUTH\n",
        "  --consumer_secret_file (default: \"\") "
        "$PERCH_CONSUMER_SECRET_FILE\n",
        "  --api_keys_file (default: \"\") $PERCH_API_KEYS_FILE\n",
        "PERCH_CONSUMER_KEY/PERCH_CONSUMER_SECRET"}) {
    EXPECT_NE(usage.find(line), std::string::npos) << line;
  }
}

// Without any caller authentication perch starts only when told to, in so
// many words.
TEST(ServerConfig, NoAuthenticationNeedsInsecureNoAuth) {
  auto none = ParseServerConfig({"perch-server"}, MapEnv({}));
  ASSERT_TRUE(none.ok());
  absl::Status refused = ValidateServerConfig(*none);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("--insecure_no_auth")));
  EXPECT_EQ(refused.message().find('\n'), std::string::npos);

  auto insecure = ParseServerConfig({"perch-server"},
                                    MapEnv({{"PERCH_INSECURE_NO_AUTH", "1"}}));
  ASSERT_TRUE(insecure.ok());
  EXPECT_TRUE(insecure->insecure_no_auth);
  EXPECT_TRUE(ValidateServerConfig(*insecure).ok());

  auto both = ParseServerConfig(
      {"perch-server", "--insecure_no_auth", "--api_keys_file=/callers"},
      MapEnv({}));
  ASSERT_TRUE(both.ok());
  EXPECT_FALSE(ValidateServerConfig(*both).ok());
}

}  // namespace
}  // namespace perch
