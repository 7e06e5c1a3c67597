// perch: the command-line client of a perch gateway. argv and the
// environment -> CliArgs -> credentials read from their files -> a gRPC
// connection -> one command -> exit code (see exit_codes.h and
// `perch --help`).
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "client/cli_args.h"
#include "client/commands.h"
#include "client/exit_codes.h"
#include "client/grpc_connection.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* server_env = std::getenv(perch::client::kServerEnvVar.data());
  auto parsed = perch::client::ParseArgs(args, server_env ? server_env : "");
  if (!parsed.ok()) {
    std::cerr << "perch: " << parsed.status().message()
              << "\nRun 'perch --help' for usage.\n";
    return perch::client::kExitUsage;
  }
  if (parsed->command == perch::client::Command::kHelp) {
    std::cout << perch::client::UsageText();
    return perch::client::kExitOk;
  }
  const char* api_key_env = std::getenv(perch::client::kApiKeyEnvVar.data());
  auto security = perch::client::LoadChannelSecurity(
      *parsed, api_key_env ? api_key_env : "");
  if (!security.ok()) {
    std::cerr << "perch: " << security.status().message()
              << "\nRun 'perch --help' for usage.\n";
    return perch::client::kExitUsage;
  }
  auto connection = perch::client::MakeGrpcConnection(
      parsed->server, parsed->timeout, *security);
  return perch::client::RunCommand(*parsed, *connection, std::cout, std::cerr);
}
