#include "server/common/command_line.h"

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/testing/map_env.h"
#include "tests/testing/status_matchers.h"

ABSL_FLAG(std::string, word, "default", "a word to say");
ABSL_FLAG(bool, loud, false, "say it loudly");
ABSL_FLAG(int, times, 1, "how often to say it");
ABSL_FLAG(absl::Duration, pause, absl::Seconds(2), "between two sayings");

namespace perch::flags {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using ::perch::testing::MapEnv;
using ::perch::testing::StatusIs;

ParseOptions WithPositionals() {
  ParseOptions options;
  options.positionals = true;
  return options;
}

ParseOptions WithEnv(std::string prefix, EnvLookup env) {
  ParseOptions options;
  options.env_prefix = std::move(prefix);
  options.env = std::move(env);
  return options;
}

// No absl::FlagSaver: each parse starts from the defaults (below), and the
// saver logs every value it restores, which must not happen to a secret.
TEST(CommandLine, EveryFormSetsTheAbseilFlag) {
  auto parsed = ParseCommandLine(
      {"--word=hi", "--times", "3", "--loud", "--pause=250ms"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(absl::GetFlag(FLAGS_word), "hi");
  EXPECT_EQ(absl::GetFlag(FLAGS_times), 3);
  EXPECT_TRUE(absl::GetFlag(FLAGS_loud));
  EXPECT_EQ(absl::GetFlag(FLAGS_pause), absl::Milliseconds(250));
  ASSERT_EQ(parsed->given.size(), 4u);
  EXPECT_EQ(parsed->given[1].name, "times");
  EXPECT_EQ(parsed->given[1].value, "3");
  EXPECT_EQ(parsed->given[2].value, "true");  // bare boolean

  ASSERT_TRUE(ParseCommandLine({"--loud=false", "--word="}).ok());
  EXPECT_FALSE(absl::GetFlag(FLAGS_loud));
  EXPECT_EQ(absl::GetFlag(FLAGS_word), "");
}

// Flags are process-global; each parse starts from the defaults, so one
// invocation's flags never leak into the next (the client's tests parse
// hundreds of command lines in one process).
TEST(CommandLine, EachParseStartsFromTheDefaults) {
  ASSERT_TRUE(ParseCommandLine({"--word=hi", "--loud", "--times=9"}).ok());
  ASSERT_TRUE(ParseCommandLine({}).ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_word), "default");
  EXPECT_FALSE(absl::GetFlag(FLAGS_loud));
  EXPECT_EQ(absl::GetFlag(FLAGS_times), 1);
  EXPECT_EQ(absl::GetFlag(FLAGS_pause), absl::Seconds(2));
}

TEST(CommandLine, CommandLineWinsOverEnvironmentWhichWinsOverDefault) {
  ParseOptions options = WithEnv("TEST_", MapEnv({{"TEST_WORD", "from-env"},
                                                  {"TEST_TIMES", "7"},
                                                  // set but empty: true
                                                  {"TEST_LOUD", ""}}));
  ASSERT_TRUE(ParseCommandLine({"--times=2"}, options).ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_word), "from-env");
  EXPECT_EQ(absl::GetFlag(FLAGS_times), 2);
  EXPECT_TRUE(absl::GetFlag(FLAGS_loud));
  EXPECT_EQ(absl::GetFlag(FLAGS_pause), absl::Seconds(2));

  // Without a prefix the environment is not read.
  ASSERT_TRUE(ParseCommandLine({}, WithEnv("", options.env)).ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_word), "default");
}

TEST(CommandLine, ErrorsNameTheFlagAndNeverQuoteTheValue) {
  EXPECT_THAT(
      ParseCommandLine({"--nope=hunter2"}),
      StatusIs(absl::StatusCode::kInvalidArgument, "unknown flag '--nope'"));

  auto bad = ParseCommandLine({"--times=hunter2"});
  EXPECT_EQ(bad.status().message(), "bad value for --times");
  EXPECT_EQ(ParseCommandLine({"--loud=hunter2"}).status().message(),
            "bad value for --loud: expected true or false");

  auto bad_env = ParseCommandLine(
      {}, WithEnv("TEST_", MapEnv({{"TEST_PAUSE", "hunter2"}})));
  EXPECT_EQ(bad_env.status().message(), "bad value for --pause");

  EXPECT_EQ(ParseCommandLine({"--word"}).status().message(),
            "--word needs a value");
  auto positional = ParseCommandLine({"--loud", "hunter2"});
  EXPECT_THAT(std::string(positional.status().message()),
              HasSubstr("unexpected argument #2"));
  EXPECT_THAT(std::string(positional.status().message()),
              Not(HasSubstr("hunter2")));
  EXPECT_THAT(std::string(ParseCommandLine({"-x"}).status().message()),
              HasSubstr("unknown flag '-x'"));
}

TEST(CommandLine, PositionalsAndDoubleDash) {
  auto parsed = ParseCommandLine({"say", "--loud", "it", "--", "--word=x"},
                                 WithPositionals());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->positionals, ElementsAre("say", "it", "--word=x"));
  EXPECT_EQ(absl::GetFlag(FLAGS_word), "default");
  EXPECT_THAT(
      std::string(
          ParseCommandLine({"-q"}, WithPositionals()).status().message()),
      HasSubstr("put -- before"));
}

TEST(CommandLine, HelpAnywhereWinsOverMistakes) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"--nope", "-h"}, {"--times=x", "--help"}}) {
    auto parsed = ParseCommandLine(args);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_TRUE(parsed->help);
  }
  auto after_dash = ParseCommandLine({"--", "--help"}, WithPositionals());
  ASSERT_TRUE(after_dash.ok());
  EXPECT_FALSE(after_dash->help);
}

TEST(CommandLine, HelpIsGeneratedFromTheDefinitions) {
  const std::string help = FlagsHelp("TEST_");
  EXPECT_THAT(help, HasSubstr("--word (default: default) $TEST_WORD\n"
                              "      a word to say\n"));
  EXPECT_THAT(help, HasSubstr("--pause (default: 2s)"));
  EXPECT_THAT(help, HasSubstr("--loud (default: false)"));
  // Sorted by name; Abseil's own flags are not this program's.
  EXPECT_LT(help.find("--loud"), help.find("--word"));
  EXPECT_THAT(help, Not(HasSubstr("flagfile")));
  EXPECT_THAT(FlagsHelp(), Not(HasSubstr("$")));
}

}  // namespace
}  // namespace perch::flags
