// An environment made of a map, for tests of code that reads variables
// through an EnvLookup (perch::EnvLookup, flags::EnvLookup: one signature)
// instead of the process environment. Test-side only.
#ifndef PERCH_SERVER_COMMON_TESTING_MAP_ENV_H_
#define PERCH_SERVER_COMMON_TESTING_MAP_ENV_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace perch::testing {

// Looks names up in `vars` only; a name not in it is unset.
inline std::function<std::optional<std::string>(const std::string&)> MapEnv(
    std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](
             const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace perch::testing

#endif  // PERCH_SERVER_COMMON_TESTING_MAP_ENV_H_
