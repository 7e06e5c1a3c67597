// The three bench binaries' command lines: "--name=value" and "--flag" only,
// parsed into a map, with typed getters that fail naming the flag.
#ifndef PERCH_BENCH_CLI_FLAGS_H_
#define PERCH_BENCH_CLI_FLAGS_H_

#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace perch::bench {

class CliFlags {
 public:
  // INVALID_ARGUMENT for a positional argument or a flag not in `known`.
  static absl::StatusOr<CliFlags> Parse(int argc, char** argv,
                                        const std::set<std::string>& known);

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::string String(const std::string& name, std::string fallback) const;
  absl::StatusOr<int> Int(const std::string& name, int fallback) const;
  absl::StatusOr<double> Double(const std::string& name, double fallback) const;
  // Go-style durations: "500ms", "10s".
  absl::StatusOr<absl::Duration> Duration(const std::string& name,
                                          absl::Duration fallback) const;
  // "--flag" alone, "--flag=true|false".
  absl::StatusOr<bool> Bool(const std::string& name, bool fallback) const;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace perch::bench

#endif  // PERCH_BENCH_CLI_FLAGS_H_
