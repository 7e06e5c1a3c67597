#include "client/cli_args.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/types/optional.h"

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

struct FlagSpec {
  absl::string_view name;
  bool takes_value;
  unsigned commands;
};

constexpr FlagSpec kFlags[] = {
    {"server", true, kAnyBits},
    {"timeout", true, kAnyBits},
    {"json", false, kAnyBits},
    {"tls", false, kAnyBits},
    {"ca_file", true, kAnyBits},
    {"cert_file", true, kAnyBits},
    {"key_file", true, kAnyBits},
    {"api_key_file", true, kAnyBits},
    {"page_size", true, kPagedBits},
    {"page_token", true, kPagedBits},
    {"all", false, kPagedBits},
    {"since_id", true, kTimelineBit | kSearchBit},
    {"exclude_replies", false, kTimelineBit},
    {"no_retweets", false, kTimelineBit | kListBit},
    {"result_type", true, kSearchBit},
    {"lang", true, kSearchBit},
    {"until", true, kSearchBit},
    {"ids", false, kFollowersBit},
    {"members", false, kListBit},
};

const FlagSpec* FindFlag(absl::string_view name) {
  for (const FlagSpec& spec : kFlags) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// A flag as written, before the command is known.
struct RawFlag {
  const FlagSpec* spec;
  std::string value;  // "true" for a bare boolean flag
};

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

bool IsScreenName(absl::string_view s) {
  if (s.empty() || s.size() > 15) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

// "@name" or "name" -> screen name; digits -> user id.
struct UserRef {
  std::string screen_name;
  std::string user_id;
};

absl::StatusOr<UserRef> ParseUser(absl::string_view arg) {
  UserRef ref;
  if (absl::ConsumePrefix(&arg, "@")) {
    if (!IsScreenName(arg)) {
      return Usage(absl::StrCat("invalid screen name '@", arg,
                                "': expected 1-15 of [A-Za-z0-9_]"));
    }
    ref.screen_name = std::string(arg);
  } else if (IsDigits(arg)) {
    ref.user_id = std::string(arg);
  } else if (IsScreenName(arg)) {
    ref.screen_name = std::string(arg);
  } else {
    return Usage(absl::StrCat("invalid user '", arg,
                              "': expected @screen_name or a numeric user id"));
  }
  return ref;
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

absl::StatusOr<bool> ParseBool(const RawFlag& flag) {
  if (flag.value == "true") return true;
  if (flag.value == "false") return false;
  return Usage(absl::StrCat("--", flag.spec->name,
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

}  // namespace

absl::StatusOr<CliArgs> ParseArgs(const std::vector<std::string>& args,
                                  absl::string_view server_env) {
  // Help wins over any other mistake on the line.
  for (const std::string& arg : args) {
    if (arg == "--") break;
    if (arg == "-h" || arg == "--help") {
      CliArgs help;
      help.command = Command::kHelp;
      return help;
    }
  }
  std::vector<RawFlag> flags;
  std::vector<std::string> positionals;
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (flags_done || arg == "-" || !absl::StartsWith(arg, "-")) {
      positionals.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    if (!absl::ConsumePrefix(&arg, "--")) {
      return Usage(absl::StrCat("unknown flag '", arg,
                                "' (put -- before an argument that starts "
                                "with '-')"));
    }
    std::vector<absl::string_view> name_value =
        absl::StrSplit(arg, absl::MaxSplits('=', 1));
    const FlagSpec* spec = FindFlag(name_value[0]);
    if (spec == nullptr) {
      return Usage(absl::StrCat("unknown flag '--", name_value[0], "'"));
    }
    RawFlag flag{spec, "true"};
    if (name_value.size() == 2) {
      flag.value = std::string(name_value[1]);
    } else if (spec->takes_value) {
      if (i + 1 >= args.size()) {
        return Usage(absl::StrCat("--", spec->name, " needs a value"));
      }
      flag.value = args[++i];
    }
    flags.push_back(std::move(flag));
  }
  if (!positionals.empty() && positionals.front() == "help") {
    CliArgs help;
    help.command = Command::kHelp;
    return help;
  }

  absl::StatusOr<CommandInfo> info = TakeCommand(positionals);
  if (!info.ok()) return info.status();

  CliArgs out;
  out.command = info->command;
  out.server = server_env.empty() ? std::string(kDefaultServer)
                                  : std::string(server_env);

  // Flags, each checked against the command.
  absl::optional<int> page_size;
  std::string page_token;
  std::string since_id;
  bool exclude_replies = false;
  bool no_retweets = false;
  bool ids = false;
  bool members = false;
  absl::optional<bool> tls;
  for (const RawFlag& flag : flags) {
    const FlagSpec& spec = *flag.spec;
    if ((spec.commands & info->bit) == 0) {
      return Usage(absl::StrCat(info->name, " does not take --", spec.name));
    }
    bool boolean = false;
    if (!spec.takes_value) {
      absl::StatusOr<bool> b = ParseBool(flag);
      if (!b.ok()) return b.status();
      boolean = *b;
    } else if (flag.value.empty() && spec.name != "page_token") {
      return Usage(absl::StrCat("--", spec.name, " needs a value"));
    }
    const absl::string_view name = spec.name;
    if (name == "server") {
      out.server = flag.value;
    } else if (name == "timeout") {
      absl::StatusOr<absl::Duration> d = ParseTimeout(flag.value);
      if (!d.ok()) return d.status();
      out.timeout = *d;
    } else if (name == "json") {
      out.json = boolean;
    } else if (name == "all") {
      out.all = boolean;
    } else if (name == "tls") {
      tls = boolean;
    } else if (name == "ca_file") {
      out.ca_file = flag.value;
    } else if (name == "cert_file") {
      out.cert_file = flag.value;
    } else if (name == "key_file") {
      out.key_file = flag.value;
    } else if (name == "api_key_file") {
      out.api_key_file = flag.value;
    } else if (name == "page_size") {
      absl::StatusOr<int> n = ParsePageSize(flag.value);
      if (!n.ok()) return n.status();
      page_size = *n;
    } else if (name == "page_token") {
      page_token = flag.value;
    } else if (name == "since_id") {
      absl::Status s = CheckId(name, flag.value);
      if (!s.ok()) return s;
      since_id = flag.value;
    } else if (name == "exclude_replies") {
      exclude_replies = boolean;
    } else if (name == "no_retweets") {
      no_retweets = boolean;
    } else if (name == "ids") {
      ids = boolean;
    } else if (name == "members") {
      members = boolean;
    } else if (name == "result_type") {
      if (flag.value == "recent") {
        out.search.set_result_type(
            perch::v1::SearchRequest::RESULT_TYPE_RECENT);
      } else if (flag.value == "popular") {
        out.search.set_result_type(
            perch::v1::SearchRequest::RESULT_TYPE_POPULAR);
      } else if (flag.value == "mixed") {
        out.search.set_result_type(perch::v1::SearchRequest::RESULT_TYPE_MIXED);
      } else {
        return Usage(absl::StrCat(
            "--result_type must be recent, popular or mixed, got '", flag.value,
            "'"));
      }
    } else if (name == "lang") {
      out.search.set_lang(flag.value);
    } else if (name == "until") {
      if (!IsDate(flag.value)) {
        return Usage(absl::StrCat("--until must be a date YYYY-MM-DD, got '",
                                  flag.value, "'"));
      }
      out.search.set_until(flag.value);
    }
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
      absl::Status s = ExpectArgs(*info, positionals, 1, 1, "a user");
      if (!s.ok()) return s;
      absl::StatusOr<UserRef> user = ParseUser(positionals[0]);
      if (!user.ok()) return user.status();
      if (!user->user_id.empty()) {
        out.timeline.set_user_id(user->user_id);
      } else {
        out.timeline.set_screen_name(user->screen_name);
      }
      out.timeline.set_page_size(size);
      out.timeline.set_page_token(page_token);
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
      out.search.set_page_size(size);
      out.search.set_page_token(page_token);
      out.search.set_since_id(since_id);
      break;
    }
    case Command::kFollowers: {
      absl::Status s = ExpectArgs(*info, positionals, 1, 1, "a user");
      if (!s.ok()) return s;
      absl::StatusOr<UserRef> user = ParseUser(positionals[0]);
      if (!user.ok()) return user.status();
      if (!user->user_id.empty()) {
        out.followers.set_user_id(user->user_id);
      } else {
        out.followers.set_screen_name(user->screen_name);
      }
      out.followers.set_page_size(size);
      out.followers.set_page_token(page_token);
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
      out.list.set_page_size(size);
      out.list.set_page_token(page_token);
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
  return R"(perch: read public Twitter data through a perch gateway.

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
  Put -- before a QUERY that starts with '-'.

Flags (any command):
  --server=HOST:PORT   perch to call (default $PERCH_SERVER, else localhost:50051)
  --timeout=DURATION   deadline per call, e.g. 10s, 500ms (default 10s)
  --json               print each response as one line of proto JSON

Security (any command):
  --api_key_file=PATH  send the API key held in PATH (default $PERCH_API_KEY)
                       as "authorization: Bearer <key>" on every call; the
                       key is never printed
  --tls                use TLS, trusting the system's CAs (default: plaintext)
  --ca_file=PATH       trust the PEM CAs in PATH instead (implies --tls)
  --cert_file=PATH     client certificate chain (PEM) for mutual TLS, with
  --key_file=PATH      its private key; both or neither (implies --tls)

Paging (timeline, search, followers, list):
  --page_size=N        items per page (the server's default when unset)
  --page_token=T       continue from a previous "next page:" token
  --all                follow next page tokens to the end; progress on stderr

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
)";
}

}  // namespace perch::client
