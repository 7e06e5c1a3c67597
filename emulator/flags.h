// The perch-emulator binary's command line: its flags (ABSL_FLAG, in
// flags.cc, a library of their own that only the binary and its test link)
// into EmulatorOptions, fault flags into up to two initial fault rules.
// Parsing only; main.cc acts on the result.
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
// (never its value: it may be the app secret). Sets the process's Abseil
// flags (server/common/command_line.h), so it is not for concurrent use.
absl::StatusOr<EmulatorFlags> ParseEmulatorFlags(
    const std::vector<std::string>& args);

// The --help text, generated from the flag definitions.
std::string EmulatorUsage();

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_FLAGS_H_
