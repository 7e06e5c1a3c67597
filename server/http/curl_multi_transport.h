// CurlMultiTransport: the production HttpTransport. One I/O thread runs an
// epoll loop that drives one libcurl multi handle through
// curl_multi_socket_action, so thousands of requests share a few sockets
// (HTTP/2 multiplexing, HTTP/1.1 keep-alive). It moves bytes only: it knows
// nothing about Twitter, tokens or retries.
#ifndef PERCH_SERVER_HTTP_CURL_MULTI_TRANSPORT_H_
#define PERCH_SERVER_HTTP_CURL_MULTI_TRANSPORT_H_

#include <curl/curl.h>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/common/mutex.h"
#include "server/http/http_transport.h"

namespace perch::http {

// Thread safety: Send() and Cancel() may be called from any thread, including
// from inside a `done` callback. Callbacks run on the transport's single I/O
// thread, one at a time, with no transport lock held; a slow callback delays
// every other request, so callbacks must hand heavy work elsewhere.
//
// Status codes (beyond HttpTransport's contract): UNAVAILABLE and INTERNAL
// come from the CURLcode table in curl_status.h; INTERNAL also when the
// request cannot be expressed (URL scheme not http/https, a line break in a
// header). DEADLINE_EXCEEDED comes from the I/O loop, which ends a request at
// its deadline wherever it is (resolving, connecting, queued, waiting for
// bytes). Every error carries one ErrorInfo (domain perch.v1).
//
// A request that ends before its response did (Cancel(), deadline,
// destruction) ends upstream too: its HTTP/1.1 connection is closed; its
// HTTP/2 stream is reset, or its connection closed if no other stream
// uses it.
//
// Destruction cancels everything still pending (callbacks run with CANCELLED
// before the destructor returns) and joins the I/O thread. It must not run on
// the I/O thread (i.e. not from a callback), and no other thread may call
// Send() or Cancel() once it has started.
class CurlMultiTransport final : public HttpTransport {
 public:
  struct Options {
    // PEM bundle of trusted CAs; empty means the system store. Set it to
    // trust a private CA (the emulator's).
    std::string ca_file;
    std::string user_agent = "perch/0.1";
    // Caps on open connections, per host and in total; 0 means unlimited.
    // Requests beyond a cap wait in libcurl's queue (their deadlines still
    // apply; max_active_transfers keeps that queue short). Over HTTP/1.1
    // every request in flight needs a connection of its own, so the cap is
    // a concurrency cap. Over HTTP/2, uncapped, a burst
    // past one connection's stream limit (often 100) makes libcurl 7.88 open
    // a connection per waiting request (1,000 at once: ~700 TLS handshakes);
    // a cap of a few connections keeps the burst multiplexed on those.
    long max_host_connections = 0;
    long max_total_connections = 0;
    // Most requests inside libcurl at once; 0 means no cap. The rest wait in
    // the transport's own FIFO queue, where deadlines and Cancel() still
    // apply, and start as earlier ones finish. libcurl 7.88 walks every
    // connection to the host for each request it starts, and rescans its
    // own pending list the same way: with 10,000 requests handed to it, those
    // walks took a third of the server's CPU and stalled completions for
    // seconds (docs/performance.md). Set it to what the connection caps can
    // carry at once: max_host_connections over HTTP/1.1, times the streams
    // per connection over HTTP/2.
    size_t max_active_transfers = 0;
    // HTTP/2 streams per connection before libcurl opens another one;
    // 0 keeps libcurl's default (100).
    long max_concurrent_streams = 0;
    // Largest response body accepted, after decompression; 0 means
    // unlimited. A bigger one fails the request with INTERNAL /
    // UPSTREAM_RESPONSE_TOO_LARGE (not retryable: the same request would get
    // the same body) instead of growing without bound in memory.
    int64_t max_response_bytes = 0;
  };

  // Use MakeCurlMultiTransport().
  CurlMultiTransport(const CurlMultiTransport&) = delete;
  CurlMultiTransport& operator=(const CurlMultiTransport&) = delete;
  ~CurlMultiTransport() override;

  RequestId Send(HttpRequest request, Callback done) override;
  void Cancel(RequestId id) override;

 private:
  struct Transfer;
  // A request to start (transfer set) or to cancel (transfer null).
  struct Command {
    RequestId id;
    std::unique_ptr<Transfer> transfer;
  };

  friend absl::StatusOr<std::unique_ptr<CurlMultiTransport>>
  MakeCurlMultiTransport(Options options);
  CurlMultiTransport(Options options, CURLM* multi, int epoll_fd, int wake_fd);

  // libcurl callbacks (I/O thread, inside curl_multi_* calls).
  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* self,
                      void* socket_data);
  static int OnTimer(CURLM* multi, long timeout_ms, void* self);

  // Everything below runs on the I/O thread only.
  void Run();
  int NextWaitMillis() const;
  // False once the destructor asked the loop to stop.
  bool ProcessCommands();
  // Admits a new request: hands it to libcurl, or queues it when
  // max_active_transfers are already there.
  void Start(std::unique_ptr<Transfer> transfer);
  // Hands an admitted, queued request to libcurl.
  void Launch(Transfer& transfer);
  // Launches queued requests while there is room.
  void LaunchWaiting();
  bool HasRoom() const;
  absl::Status Configure(Transfer& transfer);
  void ReapCompleted();
  void ExpireDeadlines();
  void CancelEverything();
  // Takes an admitted transfer out of the multi handle and the tables.
  std::unique_ptr<Transfer> Detach(RequestId id);
  // Detach() for a transfer libcurl has not finished (cancel, deadline,
  // shutdown), such that the upstream sees the request end.
  std::unique_ptr<Transfer> Abandon(RequestId id);
  // Recycles the transfer's handles, then runs its callback.
  void Finish(std::unique_ptr<Transfer> transfer,
              absl::StatusOr<HttpResponse> result);
  CURL* AcquireEasy();
  void ReleaseEasy(CURL* easy);

  void Wake();

  const Options options_;
  CURLM* multi_;
  const int epoll_fd_;
  const int wake_fd_;  // eventfd: Send/Cancel/~ poke the loop through it.

  Mutex mu_;
  std::vector<Command> commands_ ABSL_GUARDED_BY(mu_);
  RequestId next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  // I/O thread state.
  // Every admitted transfer, launched or waiting.
  absl::flat_hash_map<RequestId, std::unique_ptr<Transfer>> active_;
  // Admitted but not yet launched, oldest first. Ids of transfers that left
  // while waiting (cancelled, expired) stay here until they reach the front,
  // where LaunchWaiting skips them.
  std::deque<RequestId> waiting_;
  size_t in_multi_count_ = 0;
  // (deadline, id) of active transfers with a finite deadline. The loop
  // alone enforces them (libcurl is given none): so that every expiry goes
  // through Abandon(), and because libcurl does not time out a transfer
  // still queued for a connection.
  std::set<std::pair<absl::Time, RequestId>> deadlines_;
  // When libcurl wants curl_multi_socket_action(CURL_SOCKET_TIMEOUT).
  std::optional<std::chrono::steady_clock::time_point> curl_timer_;
  std::vector<CURL*> idle_easy_;

  std::thread thread_;  // Last: starts after everything above exists.
};

// Creates the transport and starts its I/O thread. INVALID_ARGUMENT if
// options.ca_file is set but unreadable; INTERNAL if libcurl or the kernel
// refuse to set up (no memory, no descriptors). Initialises libcurl globally
// on first use (once per process, thread-safe); libcurl is never
// de-initialised, since other transports may still be alive.
absl::StatusOr<std::unique_ptr<CurlMultiTransport>> MakeCurlMultiTransport(
    CurlMultiTransport::Options options);

}  // namespace perch::http

#endif  // PERCH_SERVER_HTTP_CURL_MULTI_TRANSPORT_H_
