// How every perch binary reads its command line: each defines its flags with
// ABSL_FLAG beside its main (name, type, default, help), and ParseCommandLine
// sets them from the arguments, and for perch-server from PERCH_<FLAG>.
// Abseil owns the flags, their types and values; this file only walks argv.
//
// Why not absl::ParseCommandLine (Abseil 20220623, Debian's): it calls
// std::exit(1) on any mistake, so no binary could keep its exit code (2 for
// usage errors) nor a test see the error as a status; its messages and its
// --help ("currently: ...") print values, and a value may be a secret typed
// into the wrong place; its --fromenv reads FLAGS_<name>, not PERCH_<NAME>;
// and it has no positional grammar for the perch CLI's subcommands. So the
// walk over argv is ours, in this one place, and nothing else is.
#ifndef PERCH_SERVER_COMMON_COMMAND_LINE_H_
#define PERCH_SERVER_COMMON_COMMAND_LINE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace perch::flags {

// Looks up one environment variable; nullopt when it is not set (the same
// signature as server/common's perch::GetEnv).
using EnvLookup =
    std::function<std::optional<std::string>(const std::string& name)>;

struct ParseOptions {
  // Arguments that are not flags are returned (the perch CLI's commands);
  // otherwise each is an error.
  bool positionals = false;
  // Non-empty: a flag not on the command line is read from the variable
  // <env_prefix><NAME IN UPPER CASE> through `env`, so the command line wins
  // over the environment, which wins over the default.
  std::string env_prefix;
  EnvLookup env;
};

// A flag as the command line wrote it.
struct GivenFlag {
  std::string name;
  std::string value;  // "true" for a bare boolean flag
};

struct CommandLine {
  // --help or -h anywhere before "--": nothing else was looked at.
  bool help = false;
  std::vector<GivenFlag> given;  // in command-line order
  std::vector<std::string> positionals;
};

// Resets every flag this program defines to its default, then sets those in
// `args` (without argv[0]) and, with an env_prefix, the environment's. So a
// second call (tests) sees nothing of the first. Accepts "--name=value",
// "--name value", "--bool", "--bool=true|false" (and Abseil's other spellings
// of a bool), and "--" ending the flags. INVALID_ARGUMENT with one line
// naming the flag for an unknown flag, a missing value or one Abseil cannot
// parse; the value itself is never quoted (it may be a secret).
absl::StatusOr<CommandLine> ParseCommandLine(
    const std::vector<std::string>& args, const ParseOptions& options = {});

// The flags part of --help, generated from the ABSL_FLAG definitions: per
// flag, sorted by name, its default and help text, and its environment
// variable when `env_prefix` is set. Defaults are printed, so a flag whose
// value is secret must default to "" (never to a real secret).
std::string FlagsHelp(absl::string_view env_prefix = "");

}  // namespace perch::flags

#endif  // PERCH_SERVER_COMMON_COMMAND_LINE_H_
