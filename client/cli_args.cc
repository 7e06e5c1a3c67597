#include "client/cli_args.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/types/optional.h"
#include "server/common/command_line.h"
#include "server/common/screen_name.h"

// The CLI's flags. Those whose values the CLI judges itself (with messages
// of its own) are strings; which command takes which is kFlags below.
ABSL_FLAG(std::string, server, "",
          "HOST:PORT of the perch to call (default $PERCH_SERVER, else "
          "localhost:50051)");
ABSL_FLAG(std::string, timeout, "10s",
          "deadline per call, e.g. 10s, 500ms (a bare number: seconds)");
ABSL_FLAG(bool, json, false, "print each response as one line of proto JSON");
ABSL_FLAG(bool, tls, false,
          "use TLS, trusting the system's CAs (default: plaintext)");
ABSL_FLAG(std::string, ca_file, "",
          "trust the PEM CAs in this file instead (implies --tls)");
ABSL_FLAG(std::string, cert_file, "",
          "client certificate chain (PEM) for mutual TLS, with --key_file "
          "(implies --tls)");
ABSL_FLAG(std::string, key_file, "",
          "private key of --cert_file; both or neither");
ABSL_FLAG(std::string, api_key_file, "",
          "send the API key held in this file (default $PERCH_API_KEY) as "
          "\"authorization: Bearer <key>\" on every call; the key is never "
          "printed");
ABSL_FLAG(std::string, page_size, "",
          "items per page (the server's default when unset); paged commands");
ABSL_FLAG(std::string, page_token, "",
          "continue from a previous \"next page:\" token; paged commands");
ABSL_FLAG(bool, all, false,
          "follow next page tokens to the end, progress on stderr; paged "
          "commands");
ABSL_FLAG(std::string, since_id, "",
          "only tweets newer than this id; timeline, search");
ABSL_FLAG(bool, exclude_replies, false, "timeline: leave out replies");
ABSL_FLAG(bool, no_retweets, false, "timeline, list: leave out retweets");
ABSL_FLAG(std::string, result_type, "", "search: recent, popular or mixed");
ABSL_FLAG(std::string, lang, "", "search: tweets in this language, e.g. en");
ABSL_FLAG(std::string, until, "", "search: tweets before YYYY-MM-DD");
ABSL_FLAG(bool, ids, false, "followers: ids only");
ABSL_FLAG(bool, members, false, "list: its members instead of its tweets");

namespace perch::client {
namespace {

// One bit per command, so a flag names the commands that take it.
enum CommandBit : unsigned {
  kTimelineBit = 1u << 0,
  kSearchBit = 1u << 1,
  kFollowersBit = 1u << 2,
  kListBit = 1u << 3,
  kTokenBit = 1u << 4,
  kHealthBit = 1u << 5,
};
constexpr unsigned kPagedBits =
    kTimelineBit | kSearchBit | kFollowersBit | kListBit;
constexpr unsigned kAnyBits = kPagedBits | kTokenBit | kHealthBit;

// Which commands take each flag (the flags themselves are the ABSL_FLAGs
// above): Abseil's flags are one global set, the CLI's are per command.
struct FlagSpec {
  absl::string_view name;
  unsigned commands;
};

constexpr FlagSpec kFlags[] = {
    {"server", kAnyBits},
    {"timeout", kAnyBits},
    {"json", kAnyBits},
    {"tls", kAnyBits},
    {"ca_file", kAnyBits},
    {"cert_file", kAnyBits},
    {"key_file", kAnyBits},
    {"api_key_file", kAnyBits},
    {"page_size", kPagedBits},
    {"page_token", kPagedBits},
    {"all", kPagedBits},
    {"since_id", kTimelineBit | kSearchBit},
    {"exclude_replies", kTimelineBit},
    {"no_retweets", kTimelineBit | kListBit},
    {"result_type", kSearchBit},
    {"lang", kSearchBit},
    {"until", kSearchBit},
    {"ids", kFollowersBit},
    {"members", kListBit},
};

unsigned CommandsTaking(absl::string_view flag) {
  for (const FlagSpec& spec : kFlags) {
    if (spec.name == flag) return spec.commands;
  }
  return 0;
}

bool IsBoolean(absl::string_view flag) {
  const absl::CommandLineFlag* found = absl::FindCommandLineFlag(flag);
  return found != nullptr && found->IsOfType<bool>();
}

absl::Status Usage(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

bool IsDigits(absl::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  uint64_t ignored;
  return absl::SimpleAtoi(s, &ignored);
}

// "@name" or "name" -> the request's screen_name; digits -> its user_id.
// `Request` is a GetTimelineRequest or a GetFollowersRequest.
template <typename Request>
absl::Status ParseUser(absl::string_view arg, Request& out) {
  if (absl::ConsumePrefix(&arg, "@")) {
    if (!IsScreenName(arg)) {
      return Usage(absl::StrCat("invalid screen name '@", arg,
                                "': expected 1-15 of [A-Za-z0-9_]"));
    }
    out.set_screen_name(std::string(arg));
  } else if (IsDigits(arg)) {
    out.set_user_id(std::string(arg));
  } else if (IsScreenName(arg)) {
    out.set_screen_name(std::string(arg));
  } else {
    return Usage(absl::StrCat("invalid user '", arg,
                              "': expected @screen_name or a numeric user id"));
  }
  return absl::OkStatus();
}

absl::Status ParseList(absl::string_view arg, perch::v1::GetListRequest& out) {
  if (IsDigits(arg)) {
    out.set_list_id(std::string(arg));
    return absl::OkStatus();
  }
  std::vector<absl::string_view> parts = absl::StrSplit(arg, '/');
  if (parts.size() == 2) {
    absl::string_view owner = parts[0];
    absl::ConsumePrefix(&owner, "@");
    absl::string_view slug = parts[1];
    bool slug_ok = !slug.empty();
    for (char c : slug) {
      if (absl::ascii_isspace(static_cast<unsigned char>(c))) slug_ok = false;
    }
    if (IsScreenName(owner) && slug_ok) {
      out.mutable_slug()->set_owner_screen_name(std::string(owner));
      out.mutable_slug()->set_slug(std::string(slug));
      return absl::OkStatus();
    }
  }
  return Usage(absl::StrCat("invalid list '", arg,
                            "': expected a numeric list id or owner/slug"));
}

// Stricter than Abseil (which also takes yes, 1, t...): the CLI's booleans
// were always bare, =true or =false.
absl::Status CheckBoolean(const flags::GivenFlag& flag) {
  if (flag.value == "true" || flag.value == "false") return absl::OkStatus();
  return Usage(absl::StrCat("--", flag.name,
                            " takes no value (or =true / =false), got '",
                            flag.value, "'"));
}

absl::StatusOr<int> ParsePageSize(absl::string_view value) {
  int n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < 1) {
    return Usage(absl::StrCat("--page_size must be a positive integer, got '",
                              value, "'"));
  }
  return n;
}

// "10s", "500ms", "1m30s"; a bare number means seconds.
absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view value) {
  absl::Duration d;
  int seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    d = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(value, &d)) {
    return Usage(absl::StrCat("--timeout must be a duration like 10s or 500ms",
                              ", got '", value, "'"));
  }
  if (d <= absl::ZeroDuration() || d == absl::InfiniteDuration()) {
    return Usage(absl::StrCat("--timeout must be positive and finite, got '",
                              value, "'"));
  }
  return d;
}

// YYYY-MM-DD naming a real calendar date.
bool IsDate(absl::string_view value) {
  if (value.size() != 10 || value[4] != '-' || value[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(value[i]))) {
      return false;
    }
  }
  absl::Time t;
  std::string err;
  return absl::ParseTime("%Y-%m-%d", value, absl::UTCTimeZone(), &t, &err);
}

absl::Status CheckId(absl::string_view flag, absl::string_view value) {
  if (IsDigits(value)) return absl::OkStatus();
  return Usage(
      absl::StrCat("--", flag, " must be a numeric id, got '", value, "'"));
}

struct CommandInfo {
  Command command;
  unsigned bit;
  absl::string_view name;
};

// Resolves the command words at the front of `positionals` and removes them.
absl::StatusOr<CommandInfo> TakeCommand(std::vector<std::string>& positionals) {
  if (positionals.empty()) return Usage("no command given");
  const std::string word = positionals.front();
  positionals.erase(positionals.begin());
  if (word == "timeline")
    return CommandInfo{Command::kTimeline, kTimelineBit, "timeline"};
  if (word == "search")
    return CommandInfo{Command::kSearch, kSearchBit, "search"};
  if (word == "followers") {
    return CommandInfo{Command::kFollowers, kFollowersBit, "followers"};
  }
  if (word == "list") return CommandInfo{Command::kList, kListBit, "list"};
  if (word == "health") {
    return CommandInfo{Command::kHealth, kHealthBit, "health"};
  }
  if (word == "token") {
    if (positionals.empty()) {
      return Usage("token needs a subcommand: obtain or invalidate");
    }
    const std::string sub = positionals.front();
    positionals.erase(positionals.begin());
    if (sub == "obtain") {
      return CommandInfo{Command::kTokenObtain, kTokenBit, "token obtain"};
    }
    if (sub == "invalidate") {
      return CommandInfo{Command::kTokenInvalidate, kTokenBit,
                         "token invalidate"};
    }
    return Usage(absl::StrCat("unknown token subcommand '", sub,
                              "': expected obtain or invalidate"));
  }
  return Usage(absl::StrCat("unknown command '", word, "'"));
}

// Checks the count of the command's own arguments.
absl::Status ExpectArgs(const CommandInfo& info,
                        const std::vector<std::string>& positionals, size_t min,
                        size_t max, absl::string_view what) {
  if (positionals.size() < min) {
    return Usage(absl::StrCat(info.name, " needs ", what));
  }
  if (positionals.size() > max) {
    std::string hint =
        info.command == Command::kSearch ? " (quote a multi-word query)" : "";
    return Usage(absl::StrCat(info.name, ": unexpected argument '",
                              positionals[max], "'", hint));
  }
  return absl::OkStatus();
}

// The one argument of timeline and followers, a user, into their request.
template <typename Request>
absl::Status ParseUserArg(const CommandInfo& info,
                          const std::vector<std::string>& positionals,
                          Request& out) {
  absl::Status s = ExpectArgs(info, positionals, 1, 1, "a user");
  if (!s.ok()) return s;
  return ParseUser(positionals[0], out);
}

// --page_size and --page_token, which every paged request takes alike.
template <typename Request>
void SetPage(int size, const std::string& token, Request& out) {
  out.set_page_size(size);
  out.set_page_token(token);
}

}  // namespace

absl::StatusOr<CliArgs> ParseArgs(const std::vector<std::string>& args,
                                  absl::string_view server_env) {
  flags::ParseOptions options;
  options.positionals = true;
  absl::StatusOr<flags::CommandLine> line =
      flags::ParseCommandLine(args, options);
  if (!line.ok()) return line.status();
  std::vector<std::string>& positionals = line->positionals;
  if (line->help || (!positionals.empty() && positionals.front() == "help")) {
    CliArgs help;
    help.command = Command::kHelp;
    return help;
  }

  absl::StatusOr<CommandInfo> info = TakeCommand(positionals);
  if (!info.ok()) return info.status();

  // Each flag as written, against the command.
  bool tls_given = false;
  for (const flags::GivenFlag& flag : line->given) {
    if ((CommandsTaking(flag.name) & info->bit) == 0) {
      return Usage(absl::StrCat(info->name, " does not take --", flag.name));
    }
    if (IsBoolean(flag.name)) {
      if (absl::Status s = CheckBoolean(flag); !s.ok()) return s;
    } else if (flag.value.empty() && flag.name != "page_token") {
      return Usage(absl::StrCat("--", flag.name, " needs a value"));
    }
    tls_given = tls_given || flag.name == "tls";
  }

  CliArgs out;
  out.command = info->command;
  out.server = absl::GetFlag(FLAGS_server);
  if (out.server.empty()) {
    out.server = server_env.empty() ? std::string(kDefaultServer)
                                    : std::string(server_env);
  }
  absl::StatusOr<absl::Duration> timeout =
      ParseTimeout(absl::GetFlag(FLAGS_timeout));
  if (!timeout.ok()) return timeout.status();
  out.timeout = *timeout;
  out.json = absl::GetFlag(FLAGS_json);
  out.all = absl::GetFlag(FLAGS_all);
  out.ca_file = absl::GetFlag(FLAGS_ca_file);
  out.cert_file = absl::GetFlag(FLAGS_cert_file);
  out.key_file = absl::GetFlag(FLAGS_key_file);
  out.api_key_file = absl::GetFlag(FLAGS_api_key_file);
  absl::optional<int> page_size;
  if (const std::string size = absl::GetFlag(FLAGS_page_size); !size.empty()) {
    absl::StatusOr<int> n = ParsePageSize(size);
    if (!n.ok()) return n.status();
    page_size = *n;
  }
  const std::string page_token = absl::GetFlag(FLAGS_page_token);
  const std::string since_id = absl::GetFlag(FLAGS_since_id);
  if (!since_id.empty()) {
    if (absl::Status s = CheckId("since_id", since_id); !s.ok()) return s;
  }
  const bool exclude_replies = absl::GetFlag(FLAGS_exclude_replies);
  const bool no_retweets = absl::GetFlag(FLAGS_no_retweets);
  const bool ids = absl::GetFlag(FLAGS_ids);
  const bool members = absl::GetFlag(FLAGS_members);
  absl::optional<bool> tls;
  if (tls_given) tls = absl::GetFlag(FLAGS_tls);
  if (const std::string type = absl::GetFlag(FLAGS_result_type);
      type == "recent") {
    out.search.set_result_type(perch::v1::SearchRequest::RESULT_TYPE_RECENT);
  } else if (type == "popular") {
    out.search.set_result_type(perch::v1::SearchRequest::RESULT_TYPE_POPULAR);
  } else if (type == "mixed") {
    out.search.set_result_type(perch::v1::SearchRequest::RESULT_TYPE_MIXED);
  } else if (!type.empty()) {
    return Usage(absl::StrCat(
        "--result_type must be recent, popular or mixed, got '", type, "'"));
  }
  out.search.set_lang(absl::GetFlag(FLAGS_lang));
  if (const std::string until = absl::GetFlag(FLAGS_until); !until.empty()) {
    if (!IsDate(until)) {
      return Usage(
          absl::StrCat("--until must be a date YYYY-MM-DD, got '", until, "'"));
    }
    out.search.set_until(until);
  }
  if (out.server.empty()) return Usage("--server needs a value");
  if (!out.cert_file.empty() && out.key_file.empty()) {
    return Usage(
        "--cert_file needs --key_file (the certificate's private key)");
  }
  if (out.cert_file.empty() && !out.key_file.empty()) {
    return Usage("--key_file needs --cert_file (the client certificate)");
  }
  const bool tls_files = !out.ca_file.empty() || !out.cert_file.empty();
  if (tls.has_value() && !*tls && tls_files) {
    return Usage("--tls=false contradicts --ca_file / --cert_file (TLS files)");
  }
  out.tls = tls.value_or(false) || tls_files;

  // The command's own arguments, then the request.
  const int size = page_size.value_or(0);
  switch (out.command) {
    case Command::kTimeline: {
      absl::Status s = ParseUserArg(*info, positionals, out.timeline);
      if (!s.ok()) return s;
      SetPage(size, page_token, out.timeline);
      out.timeline.set_since_id(since_id);
      out.timeline.set_exclude_replies(exclude_replies);
      if (no_retweets) out.timeline.set_include_retweets(false);
      break;
    }
    case Command::kSearch: {
      absl::Status s = ExpectArgs(*info, positionals, 1, 1, "a query");
      if (!s.ok()) return s;
      if (positionals[0].empty()) return Usage("search needs a query");
      out.search.set_query(positionals[0]);
      SetPage(size, page_token, out.search);
      out.search.set_since_id(since_id);
      break;
    }
    case Command::kFollowers: {
      absl::Status s = ParseUserArg(*info, positionals, out.followers);
      if (!s.ok()) return s;
      SetPage(size, page_token, out.followers);
      out.followers.set_ids_only(ids);
      break;
    }
    case Command::kList: {
      absl::Status s =
          ExpectArgs(*info, positionals, 1, 1, "a list id or owner/slug");
      if (!s.ok()) return s;
      s = ParseList(positionals[0], out.list);
      if (!s.ok()) return s;
      if (members && no_retweets) {
        return Usage(
            "list: --no_retweets applies to a list's tweets, "
            "not to --members");
      }
      out.list.set_view(members ? perch::v1::GetListRequest::VIEW_MEMBERS
                                : perch::v1::GetListRequest::VIEW_TWEETS);
      SetPage(size, page_token, out.list);
      if (no_retweets) out.list.set_include_retweets(false);
      break;
    }
    case Command::kTokenObtain:
    case Command::kTokenInvalidate: {
      absl::Status s = ExpectArgs(*info, positionals, 0, 0, "");
      if (!s.ok()) return s;
      break;
    }
    case Command::kHealth: {
      absl::Status s = ExpectArgs(*info, positionals, 0, 1, "");
      if (!s.ok()) return s;
      if (!positionals.empty()) out.health.set_service(positionals[0]);
      break;
    }
    case Command::kHelp:
      break;
  }
  return out;
}

namespace {

// Larger files are no key, certificate or CA bundle we mean to read.
constexpr size_t kMaxCredentialFileBytes = 1 << 20;

// The content of `path`, named for errors by the flag that gave it.
absl::StatusOr<std::string> ReadCredentialFile(absl::string_view flag,
                                               const std::string& path) {
  auto cannot = [&](absl::string_view why) {
    return Usage(absl::StrCat("--", flag, ": cannot read '", path, "': ", why));
  };
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    // Not echoed: a missing "file" may well be a key pasted in its place.
    return Usage(absl::StrCat("--", flag,
                              ": no such file (the flag takes the path of a "
                              "file, not its content)"));
  }
  if (fd < 0) return cannot(std::strerror(errno));
  std::string content;
  char buffer[4096];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      close(fd);
      return cannot(std::strerror(error));
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > kMaxCredentialFileBytes) {
      close(fd);
      return cannot("larger than 1 MiB");
    }
  }
  close(fd);
  return content;
}

// A key as sent: one token of printable ASCII (gRPC metadata allows no
// more, and the server reads "Bearer <key>" as one token). `source` names
// where it came from; the key itself is never quoted.
absl::StatusOr<std::string> CheckApiKey(absl::string_view source,
                                        absl::string_view raw) {
  absl::string_view key = absl::StripTrailingAsciiWhitespace(raw);
  if (key.empty()) return Usage(absl::StrCat(source, " holds no API key"));
  for (char c : key) {
    if (c <= ' ' || c > '~') {
      return Usage(absl::StrCat(
          source,
          " must hold one API key: printable ASCII without blanks, on one "
          "line"));
    }
  }
  return std::string(key);
}

// The PEM file a TLS flag names; `kind` ("CERTIFICATE", "PRIVATE KEY") is
// the block it must hold.
absl::StatusOr<std::string> ReadPemFile(absl::string_view flag,
                                        const std::string& path,
                                        absl::string_view kind) {
  absl::StatusOr<std::string> pem = ReadCredentialFile(flag, path);
  if (!pem.ok()) return pem.status();
  // "-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----", ...
  const size_t begin = pem->find("-----BEGIN ");
  if (begin == std::string::npos ||
      pem->find(absl::StrCat(kind, "-----"), begin) == std::string::npos) {
    return Usage(absl::StrCat("--", flag, ": '", path, "' holds no PEM ",
                              absl::AsciiStrToLower(kind)));
  }
  return pem;
}

}  // namespace

absl::StatusOr<ChannelSecurity> LoadChannelSecurity(
    const CliArgs& args, absl::string_view api_key_env) {
  ChannelSecurity security;
  security.tls = args.tls;
  if (!args.ca_file.empty()) {
    absl::StatusOr<std::string> pem =
        ReadPemFile("ca_file", args.ca_file, "CERTIFICATE");
    if (!pem.ok()) return pem.status();
    security.pem_root_certs = *std::move(pem);
  }
  if (!args.cert_file.empty()) {
    absl::StatusOr<std::string> pem =
        ReadPemFile("cert_file", args.cert_file, "CERTIFICATE");
    if (!pem.ok()) return pem.status();
    security.pem_cert_chain = *std::move(pem);
  }
  if (!args.key_file.empty()) {
    absl::StatusOr<std::string> pem =
        ReadPemFile("key_file", args.key_file, "PRIVATE KEY");
    if (!pem.ok()) return pem.status();
    security.pem_private_key = *std::move(pem);
  }
  absl::StatusOr<std::string> key = std::string();
  if (!args.api_key_file.empty()) {
    absl::StatusOr<std::string> content =
        ReadCredentialFile("api_key_file", args.api_key_file);
    if (!content.ok()) return content.status();
    key = CheckApiKey(absl::StrCat("--api_key_file: '", args.api_key_file, "'"),
                      *content);
  } else if (!api_key_env.empty()) {
    key = CheckApiKey(absl::StrCat("$", kApiKeyEnvVar), api_key_env);
  }
  if (!key.ok()) return key.status();
  security.api_key = *std::move(key);
  return security;
}

std::string UsageText() {
  return absl::StrCat(
      R"(perch: read public Twitter data through a perch gateway.

Usage:
  perch timeline USER [--exclude_replies] [--no_retweets] [--since_id=ID]
  perch search QUERY [--result_type=recent|popular|mixed] [--lang=en]
                     [--until=YYYY-MM-DD] [--since_id=ID]
  perch followers USER [--ids]
  perch list LIST [--members] [--no_retweets]
  perch token obtain
  perch token invalidate
  perch health [SERVICE]
  perch --help

  USER is @screen_name, screen_name or a numeric user id ("@123" for a
  screen name made of digits). LIST is a numeric list id or owner/slug.
  Put -- before a QUERY that starts with '-'. The paged commands
  (timeline, search, followers, list) take --page_size, --page_token and
  --all; every command takes --server, --timeout, --json and the security
  flags.

Flags:
)",
      flags::FlagsHelp(), R"(
perch health prints SERVING or NOT_SERVING (exit 0 only for SERVING).
Errors go to stderr: the gRPC code, the reason and domain, upstream details,
invalid fields and "retry after Ns" when the server says when to retry.

Exit codes:
  0  ok (health: SERVING)
  1  local failure (a response that cannot be printed as JSON, or a
     server that hands back the page token it was given)
  2  usage error (also: a --*_file that cannot be read or does not hold
     what it should), or INVALID_ARGUMENT / OUT_OF_RANGE from the server
  3  NOT_FOUND
  4  PERMISSION_DENIED or UNAUTHENTICATED
  5  RESOURCE_EXHAUSTED (rate limited)
  6  UNAVAILABLE or DEADLINE_EXCEEDED (health: not SERVING)
  7  other server-side error (INTERNAL, UNIMPLEMENTED, ...)
  8  FAILED_PRECONDITION
)");
}

}  // namespace perch::client
