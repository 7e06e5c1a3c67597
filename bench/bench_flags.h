// How the bench binaries start: each main defines its flags (ABSL_FLAG,
// beside it; load_shape_flags.cc holds those perch-load and direct-curl
// share) and calls ParseBenchFlags first. Reading goes through
// server/common/command_line.h like every perch binary's.
#ifndef PERCH_BENCH_BENCH_FLAGS_H_
#define PERCH_BENCH_BENCH_FLAGS_H_

#include <initializer_list>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace perch::bench {

// Sets `usage` as the program's usage message (absl::SetProgramUsageMessage)
// and the binary's flags from argv. --help: the usage and the flags (their
// defaults and help, generated) on stdout, then exit 0. A mistake:
// UsageError, then exit 2; so is an empty flag among `required` (the flags
// the binary cannot run without: "--NAME is required").
void ParseBenchFlags(
    int argc, char** argv, absl::string_view usage,
    std::initializer_list<const absl::Flag<std::string>*> required = {});

// "<program>: <message>" and the usage message on stderr. Returns 2, the
// bench binaries' exit code for a usage error, for main to return.
int UsageError(const absl::Status& status);

}  // namespace perch::bench

#endif  // PERCH_BENCH_BENCH_FLAGS_H_
