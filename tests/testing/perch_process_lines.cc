#include "tests/testing/perch_process_lines.h"

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace perch::testing {

absl::StatusOr<std::string> WaitForEmulatorUrl(ChildProcess& emulator,
                                               absl::Duration timeout) {
  constexpr absl::string_view kListening = "perch-emulator listening on ";
  absl::StatusOr<std::string> line = emulator.WaitForLine(kListening, timeout);
  if (!line.ok()) return line.status();
  absl::string_view url(*line);
  url.remove_prefix(url.find(kListening) + kListening.size());
  return std::string(absl::StripTrailingAsciiWhitespace(url));
}

absl::StatusOr<int> WaitForServerPort(ChildProcess& server,
                                      absl::Duration timeout) {
  return server.WaitForNumberAfter("(port ", timeout);
}

absl::StatusOr<int> WaitForMetricsPort(ChildProcess& server,
                                       absl::Duration timeout) {
  return server.WaitForNumberAfter("GET /metrics at port ", timeout);
}

}  // namespace perch::testing
