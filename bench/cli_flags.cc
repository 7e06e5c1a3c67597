#include "bench/cli_flags.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace perch::bench {
namespace {

absl::Status Bad(const std::string& name, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("--", name, ": ", why));
}

}  // namespace

absl::StatusOr<CliFlags> CliFlags::Parse(int argc, char** argv,
                                         const std::set<std::string>& known) {
  CliFlags flags;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg(argv[i]);
    if (!absl::ConsumePrefix(&arg, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument: ", argv[i]));
    }
    const size_t eq = arg.find('=');
    std::string name(arg.substr(0, eq));
    if (known.count(name) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    flags.values_[name] = eq == absl::string_view::npos
                              ? "true"
                              : std::string(arg.substr(eq + 1));
  }
  return flags;
}

std::string CliFlags::String(const std::string& name,
                             std::string fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

absl::StatusOr<int> CliFlags::Int(const std::string& name, int fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  int v = 0;
  if (!absl::SimpleAtoi(it->second, &v))
    return Bad(name, "expected an integer");
  return v;
}

absl::StatusOr<double> CliFlags::Double(const std::string& name,
                                        double fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  double v = 0;
  if (!absl::SimpleAtod(it->second, &v)) return Bad(name, "expected a number");
  return v;
}

absl::StatusOr<absl::Duration> CliFlags::Duration(
    const std::string& name, absl::Duration fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  absl::Duration d;
  if (!absl::ParseDuration(it->second, &d)) {
    return Bad(name, "expected a duration such as 500ms or 10s");
  }
  return d;
}

absl::StatusOr<bool> CliFlags::Bool(const std::string& name,
                                    bool fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  bool v = false;
  if (!absl::SimpleAtob(it->second, &v)) return Bad(name, "expected a bool");
  return v;
}

}  // namespace perch::bench
