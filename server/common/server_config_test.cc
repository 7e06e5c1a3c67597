#include "server/common/server_config.h"

#include <map>

#include "gtest/gtest.h"

namespace perch {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ServerConfig, DefaultsWithoutFlagsOrEnvironment) {
  auto c = ParseServerConfig({"perch-server"}, FakeEnv({}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->listen, "0.0.0.0:50051");
  EXPECT_EQ(c->api_base_url, "https://api.twitter.com");
  EXPECT_EQ(c->shutdown_grace, absl::Seconds(20));
  EXPECT_FALSE(c->emulate);
}

TEST(ServerConfig, FlagsWinOverEnvironmentWhichWinsOverDefaults) {
  auto c = ParseServerConfig(
      {"perch-server", "--listen=127.0.0.1:9", "--shutdown_grace", "5s",
       "--emulate", "--cache_ttl=2s"},
      FakeEnv({{"PERCH_LISTEN", "0.0.0.0:1"},
               {"PERCH_API_BASE_URL", "http://127.0.0.1:8080/"},
               {"PERCH_CA_FILE", "/etc/ca.pem"}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->listen, "127.0.0.1:9");
  EXPECT_EQ(c->api_base_url, "http://127.0.0.1:8080");
  EXPECT_EQ(c->ca_file, "/etc/ca.pem");
  EXPECT_EQ(c->shutdown_grace, absl::Seconds(5));
  EXPECT_TRUE(c->emulate);
  EXPECT_EQ(c->cache_ttl, absl::Seconds(2));
}

TEST(ServerConfig, BadInputNamesTheFlag) {
  auto unknown = ParseServerConfig({"perch-server", "--nope=1"}, FakeEnv({}));
  EXPECT_NE(unknown.status().message().find("--nope"), std::string::npos);
  auto bad =
      ParseServerConfig({"perch-server", "--shutdown_grace=soon"}, FakeEnv({}));
  EXPECT_NE(bad.status().message().find("--shutdown_grace"), std::string::npos);
  auto url = ParseServerConfig({"perch-server", "--api_base_url=ftp://x"},
                               FakeEnv({}));
  EXPECT_FALSE(url.ok());
  auto missing = ParseServerConfig({"perch-server", "--listen"}, FakeEnv({}));
  EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace perch
