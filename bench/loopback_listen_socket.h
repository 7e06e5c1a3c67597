// A loopback listening socket the benchmark hands to a child (nginx) as an
// inherited descriptor (ChildProcess::Options::pass_fd).
#ifndef PERCH_BENCH_LOOPBACK_LISTEN_SOCKET_H_
#define PERCH_BENCH_LOOPBACK_LISTEN_SOCKET_H_

#include <memory>

#include "absl/status/statusor.h"

namespace perch::bench {

// A TCP socket listening on 127.0.0.1 at a port the kernel chose, for a
// child to serve on (Spawn's pass_fd). It stays open from the choice of the
// port until destruction, so no other process can take the port meanwhile,
// and connections made before the child is ready wait in its backlog.
class LoopbackListenSocket {
 public:
  static absl::StatusOr<std::unique_ptr<LoopbackListenSocket>> Open();
  ~LoopbackListenSocket();
  LoopbackListenSocket(const LoopbackListenSocket&) = delete;
  LoopbackListenSocket& operator=(const LoopbackListenSocket&) = delete;

  int fd() const { return fd_; }
  int port() const { return port_; }

 private:
  LoopbackListenSocket(int fd, int port) : fd_(fd), port_(port) {}
  const int fd_;
  const int port_;
};

}  // namespace perch::bench

#endif  // PERCH_BENCH_LOOPBACK_LISTEN_SOCKET_H_
