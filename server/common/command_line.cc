#include "server/common/command_line.h"

#include <algorithm>
#include <utility>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace perch::flags {
namespace {

// The flags this program defines: every registered one but Abseil's own (a
// binary links the ABSL_FLAG definitions it owns and no others).
std::vector<absl::CommandLineFlag*> ProgramFlags() {
  std::vector<absl::CommandLineFlag*> out;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (flag->IsRetired() || absl::StrContains(flag->Filename(), "absl/")) {
      continue;
    }
    out.push_back(flag);
  }
  std::sort(out.begin(), out.end(),
            [](absl::CommandLineFlag* a, absl::CommandLineFlag* b) {
              return a->Name() < b->Name();
            });
  return out;
}

absl::CommandLineFlag* Find(absl::string_view name) {
  for (absl::CommandLineFlag* flag : ProgramFlags()) {
    if (flag->Name() == name) return flag;
  }
  return nullptr;
}

absl::Status Usage(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

// Abseil's own error quotes the value, which may be a secret: only the
// flag is named.
absl::Status Set(absl::CommandLineFlag& flag, absl::string_view value) {
  // A bare "--flag" is true; so is an empty value (PERCH_INSECURE_NO_AUTH=
  // always meant yes).
  if (flag.IsOfType<bool>() && value.empty()) value = "true";
  std::string ignored;
  if (!flag.ParseFrom(value, &ignored)) {
    return Usage(
        absl::StrCat("bad value for --", flag.Name(),
                     flag.IsOfType<bool>() ? ": expected true or false" : ""));
  }
  return absl::OkStatus();
}

bool IsHelp(absl::string_view arg) { return arg == "--help" || arg == "-h"; }

// The variable `env_prefix` gives flag `name`: PERCH_ + LISTEN.
std::string EnvName(absl::string_view env_prefix, absl::string_view name) {
  return absl::StrCat(env_prefix, absl::AsciiStrToUpper(name));
}

}  // namespace

absl::StatusOr<CommandLine> ParseCommandLine(
    const std::vector<std::string>& args, const ParseOptions& options) {
  CommandLine out;
  // Help wins over any mistake on the line.
  for (const std::string& arg : args) {
    if (arg == "--") break;
    if (IsHelp(arg)) {
      out.help = true;
      return out;
    }
  }
  for (absl::CommandLineFlag* flag : ProgramFlags()) {
    std::string ignored;
    flag->ParseFrom(flag->DefaultValue(), &ignored);
  }

  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (flags_done || arg == "-" || !absl::StartsWith(arg, "-")) {
      if (!options.positionals) {
        // Not quoted: "--app_secret S" written for "--app_secret=S" would
        // put the secret here.
        return Usage(absl::StrCat("unexpected argument #", i + 1,
                                  ": flags are written --name=value"));
      }
      out.positionals.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    if (!absl::ConsumePrefix(&arg, "--")) {
      absl::string_view name = arg.substr(0, arg.find('='));
      return Usage(
          absl::StrCat("unknown flag '", name, "'",
                       options.positionals
                           ? " (put -- before an argument that starts with '-')"
                           : ""));
    }
    const size_t eq = arg.find('=');
    const absl::string_view name = arg.substr(0, eq);
    absl::CommandLineFlag* flag = Find(name);
    if (flag == nullptr) {
      return Usage(absl::StrCat("unknown flag '--", name, "'"));
    }
    GivenFlag given{std::string(name), "true"};
    if (eq != absl::string_view::npos) {
      given.value = std::string(arg.substr(eq + 1));
    } else if (!flag->IsOfType<bool>()) {
      if (i + 1 >= args.size()) {
        return Usage(absl::StrCat("--", name, " needs a value"));
      }
      given.value = args[++i];
    }
    if (absl::Status set = Set(*flag, given.value); !set.ok()) return set;
    out.given.push_back(std::move(given));
  }

  if (options.env_prefix.empty() || !options.env) return out;
  for (absl::CommandLineFlag* flag : ProgramFlags()) {
    const bool on_command_line =
        std::any_of(out.given.begin(), out.given.end(),
                    [&](const GivenFlag& g) { return g.name == flag->Name(); });
    if (on_command_line) continue;
    std::optional<std::string> value =
        options.env(EnvName(options.env_prefix, flag->Name()));
    if (!value.has_value()) continue;
    if (absl::Status set = Set(*flag, *value); !set.ok()) return set;
  }
  return out;
}

std::string FlagsHelp(absl::string_view env_prefix) {
  std::string out;
  for (absl::CommandLineFlag* flag : ProgramFlags()) {
    const std::string value = flag->DefaultValue();
    absl::StrAppend(&out, "  --", flag->Name(),
                    " (default: ", value.empty() ? "\"\"" : value, ")");
    if (!env_prefix.empty()) {
      absl::StrAppend(&out, " $", EnvName(env_prefix, flag->Name()));
    }
    absl::StrAppend(&out, "\n      ", flag->Help(), "\n");
  }
  return out;
}

}  // namespace perch::flags
