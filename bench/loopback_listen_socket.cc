#include "bench/loopback_listen_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace perch::bench {

absl::StatusOr<std::unique_ptr<LoopbackListenSocket>>
LoopbackListenSocket::Open() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd, 4096) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return absl::InternalError("cannot listen on a loopback port");
  }
  return std::unique_ptr<LoopbackListenSocket>(
      new LoopbackListenSocket(fd, ntohs(addr.sin_port)));
}

LoopbackListenSocket::~LoopbackListenSocket() { close(fd_); }

}  // namespace perch::bench
