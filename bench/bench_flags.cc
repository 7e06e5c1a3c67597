#include "bench/bench_flags.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "server/common/command_line.h"

namespace perch::bench {
namespace {

std::string& ProgramName() {
  static std::string* name = new std::string("bench");
  return *name;
}

}  // namespace

int UsageError(const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n%s", ProgramName().c_str(),
               std::string(status.message()).c_str(),
               std::string(absl::ProgramUsageMessage()).c_str());
  return 2;
}

void ParseBenchFlags(
    int argc, char** argv, absl::string_view usage,
    std::initializer_list<const absl::Flag<std::string>*> required) {
  const std::string program = argc > 0 ? argv[0] : "bench";
  ProgramName() = program.substr(program.rfind('/') + 1);
  absl::SetProgramUsageMessage(usage);
  auto parsed = flags::ParseCommandLine(
      std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc));
  if (!parsed.ok()) std::exit(UsageError(parsed.status()));
  if (parsed->help) {
    std::fputs(absl::StrCat(usage, "flags:\n", flags::FlagsHelp()).c_str(),
               stdout);
    std::exit(0);
  }
  for (const absl::Flag<std::string>* flag : required) {
    if (absl::GetFlag(*flag).empty()) {
      std::exit(UsageError(absl::InvalidArgumentError(absl::StrCat(
          "--", absl::GetFlagReflectionHandle(*flag).Name(), " is required"))));
    }
  }
}

}  // namespace perch::bench
