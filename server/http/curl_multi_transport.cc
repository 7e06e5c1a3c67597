#include "server/http/curl_multi_transport.h"

#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "absl/memory/memory.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/common/log.h"
#include "server/http/curl_status.h"

namespace perch::http {
namespace {

// Idle easy handles kept for reuse; beyond this they are freed. Reuse saves
// a few allocations per request, nothing more (connections live in the multi
// handle's cache, not in easy handles), and each idle one holds ~30 KB of
// buffers, so the pool stays small.
constexpr size_t kMaxIdleEasyHandles = 64;

// Upper bound on one epoll_wait, so a lost timer cannot stall the loop.
constexpr int kMaxWaitMillis = 60'000;

absl::Status Cancelled(absl::string_view why) {
  return MakeError(absl::StatusCode::kCancelled, why, reasons::kCancelled,
                   kPerchDomain);
}

absl::Status DeadlineExceeded(absl::string_view why) {
  return MakeError(absl::StatusCode::kDeadlineExceeded, why,
                   reasons::kDeadlineExceeded, kPerchDomain);
}

absl::Status TransportFailed(absl::string_view why) {
  return MakeError(absl::StatusCode::kInternal, why,
                   reasons::kHttpTransportFailed, kPerchDomain);
}

bool HasLineBreak(absl::string_view s) {
  return s.find_first_of("\r\n") != absl::string_view::npos;
}

// Largest announced body reserved up front (a bigger one still arrives,
// growing as it comes): a length header alone must not make the process
// allocate without bound.
constexpr size_t kMaxReservedBodyBytes = 16 << 20;

// A response body as it arrives, with the cap it must stay under.
struct BodyBuffer {
  CURL* easy = nullptr;
  std::string bytes;
  size_t limit = 0;  // 0: unlimited
  bool too_large = false;
};

bool HasFiniteDeadline(const HttpRequest& request) {
  return request.deadline != absl::InfiniteFuture();
}

void WriteAll(int fd, const void* data, size_t size) {
  // An eventfd write of 8 bytes either succeeds whole or fails with EAGAIN
  // (counter saturated, i.e. a wake-up is pending anyway).
  while (::write(fd, data, size) < 0 && errno == EINTR) {
  }
}

}  // namespace

struct CurlMultiTransport::Transfer {
  RequestId id = 0;
  HttpRequest request;  // Owns the URL and the POST body libcurl points into.
  Callback done;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  bool in_multi = false;
  BodyBuffer body;
  char error[CURL_ERROR_SIZE] = {};
};

namespace {

size_t OnBody(char* data, size_t size, size_t count, void* buffer_ptr) {
  auto* buffer = static_cast<BodyBuffer*>(buffer_ptr);
  const size_t n = size * count;
  if (buffer->limit > 0 && buffer->bytes.size() + n > buffer->limit) {
    // Returning short makes libcurl stop with CURLE_WRITE_ERROR.
    buffer->too_large = true;
    return 0;
  }
  if (buffer->bytes.empty()) {
    // One allocation of the announced size (plus the parser's spare bytes)
    // instead of growing by doubling through 16 KiB pieces, copying each
    // time. Compressed bodies announce less than they decode to: they grow.
    curl_off_t announced = -1;
    if (curl_easy_getinfo(buffer->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
                          &announced) == CURLE_OK &&
        announced > 0 &&
        static_cast<size_t>(announced) <=
            (buffer->limit > 0 ? std::min(buffer->limit, kMaxReservedBodyBytes)
                               : kMaxReservedBodyBytes)) {
      buffer->bytes.reserve(static_cast<size_t>(announced) +
                            kResponseBodySpareBytes);
    }
  }
  buffer->bytes.append(data, n);
  return n;
}

absl::Status ResponseTooLarge(int64_t limit) {
  return MakeError(
      absl::StatusCode::kInternal,
      absl::StrCat("upstream response body larger than ", limit, " bytes"),
      reasons::kUpstreamResponseTooLarge, kPerchDomain);
}

}  // namespace

absl::StatusOr<std::unique_ptr<CurlMultiTransport>> MakeCurlMultiTransport(
    CurlMultiTransport::Options options) {
  // libcurl wants curl_global_init() before any other call, once; this
  // libcurl's init is thread-safe, and the once_flag makes it happen exactly
  // once however many transports (tests make many) are created.
  static std::once_flag init_once;
  static CURLcode init_result = CURLE_OK;
  std::call_once(init_once,
                 [] { init_result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init_result != CURLE_OK) {
    return TransportFailed(absl::StrCat("curl_global_init failed: ",
                                        curl_easy_strerror(init_result)));
  }

  if (!options.ca_file.empty() &&
      ::access(options.ca_file.c_str(), R_OK) != 0) {
    return MakeError(absl::StatusCode::kInvalidArgument,
                     absl::StrCat("CA file not readable: ", options.ca_file),
                     reasons::kInvalidConfig, kPerchDomain);
  }
  if (options.max_host_connections < 0 || options.max_total_connections < 0 ||
      options.max_concurrent_streams < 0 || options.max_response_bytes < 0) {
    return MakeError(absl::StatusCode::kInvalidArgument,
                     "connection and stream limits must not be negative",
                     reasons::kInvalidConfig, kPerchDomain);
  }

  const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  const int wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  CURLM* multi = curl_multi_init();
  epoll_event wake_event{};
  wake_event.events = EPOLLIN;
  wake_event.data.fd = wake_fd;
  if (epoll_fd < 0 || wake_fd < 0 || multi == nullptr ||
      ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &wake_event) != 0) {
    const std::string why =
        multi == nullptr ? "curl_multi_init failed" : strerror(errno);
    if (multi != nullptr) curl_multi_cleanup(multi);
    if (wake_fd >= 0) ::close(wake_fd);
    if (epoll_fd >= 0) ::close(epoll_fd);
    return TransportFailed(
        absl::StrCat("cannot set up the HTTP event loop: ", why));
  }
  return absl::WrapUnique(
      new CurlMultiTransport(std::move(options), multi, epoll_fd, wake_fd));
}

CurlMultiTransport::CurlMultiTransport(Options options, CURLM* multi,
                                       int epoll_fd, int wake_fd)
    : options_(std::move(options)),
      multi_(multi),
      epoll_fd_(epoll_fd),
      wake_fd_(wake_fd) {
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &OnSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &OnTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                    options_.max_host_connections);
  curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                    options_.max_total_connections);
  if (options_.max_concurrent_streams > 0) {
    curl_multi_setopt(multi_, CURLMOPT_MAX_CONCURRENT_STREAMS,
                      options_.max_concurrent_streams);
  }
  // CURLMOPT_MAXCONNECTS (the idle-connection cache) stays at libcurl's
  // default, which grows with the number of transfers in flight.
  thread_ = std::thread([this] { Run(); });
  pthread_setname_np(thread_.native_handle(), "perch-http");
}

CurlMultiTransport::~CurlMultiTransport() {
  if (std::this_thread::get_id() == thread_.get_id()) {
    // Joining ourselves would hang forever; fail loudly instead.
    LogError("http: CurlMultiTransport destroyed from its own callback");
    std::abort();
  }
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  Wake();
  thread_.join();  // Run() failed every request and cleaned up libcurl.
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

HttpTransport::RequestId CurlMultiTransport::Send(HttpRequest request,
                                                  Callback done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  RequestId id;
  bool wake;
  {
    MutexLock lock(&mu_);
    id = next_id_++;
    transfer->id = id;
    // Only the first command of a batch needs a wake-up: the loop drains the
    // eventfd before it takes the queue, so it cannot miss this one.
    wake = commands_.empty();
    commands_.push_back(Command{id, std::move(transfer)});
  }
  if (wake) Wake();
  return id;
}

void CurlMultiTransport::Cancel(RequestId id) {
  bool wake;
  {
    MutexLock lock(&mu_);
    wake = commands_.empty();
    commands_.push_back(Command{id, nullptr});
  }
  if (wake) Wake();
}

void CurlMultiTransport::Wake() {
  const uint64_t one = 1;
  WriteAll(wake_fd_, &one, sizeof(one));
}

int CurlMultiTransport::OnSocket(CURL* /*easy*/, curl_socket_t fd, int what,
                                 void* self_ptr, void* socket_data) {
  auto* self = static_cast<CurlMultiTransport*>(self_ptr);
  uint32_t events = 0;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= EPOLLOUT;
  if (events == 0) {
    // CURL_POLL_REMOVE (or NONE): stop watching. The descriptor may already
    // be closed, which removed it from the epoll set; ignore errors.
    ::epoll_ctl(self->epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    return 0;
  }
  epoll_event event{};
  event.events = events;
  event.data.fd = fd;
  // socket_data marks descriptors already added (curl_multi_assign below).
  // Fall back on the other operation: a NONE above may have deleted it.
  const int op = socket_data != nullptr ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (::epoll_ctl(self->epoll_fd_, op, fd, &event) != 0) {
    const int fallback = errno == ENOENT
                             ? EPOLL_CTL_ADD
                             : (errno == EEXIST ? EPOLL_CTL_MOD : -1);
    if (fallback < 0 ||
        ::epoll_ctl(self->epoll_fd_, fallback, fd, &event) != 0) {
      // This transfer stalls until its deadline or Cancel(); returning -1
      // would make libcurl fail every transfer instead.
      LogError("http: epoll_ctl failed: ", strerror(errno));
      return 0;
    }
  }
  if (socket_data == nullptr) curl_multi_assign(self->multi_, fd, self);
  return 0;
}

int CurlMultiTransport::OnTimer(CURLM* /*multi*/, long timeout_ms,
                                void* self_ptr) {
  auto* self = static_cast<CurlMultiTransport*>(self_ptr);
  if (timeout_ms < 0) {
    self->curl_timer_.reset();
  } else {
    self->curl_timer_ = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

int CurlMultiTransport::NextWaitMillis() const {
  std::optional<absl::Duration> wait;
  if (curl_timer_.has_value()) {
    wait = absl::FromChrono(*curl_timer_ - std::chrono::steady_clock::now());
  }
  if (!deadlines_.empty()) {
    const absl::Duration until_deadline =
        deadlines_.begin()->first - absl::Now();
    wait = wait.has_value() ? std::min(*wait, until_deadline) : until_deadline;
  }
  if (!wait.has_value()) return kMaxWaitMillis;
  if (*wait <= absl::ZeroDuration()) return 0;
  // Round up: waking before the timer is due would only spin.
  const int64_t millis =
      absl::ToInt64Milliseconds(absl::Ceil(*wait, absl::Milliseconds(1)));
  return static_cast<int>(std::min<int64_t>(millis, kMaxWaitMillis));
}

void CurlMultiTransport::Run() {
  std::array<epoll_event, 256> events;
  bool running = true;
  while (running) {
    const int n =
        ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                     NextWaitMillis());
    if (n < 0) {
      if (errno == EINTR) continue;
      // Only a corrupted descriptor gets here; without its loop the
      // transport would leave every caller waiting forever.
      LogError("http: epoll_wait failed: ", strerror(errno));
      std::abort();
    }
    bool woken = false;
    int still_running = 0;
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        woken = true;
        continue;
      }
      int mask = 0;
      if (events[i].events & EPOLLIN) mask |= CURL_CSELECT_IN;
      if (events[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
      if (events[i].events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
      curl_multi_socket_action(multi_, fd, mask, &still_running);
    }
    if (curl_timer_.has_value() &&
        *curl_timer_ <= std::chrono::steady_clock::now()) {
      // Cleared first: the call below may set a new timer.
      curl_timer_.reset();
      curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &still_running);
    }
    ReapCompleted();
    ExpireDeadlines();
    if (woken) {
      uint64_t count;
      // Drained before the queue is taken (see Send()).
      while (::read(wake_fd_, &count, sizeof(count)) < 0 && errno == EINTR) {
      }
      running = ProcessCommands();
    }
    // After the reaping above made room, and after new requests joined the
    // queue.
    if (running) LaunchWaiting();
  }
  CancelEverything();
  for (CURL* easy : idle_easy_) curl_easy_cleanup(easy);
  idle_easy_.clear();
  curl_multi_cleanup(multi_);
  multi_ = nullptr;
}

bool CurlMultiTransport::ProcessCommands() {
  std::vector<Command> batch;
  {
    MutexLock lock(&mu_);
    // Leave the queue to CancelEverything(), which fails it as a whole.
    if (stopping_) return false;
    batch.swap(commands_);
  }
  for (Command& command : batch) {
    if (command.transfer != nullptr) {
      Start(std::move(command.transfer));
    } else if (auto transfer = Abandon(command.id); transfer != nullptr) {
      Finish(std::move(transfer), Cancelled("request cancelled"));
    }
  }
  return true;
}

void CurlMultiTransport::Start(std::unique_ptr<Transfer> transfer) {
  const HttpRequest& request = transfer->request;
  if (request.deadline <= absl::Now()) {
    Finish(std::move(transfer),
           DeadlineExceeded("deadline passed before the request was sent"));
    return;
  }
  // Refused here rather than by libcurl, whose code for an unsupported
  // scheme is the same as for a non-HTTP reply (see curl_status.cc).
  if (!absl::StartsWithIgnoreCase(request.url, "http://") &&
      !absl::StartsWithIgnoreCase(request.url, "https://")) {
    Finish(std::move(transfer), TransportFailed("URL is not http or https"));
    return;
  }
  if (HasFiniteDeadline(transfer->request)) {
    deadlines_.emplace(transfer->request.deadline, transfer->id);
  }
  Transfer& admitted = *transfer;
  active_.emplace(admitted.id, std::move(transfer));
  // FIFO: nothing overtakes a request already waiting.
  if (waiting_.empty() && HasRoom()) {
    Launch(admitted);
  } else {
    waiting_.push_back(admitted.id);
  }
}

bool CurlMultiTransport::HasRoom() const {
  return options_.max_active_transfers == 0 ||
         in_multi_count_ < options_.max_active_transfers;
}

void CurlMultiTransport::LaunchWaiting() {
  while (!waiting_.empty() && HasRoom()) {
    const RequestId id = waiting_.front();
    waiting_.pop_front();
    if (auto it = active_.find(id); it != active_.end()) Launch(*it->second);
  }
}

void CurlMultiTransport::Launch(Transfer& transfer) {
  const RequestId id = transfer.id;
  transfer.easy = AcquireEasy();
  if (transfer.easy == nullptr) {
    Finish(Detach(id), TransportFailed("curl_easy_init failed"));
    return;
  }
  if (absl::Status status = Configure(transfer); !status.ok()) {
    Finish(Detach(id), std::move(status));
    return;
  }
  if (CURLMcode code = curl_multi_add_handle(multi_, transfer.easy);
      code != CURLM_OK) {
    Finish(Detach(id),
           TransportFailed(absl::StrCat("curl_multi_add_handle failed: ",
                                        curl_multi_strerror(code))));
    return;
  }
  transfer.in_multi = true;
  ++in_multi_count_;
}

absl::Status CurlMultiTransport::Configure(Transfer& transfer) {
  const HttpRequest& request = transfer.request;
  for (const auto& [name, value] : request.headers) {
    // A line break would smuggle extra header lines onto the wire. The
    // message names neither the header nor its value: either may be secret.
    if (name.empty() || HasLineBreak(name) || HasLineBreak(value) ||
        absl::StrContains(name, ':')) {
      return TransportFailed("malformed request header name or value");
    }
    // "Name;" is libcurl's spelling of a header with an empty value ("Name:"
    // would delete the header instead).
    const std::string line = value.empty() ? absl::StrCat(name, ";")
                                           : absl::StrCat(name, ": ", value);
    curl_slist* appended = curl_slist_append(transfer.headers, line.c_str());
    if (appended == nullptr) return TransportFailed("out of memory");
    transfer.headers = appended;
  }

  CURL* easy = transfer.easy;
  CURLcode code = CURLE_OK;
  // Stops at the first failure, which is then reported.
  auto set = [&](CURLoption option, auto value) {
    if (code == CURLE_OK) code = curl_easy_setopt(easy, option, value);
  };
  set(CURLOPT_PRIVATE, static_cast<void*>(&transfer));
  set(CURLOPT_ERRORBUFFER, transfer.error);
  set(CURLOPT_URL, request.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_NOSIGNAL, 1L);  // We run on our own thread: no SIGALRM tricks.
  set(CURLOPT_USERAGENT, options_.user_agent.c_str());
  set(CURLOPT_HTTPHEADER, transfer.headers);
  set(CURLOPT_ACCEPT_ENCODING, "");  // Every encoding libcurl can decode.
  set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  if (absl::StartsWithIgnoreCase(request.url, "https://")) {
    // While the first TLS handshake to a host is under way, wait for its ALPN
    // verdict (h2 multiplexes everything onto it) rather than open a
    // connection per request. Never for cleartext: there libcurl speaks only
    // HTTP/1.1, yet would hold every request to the host until the first
    // response's headers arrive.
    set(CURLOPT_PIPEWAIT, 1L);
  }
  set(CURLOPT_SSL_VERIFYPEER, 1L);
  set(CURLOPT_SSL_VERIFYHOST, 2L);
  set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!options_.ca_file.empty()) set(CURLOPT_CAINFO, options_.ca_file.c_str());
  set(CURLOPT_TCP_KEEPALIVE, 1L);  // Pooled connections may idle for long.
  if (request.own_connection) {
    // libcurl's unseen re-send applies to reused connections only.
    set(CURLOPT_FRESH_CONNECT, 1L);
    set(CURLOPT_FORBID_REUSE, 1L);
  }
  // No CURLOPT_TIMEOUT_MS: the loop's own deadline (ExpireDeadlines) ends
  // every request, through Abandon(), so the upstream learns of it. A
  // libcurl timeout would end an HTTP/2 stream without a word to the server.
  set(CURLOPT_WRITEFUNCTION, &OnBody);
  transfer.body.easy = easy;
  transfer.body.limit = static_cast<size_t>(options_.max_response_bytes);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&transfer.body));
  if (options_.max_response_bytes > 0) {
    // Refuses early on a Content-Length over the cap; OnBody enforces it on
    // the decompressed bytes whatever the headers say.
    set(CURLOPT_MAXFILESIZE_LARGE,
        static_cast<curl_off_t>(options_.max_response_bytes));
  }
  if (request.method == HttpMethod::kPost) {
    set(CURLOPT_POST, 1L);
    set(CURLOPT_POSTFIELDSIZE_LARGE,
        static_cast<curl_off_t>(request.body.size()));
    set(CURLOPT_POSTFIELDS, request.body.data());  // Not copied: we own it.
  } else {
    set(CURLOPT_HTTPGET, 1L);
  }
  if (code != CURLE_OK) {
    return TransportFailed(absl::StrCat("cannot configure the request: ",
                                        curl_easy_strerror(code)));
  }
  return absl::OkStatus();
}

void CurlMultiTransport::ReapCompleted() {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    // Copied out: the message dies when its handle leaves the multi.
    CURL* easy = message->easy_handle;
    const CURLcode code = message->data.result;
    void* transfer_ptr = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &transfer_ptr);
    Transfer& transfer = *static_cast<Transfer*>(transfer_ptr);

    absl::StatusOr<HttpResponse> result;
    if (code == CURLE_OK) {
      HttpResponse response;
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      response.status = static_cast<int>(status);
      // CURLH_HEADER of the last request: the final response's headers only,
      // without 1xx interim responses or trailers.
      curl_header* header = nullptr;
      while ((header = curl_easy_nextheader(easy, CURLH_HEADER, -1, header)) !=
             nullptr) {
        response.headers.emplace_back(absl::AsciiStrToLower(header->name),
                                      header->value);
      }
      response.body = std::move(transfer.body.bytes);
      result = std::move(response);
    } else if (code == CURLE_FILESIZE_EXCEEDED ||
               (code == CURLE_WRITE_ERROR && transfer.body.too_large)) {
      result = ResponseTooLarge(options_.max_response_bytes);
    } else {
      result = CurlCodeToStatus(code, transfer.error);
    }
    Finish(Detach(transfer.id), std::move(result));
  }
}

void CurlMultiTransport::ExpireDeadlines() {
  const absl::Time now = absl::Now();
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const RequestId id = deadlines_.begin()->second;
    std::unique_ptr<Transfer> transfer = Abandon(id);
    if (transfer == nullptr) {  // Cannot happen; never loop on it.
      deadlines_.erase(deadlines_.begin());
      continue;
    }
    Finish(std::move(transfer),
           DeadlineExceeded("deadline passed before the response arrived"));
  }
}

void CurlMultiTransport::CancelEverything() {
  std::vector<RequestId> ids;
  ids.reserve(active_.size());
  for (const auto& [id, transfer] : active_) ids.push_back(id);
  for (RequestId id : ids) {
    Finish(Abandon(id), Cancelled("HTTP transport shut down"));
  }
  // Callbacks above may have sent more; fail those too until none are left.
  while (true) {
    std::vector<Command> batch;
    {
      MutexLock lock(&mu_);
      batch.swap(commands_);
    }
    if (batch.empty()) return;
    for (Command& command : batch) {
      if (command.transfer != nullptr) {
        Finish(std::move(command.transfer),
               Cancelled("HTTP transport shut down"));
      }
    }
  }
}

std::unique_ptr<CurlMultiTransport::Transfer> CurlMultiTransport::Abandon(
    RequestId id) {
  auto it = active_.find(id);
  if (it != active_.end() && it->second->in_multi) {
    // libcurl 7.88 queues the RST_STREAM of an HTTP/2 stream removed
    // mid-flight but sends it only when its connection next does I/O: on a
    // connection nothing else uses, never, and the upstream would go on
    // working for nobody. With reuse forbidden, libcurl closes a connection
    // this transfer was the last user of, which ends the stream for the
    // upstream at once; one that other streams still use stays open and
    // sends the RST_STREAM with their traffic. (An HTTP/1.1 connection with
    // a response in flight is closed either way.)
    curl_easy_setopt(it->second->easy, CURLOPT_FORBID_REUSE, 1L);
  }
  return Detach(id);
}

std::unique_ptr<CurlMultiTransport::Transfer> CurlMultiTransport::Detach(
    RequestId id) {
  auto it = active_.find(id);
  if (it == active_.end()) return nullptr;
  std::unique_ptr<Transfer> transfer = std::move(it->second);
  active_.erase(it);
  if (transfer->in_multi) {
    curl_multi_remove_handle(multi_, transfer->easy);
    transfer->in_multi = false;
    --in_multi_count_;
  }
  if (HasFiniteDeadline(transfer->request)) {
    deadlines_.erase({transfer->request.deadline, id});
  }
  return transfer;
}

void CurlMultiTransport::Finish(std::unique_ptr<Transfer> transfer,
                                absl::StatusOr<HttpResponse> result) {
  if (transfer->easy != nullptr) ReleaseEasy(transfer->easy);
  curl_slist_free_all(transfer->headers);
  Callback done = std::move(transfer->done);
  transfer.reset();
  std::move(done)(std::move(result));
}

CURL* CurlMultiTransport::AcquireEasy() {
  if (idle_easy_.empty()) return curl_easy_init();
  CURL* easy = idle_easy_.back();
  idle_easy_.pop_back();
  return easy;
}

void CurlMultiTransport::ReleaseEasy(CURL* easy) {
  if (idle_easy_.size() >= kMaxIdleEasyHandles) {
    curl_easy_cleanup(easy);
    return;
  }
  // Forgets every option (and so every pointer into the finished transfer).
  curl_easy_reset(easy);
  idle_easy_.push_back(easy);
}

}  // namespace perch::http
