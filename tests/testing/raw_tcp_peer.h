// RawTcpPeer: a loopback TCP peer that speaks no protocol, for tests of what
// an HTTP client does when the other end fails below HTTP. On each connection
// it writes scripted bytes (garbage to a TLS client, say) or nothing, then
// reads and discards until the client closes, never answering; it records
// what arrived and which connections the client closed.
#ifndef PERCH_TESTS_TESTING_RAW_TCP_PEER_H_
#define PERCH_TESTS_TESTING_RAW_TCP_PEER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tests/testing/loopback_listener.h"
#include "tests/testing/observed.h"

namespace perch::testing {

// Thread-safe.
class RawTcpPeer {
 public:
  struct Options {
    // Written as soon as a connection is accepted.
    std::string greeting;
  };

  // What the peer has seen so far.
  struct Events {
    int connections = 0;
    size_t bytes_received = 0;
    // Connections whose client closed (EOF or reset) before the peer stopped.
    int closed_by_client = 0;
  };

  // Errors: INTERNAL (socket setup).
  static absl::StatusOr<std::unique_ptr<RawTcpPeer>> Start(Options options);

  // Closes every connection and joins its threads.
  ~RawTcpPeer() = default;

  // "<scheme>://127.0.0.1:<port><path>".
  std::string Url(absl::string_view scheme, absl::string_view path) const;

  Events events() const { return events_.Get(); }
  // True once `condition` holds, false if it still does not after `timeout`.
  bool WaitFor(const std::function<bool(const Events&)>& condition,
               absl::Duration timeout) const {
    return events_.WaitFor(condition, timeout);
  }

 private:
  explicit RawTcpPeer(Options options) : options_(std::move(options)) {}
  void Serve(int fd, const LoopbackListener& listener);

  const Options options_;
  Observed<Events> events_;
  // Last: its destructor joins the threads that use the members above.
  std::unique_ptr<LoopbackListener> listener_;
};

}  // namespace perch::testing

#endif  // PERCH_TESTS_TESTING_RAW_TCP_PEER_H_
