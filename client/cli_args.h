// Parses the perch CLI's command line into a CliArgs: the command, the
// connection flags and the ready-made perch.v1 request. The flags are
// ABSL_FLAGs (cli_args.cc) read by server/common/command_line.h, which also walks the
// positionals; the commands, which flag each takes and the values' own
// checks are here. ParseArgs does no I/O, the environment comes in as a
// parameter (it sets the process's Abseil flags: not for concurrent use);
// LoadChannelSecurity then reads the files the TLS and API-key flags name. Does
// not talk to the server; the server still validates ranges (page_size limits,
// query length).
#ifndef PERCH_CLIENT_CLI_ARGS_H_
#define PERCH_CLIENT_CLI_ARGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.pb.h"
#include "perch/v1/read_service.pb.h"
#include "perch/v1/token_service.pb.h"

namespace perch::client {

inline constexpr absl::string_view kDefaultServer = "localhost:50051";
inline constexpr absl::string_view kServerEnvVar = "PERCH_SERVER";
inline constexpr absl::string_view kApiKeyEnvVar = "PERCH_API_KEY";

enum class Command {
  kHelp,
  kTimeline,
  kSearch,
  kFollowers,
  kList,
  kTokenObtain,
  kTokenInvalidate,
  kHealth,
};

// Everything one invocation asks for. Only the request of `command` is
// filled in; the others stay default.
struct CliArgs {
  Command command = Command::kHelp;
  // --server, else $PERCH_SERVER, else kDefaultServer.
  std::string server;
  // Deadline of each RPC (each page with --all).
  absl::Duration timeout = absl::Seconds(10);
  // Print each response as one line of proto JSON.
  bool json = false;
  // Follow next_page_token until it is empty.
  bool all = false;

  // Where the credentials are; LoadChannelSecurity reads them.
  // --tls, or implied by any of the files below: a TLS channel.
  bool tls = false;
  // --ca_file: PEM CAs to trust instead of the system roots.
  std::string ca_file;
  // --cert_file and --key_file (both or neither): a client certificate for
  // mutual TLS.
  std::string cert_file;
  std::string key_file;
  // --api_key_file: a file holding the API key ($PERCH_API_KEY otherwise).
  std::string api_key_file;

  perch::v1::GetTimelineRequest timeline;
  perch::v1::SearchRequest search;
  perch::v1::GetFollowersRequest followers;
  perch::v1::GetListRequest list;
  grpc::health::v1::HealthCheckRequest health;
};

// Parses `args` (without argv[0]). `server_env` is $PERCH_SERVER ("" when
// unset). Returns INVALID_ARGUMENT with a one-line, user-facing message for
// any usage error: unknown command or flag, a flag the command does not
// take, a missing or extra argument, a malformed value.
//
// Users are "@name", "name" (a screen name) or all digits (a user id; write
// "@123" for a screen name made of digits). Lists are all digits (a list id)
// or "owner/slug" (owner with or without '@'). `--help`, `-h` or `help`
// anywhere yields Command::kHelp. --cert_file and --key_file come together;
// either, or --ca_file, implies --tls (so --tls=false with them is an
// error). Files are not opened here.
absl::StatusOr<CliArgs> ParseArgs(const std::vector<std::string>& args,
                                  absl::string_view server_env);

// What the channel and each call are secured with: file contents, not paths.
struct ChannelSecurity {
  bool tls = false;
  std::string pem_root_certs;   // "" with tls: the system roots
  std::string pem_cert_chain;   // "" unless mutual TLS
  std::string pem_private_key;  // a secret; "" unless mutual TLS
  // Sent as "authorization: Bearer <api_key>" on every call; "" sends none.
  // A secret: never printed.
  std::string api_key;
};

// Reads the files `args` names and picks the API key: the content of
// --api_key_file, else `api_key_env` ($PERCH_API_KEY, "" when unset), each
// with trailing whitespace (the newline) trimmed. INVALID_ARGUMENT with a
// one-line, user-facing message naming the flag and path when a file cannot
// be read, holds no PEM certificate / key, or the key is empty or not one
// token of printable ASCII. Messages never quote file contents or the key.
absl::StatusOr<ChannelSecurity> LoadChannelSecurity(
    const CliArgs& args, absl::string_view api_key_env);

// The text `perch --help` prints: commands, flags and exit codes.
std::string UsageText();

}  // namespace perch::client

#endif  // PERCH_CLIENT_CLI_ARGS_H_
