// LoopbackListener: the plumbing under the tests' scripted peers. It listens
// on 127.0.0.1 (an ephemeral port), runs each accepted connection on a thread
// of its own, and on destruction shuts every connection down and joins every
// thread. It knows no protocol: the peers built on it do.
#ifndef PERCH_TESTS_TESTING_LOOPBACK_LISTENER_H_
#define PERCH_TESTS_TESTING_LOOPBACK_LISTENER_H_

#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "server/common/mutex.h"
#include "server/common/notification.h"

namespace perch::testing {

class LoopbackListener {
 public:
  // Serves one connection. It owns the descriptor's traffic but not the
  // descriptor: the listener closes it after the function returns, which it
  // must do once reads fail (the destructor shuts the socket down to make
  // them fail). `listener` is the one serving, for stopping().
  using ServeFn = std::function<void(int fd, const LoopbackListener& listener)>;

  // Errors: INTERNAL (socket, bind or listen failed).
  static absl::StatusOr<std::unique_ptr<LoopbackListener>> Start(ServeFn serve);

  // Stops accepting, shuts every open connection down, joins every thread.
  ~LoopbackListener();

  int port() const { return port_; }
  int connections_accepted() const;
  // True once the destructor started: a read that fails then is not the
  // client's doing.
  bool stopping() const { return stopping_.HasBeenNotified(); }

 private:
  LoopbackListener(ServeFn serve, int listen_fd, int port);
  void AcceptLoop();
  void Serve(int fd);

  const ServeFn serve_;
  const int listen_fd_;
  const int port_;
  Notification stopping_;

  mutable Mutex mu_;
  int connections_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<int> open_fds_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);

  std::thread accept_thread_;
};

// How a peer built on LoopbackListener starts listening: each connection
// goes to `peer`'s `serve`, and the listener is kept in `peer`'s `listener`,
// which must be its last member (so that destroying the peer joins the
// connection threads before the members they use go). The peer's Start
// passes its own private members. Errors: the listener's.
template <typename Peer>
absl::StatusOr<std::unique_ptr<Peer>> ServeOnLoopback(
    std::unique_ptr<Peer> peer,
    void (Peer::*serve)(int fd, const LoopbackListener& listener),
    std::unique_ptr<LoopbackListener> Peer::*listener) {
  absl::StatusOr<std::unique_ptr<LoopbackListener>> started =
      LoopbackListener::Start(std::bind_front(serve, peer.get()));
  if (!started.ok()) return started.status();
  (*peer).*listener = *std::move(started);
  return peer;
}

}  // namespace perch::testing

#endif  // PERCH_TESTS_TESTING_LOOPBACK_LISTENER_H_
