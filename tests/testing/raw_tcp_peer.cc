#include "tests/testing/raw_tcp_peer.h"

#include <sys/socket.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace perch::testing {

absl::StatusOr<std::unique_ptr<RawTcpPeer>> RawTcpPeer::Start(Options options) {
  return ServeOnLoopback(
      std::unique_ptr<RawTcpPeer>(new RawTcpPeer(std::move(options))),
      &RawTcpPeer::Serve, &RawTcpPeer::listener_);
}

std::string RawTcpPeer::Url(absl::string_view scheme,
                            absl::string_view path) const {
  return absl::StrCat(scheme, "://127.0.0.1:", listener_->port(), path);
}

void RawTcpPeer::Serve(int fd, const LoopbackListener& listener) {
  events_.Update([](Events& e) { ++e.connections; });
  absl::string_view greeting = options_.greeting;
  while (!greeting.empty()) {
    const ssize_t n =
        ::send(fd, greeting.data(), greeting.size(), MSG_NOSIGNAL);
    if (n <= 0) break;
    greeting.remove_prefix(static_cast<size_t>(n));
  }
  char chunk[16384];
  while (true) {
    const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) break;
    events_.Update(
        [n](Events& e) { e.bytes_received += static_cast<size_t>(n); });
  }
  if (!listener.stopping()) {
    events_.Update([](Events& e) { ++e.closed_by_client; });
  }
}

}  // namespace perch::testing
