#include "server/auth/load_app_credentials.h"

#include <cstdio>
#include <fstream>

#include "gtest/gtest.h"
#include "server/common/testing/map_env.h"

namespace perch::auth {
namespace {

using ::perch::testing::MapEnv;

std::string WriteTemp(const std::string& content) {
  char path[] = "/tmp/perch_cred_XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  FILE* f = fdopen(fd, "w");
  fputs(content.c_str(), f);
  fclose(f);
  return path;
}

TEST(LoadAppCredentials, FilesWinAndTrailingNewlinesAreStripped) {
  ServerConfig config;
  config.consumer_key_file = WriteTemp("file-key\n");
  config.consumer_secret_file = WriteTemp("file-secret\r\n\n");
  auto c = LoadAppCredentials(
      config, MapEnv({{"PERCH_CONSUMER_KEY", "env-key"},
                      {"PERCH_CONSUMER_SECRET", "env-secret"}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->consumer_key, "file-key");
  EXPECT_EQ(c->consumer_secret, "file-secret");
  std::remove(config.consumer_key_file.c_str());
  std::remove(config.consumer_secret_file.c_str());
}

TEST(LoadAppCredentials, EnvironmentIsTheFallback) {
  auto c = LoadAppCredentials(
      ServerConfig{},
      MapEnv({{"PERCH_CONSUMER_KEY", "k\n"}, {"PERCH_CONSUMER_SECRET", "s"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->consumer_key, "k");
}

TEST(LoadAppCredentials, MissingOrEmptySaysWhichAndNoValue) {
  auto no_secret = LoadAppCredentials(
      ServerConfig{}, MapEnv({{"PERCH_CONSUMER_KEY", "visible-key-value"}}));
  EXPECT_EQ(no_secret.status().message(),
            "missing consumer secret: set --consumer_secret_file or "
            "PERCH_CONSUMER_SECRET");
  auto empty_key = LoadAppCredentials(
      ServerConfig{},
      MapEnv({{"PERCH_CONSUMER_KEY", "\n"}, {"PERCH_CONSUMER_SECRET", "s"}}));
  EXPECT_EQ(
      empty_key.status().message(),
      "missing consumer key: set --consumer_key_file or PERCH_CONSUMER_KEY");
}

}  // namespace
}  // namespace perch::auth
