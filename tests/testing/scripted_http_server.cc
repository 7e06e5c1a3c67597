#include "tests/testing/scripted_http_server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <zlib.h>


#include "absl/memory/memory.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace perch::testing {
namespace {

// One accepted connection, plain or TLS, with a read buffer.
class Connection {
 public:
  Connection(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  ~Connection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
  }

  // Appends what is available to buffer(); false on EOF or error.
  bool ReadMore() {
    char chunk[16384];
    const int n = ssl_ != nullptr
                      ? SSL_read(ssl_, chunk, sizeof(chunk))
                      : static_cast<int>(::recv(fd_, chunk, sizeof(chunk), 0));
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  bool Write(absl::string_view data) {
    while (!data.empty()) {
      const int n =
          ssl_ != nullptr
              ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
              : static_cast<int>(
                    ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL));
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  std::string& buffer() { return buffer_; }

 private:
  const int fd_;
  SSL* const ssl_;
  std::string buffer_;
};

// Reads one request; nullopt when the peer closed or sent nonsense.
std::optional<ReceivedRequest> ReadRequest(Connection& conn) {
  std::string& buf = conn.buffer();
  size_t head_end;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (!conn.ReadMore()) return std::nullopt;
  }
  std::vector<std::string> lines =
      absl::StrSplit(absl::string_view(buf).substr(0, head_end), "\r\n");
  buf.erase(0, head_end + 4);
  std::vector<std::string> request_line = absl::StrSplit(lines[0], ' ');
  if (request_line.size() != 3) return std::nullopt;

  ReceivedRequest request;
  request.method = request_line[0];
  request.target = request_line[1];
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(':');
    if (colon == std::string::npos) return std::nullopt;
    request.headers.emplace_back(
        absl::AsciiStrToLower(lines[i].substr(0, colon)),
        std::string(absl::StripAsciiWhitespace(
            absl::string_view(lines[i]).substr(colon + 1))));
  }
  if (absl::EqualsIgnoreCase(request.Header("expect").value_or(""),
                             "100-continue") &&
      !conn.Write("HTTP/1.1 100 Continue\r\n\r\n")) {
    return std::nullopt;
  }
  size_t length = 0;
  if (auto value = request.Header("content-length"); value.has_value()) {
    if (!absl::SimpleAtoi(*value, &length)) return std::nullopt;
  }
  while (buf.size() < length) {
    if (!conn.ReadMore()) return std::nullopt;
  }
  request.body = buf.substr(0, length);
  buf.erase(0, length);
  return request;
}

std::string Gzip(absl::string_view data) {
  z_stream stream{};
  // 15 + 16: a gzip wrapper rather than a zlib one.
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
               Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, data.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string FormatResponse(const ScriptedReply& reply) {
  const std::string body = reply.gzip ? Gzip(reply.body) : reply.body;
  std::string out = absl::StrCat("HTTP/1.1 ", reply.status, " Scripted\r\n");
  bool has_length = false;
  for (const auto& [name, value] : reply.headers) {
    absl::StrAppend(&out, name, ": ", value, "\r\n");
    has_length |= absl::EqualsIgnoreCase(name, "content-length");
  }
  if (reply.gzip) absl::StrAppend(&out, "Content-Encoding: gzip\r\n");
  if (reply.close_after) absl::StrAppend(&out, "Connection: close\r\n");
  if (!has_length) {
    absl::StrAppend(&out, "Content-Length: ", body.size(), "\r\n");
  }
  absl::StrAppend(&out, "\r\n", body);
  return out;
}

}  // namespace

std::optional<std::string> ReceivedRequest::Header(
    absl::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return std::nullopt;
}

absl::StatusOr<std::unique_ptr<ScriptedHttpServer>> ScriptedHttpServer::Start(
    Handler handler, Options options) {
  ServerTlsContext tls;
  if (!options.cert_file.empty()) {
    absl::StatusOr<ServerTlsContext> loaded =
        LoadServerTlsContext(options.cert_file, options.key_file);
    if (!loaded.ok()) return loaded.status();
    tls = *std::move(loaded);
  }
  return ServeOnLoopback(absl::WrapUnique(new ScriptedHttpServer(
                             std::move(handler), std::move(tls))),
                         &ScriptedHttpServer::Serve,
                         &ScriptedHttpServer::listener_);
}

ScriptedHttpServer::~ScriptedHttpServer() {
  // Cuts delays short; the listener goes next (the last member), joining
  // the connection threads; then tls_.
  stopping_.Notify();
}

std::string ScriptedHttpServer::Url(absl::string_view path) const {
  return absl::StrCat(tls_ != nullptr ? "https" : "http",
                      "://127.0.0.1:", port(), path);
}

std::vector<ReceivedRequest> ScriptedHttpServer::requests() const {
  MutexLock lock(&mu_);
  return requests_;
}

int ScriptedHttpServer::connections_accepted() const {
  return listener_->connections_accepted();
}

bool ScriptedHttpServer::WaitForRequests(size_t n,
                                         absl::Duration timeout) const {
  MutexLock lock(&mu_);
  auto arrived = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return requests_.size() >= n;
  };
  return mu_.AwaitWithTimeout(arrived, timeout);
}

void ScriptedHttpServer::Serve(int fd, const LoopbackListener& /*listener*/) {
  SSL* ssl = nullptr;
  if (tls_ != nullptr) {
    ssl = SSL_new(tls_.get());
    SSL_set_fd(ssl, fd);
  }
  {
    Connection conn(fd, ssl);
    // A client that rejects our certificate ends the handshake: done.
    if (ssl == nullptr || SSL_accept(ssl) == 1) {
      while (!stopping_.HasBeenNotified()) {
        std::optional<ReceivedRequest> request = ReadRequest(conn);
        if (!request.has_value()) break;
        {
          MutexLock lock(&mu_);
          requests_.push_back(*request);
        }
        const ScriptedReply reply = handler_(*request);
        if (reply.delay > absl::ZeroDuration() &&
            stopping_.WaitForNotificationWithTimeout(reply.delay)) {
          break;
        }
        if (reply.kind == ScriptedReply::Kind::kCloseWithoutAnswer) break;
        if (reply.kind == ScriptedReply::Kind::kRaw) {
          conn.Write(reply.raw);
          break;
        }
        if (reply.interim_continue &&
            !conn.Write("HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n")) {
          break;
        }
        if (!conn.Write(FormatResponse(reply)) || reply.close_after) break;
      }
    }
    ERR_clear_error();  // OpenSSL's error queue is per thread.
  }
}

}  // namespace perch::testing
