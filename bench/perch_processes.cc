#include "bench/perch_processes.h"

#include <openssl/sha.h>

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace perch::bench {

absl::StatusOr<std::string> WaitForEmulatorUrl(ChildProcess& emulator,
                                               absl::Duration timeout) {
  constexpr absl::string_view kListening = "perch-emulator listening on ";
  auto line = emulator.WaitForLine(kListening, timeout);
  if (!line.ok()) return line.status();
  std::string url =
      line->substr(line->find(std::string(kListening)) + kListening.size());
  while (!url.empty() && (url.back() == '\r' || url.back() == ' ')) {
    url.pop_back();
  }
  return url;
}

absl::StatusOr<int> WaitForServerPort(ChildProcess& server,
                                      absl::Duration timeout) {
  auto line = server.WaitForLine("(port ", timeout);
  if (!line.ok()) return line.status();
  const size_t at = line->find("(port ") + 6;
  const std::string digits = line->substr(at, line->find(')', at) - at);
  int port = 0;
  if (!absl::SimpleAtoi(digits, &port)) {
    return absl::InternalError(absl::StrCat("no port in: ", *line));
  }
  return port;
}

absl::StatusOr<int> WaitForMetricsPort(ChildProcess& server,
                                       absl::Duration timeout) {
  const std::string kMarker = "GET /metrics at port ";
  auto line = server.WaitForLine(kMarker, timeout);
  if (!line.ok()) return line.status();
  const size_t at = line->find(kMarker) + kMarker.size();
  size_t end = at;
  while (end < line->size() && absl::ascii_isdigit((*line)[end])) ++end;
  int port = 0;
  if (!absl::SimpleAtoi(line->substr(at, end - at), &port)) {
    return absl::InternalError(absl::StrCat("no metrics port in: ", *line));
  }
  return port;
}

absl::StatusOr<std::string> NewApiKey(absl::string_view prefix) {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  unsigned char raw[24];
  urandom.read(reinterpret_cast<char*>(raw), sizeof(raw));
  if (!urandom) return absl::InternalError("cannot read /dev/urandom");
  return absl::StrCat(prefix, "-",
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(raw), sizeof(raw))));
}

std::string Sha256Hex(absl::string_view key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace perch::bench
