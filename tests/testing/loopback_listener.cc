#include "tests/testing/loopback_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/memory/memory.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace perch::testing {

absl::StatusOr<std::unique_ptr<LoopbackListener>> LoopbackListener::Start(
    ServeFn serve) {
  // A client that hangs up while a peer writes must not kill the test
  // process with SIGPIPE (SSL_write cannot pass MSG_NOSIGNAL).
  ::signal(SIGPIPE, SIG_IGN);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return absl::InternalError(absl::StrCat("socket: ", strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, 1024) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    absl::Status status =
        absl::InternalError(absl::StrCat("bind/listen: ", strerror(errno)));
    ::close(fd);
    return status;
  }
  auto listener = absl::WrapUnique(
      new LoopbackListener(std::move(serve), fd, ntohs(addr.sin_port)));
  listener->accept_thread_ =
      std::thread([l = listener.get()] { l->AcceptLoop(); });
  return listener;
}

LoopbackListener::LoopbackListener(ServeFn serve, int listen_fd, int port)
    : serve_(std::move(serve)), listen_fd_(listen_fd), port_(port) {}

LoopbackListener::~LoopbackListener() {
  stopping_.Notify();
  // Wakes the blocked accept() (Linux returns EINVAL).
  ::shutdown(listen_fd_, SHUT_RDWR);
  accept_thread_.join();
  std::vector<std::thread> threads;
  {
    MutexLock lock(&mu_);
    // Wakes connection threads blocked in reads; each fd is closed by Serve.
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    threads.swap(threads_);
  }
  for (std::thread& thread : threads) thread.join();
  ::close(listen_fd_);
}

int LoopbackListener::connections_accepted() const {
  MutexLock lock(&mu_);
  return connections_;
}

void LoopbackListener::AcceptLoop() {
  while (true) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (stopping()) {
      if (fd >= 0) ::close(fd);
      return;
    }
    if (fd < 0) {
      // Out of descriptors: back off rather than spin until some close.
      if (errno == EMFILE || errno == ENFILE) {
        absl::SleepFor(absl::Milliseconds(1));
      }
      continue;  // Also EINTR, ECONNABORTED: keep accepting.
    }
    MutexLock lock(&mu_);
    ++connections_;
    open_fds_.push_back(fd);
    threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

void LoopbackListener::Serve(int fd) {
  serve_(fd, *this);
  // Closed under the lock so the destructor never shuts down a reused fd.
  MutexLock lock(&mu_);
  open_fds_.erase(std::find(open_fds_.begin(), open_fds_.end(), fd));
  ::close(fd);
}

}  // namespace perch::testing
