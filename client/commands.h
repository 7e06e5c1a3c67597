// Runs one parsed perch CLI command against a Connection: builds the
// requests, follows page tokens for --all, prints tables or JSON to `out`
// and progress and error reports to `err`. Knows nothing of argv or sockets.
#ifndef PERCH_CLIENT_COMMANDS_H_
#define PERCH_CLIENT_COMMANDS_H_

#include <ostream>

#include "client/cli_args.h"
#include "client/connection.h"
#include "client/exit_codes.h"

namespace perch::client {

// Returns the process exit code (exit_codes.h). On an error after some
// pages of --all, the pages already printed stay printed and the exit code
// is the error's.
ExitCode RunCommand(const CliArgs& args, Connection& connection,
                    std::ostream& out, std::ostream& err);

}  // namespace perch::client

#endif  // PERCH_CLIENT_COMMANDS_H_
