// The perch-emulator binary's command line: --name=value flags into
// EmulatorOptions, fault flags into up to two initial fault rules. Parsing
// only; main.cc acts on the result.
#ifndef PERCH_EMULATOR_FLAGS_H_
#define PERCH_EMULATOR_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "emulator/emulator_options.h"

namespace perch::emulator {

struct EmulatorFlags {
  EmulatorOptions options;
  bool help = false;
};

// `args` excludes the program name. INVALID_ARGUMENT names the bad flag
// (never its value: it may be the app secret).
absl::StatusOr<EmulatorFlags> ParseEmulatorFlags(
    const std::vector<std::string>& args);

// The --help text.
std::string EmulatorUsage();

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_FLAGS_H_
