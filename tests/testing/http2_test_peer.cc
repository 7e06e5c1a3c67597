#include "tests/testing/http2_test_peer.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace perch::testing {
namespace {

// Frame types and flags (RFC 9113 §6).
constexpr uint8_t kDataFrame = 0x0;
constexpr uint8_t kHeadersFrame = 0x1;
constexpr uint8_t kRstStreamFrame = 0x3;
constexpr uint8_t kSettingsFrame = 0x4;
constexpr uint8_t kPingFrame = 0x6;
constexpr uint8_t kGoawayFrame = 0x7;
constexpr uint8_t kWindowUpdateFrame = 0x8;
constexpr uint8_t kContinuationFrame = 0x9;
constexpr uint8_t kEndStreamFlag = 0x1;
constexpr uint8_t kAckFlag = 0x1;
constexpr uint8_t kEndHeadersFlag = 0x4;

constexpr absl::string_view kClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
// The smallest SETTINGS_MAX_FRAME_SIZE a client may announce: always safe.
constexpr size_t kMaxFramePayload = 16384;

// HPACK static table indices (RFC 7541 Appendix A) of the header names the
// peer sends. Entry 8 is ":status: 200"; its name serves any status.
constexpr uint8_t kStatusName = 8;
constexpr uint8_t kContentLengthName = 28;

void AppendU32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

uint32_t ReadU32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

std::string Frame(uint8_t type, uint8_t flags, uint32_t stream,
                  absl::string_view payload) {
  std::string out;
  out.push_back(static_cast<char>((payload.size() >> 16) & 0xff));
  out.push_back(static_cast<char>((payload.size() >> 8) & 0xff));
  out.push_back(static_cast<char>(payload.size() & 0xff));
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(flags));
  AppendU32(out, stream & 0x7fffffff);
  out.append(payload.data(), payload.size());
  return out;
}

// A "literal header field without indexing, indexed name" (RFC 7541
// §6.2.2): it leaves both HPACK dynamic tables alone, so the peer needs no
// encoder state. Values here are short (a 7-bit length, no Huffman).
void AppendLiteralHeader(std::string& block, uint8_t name_index,
                         absl::string_view value) {
  if (name_index < 15) {
    block.push_back(static_cast<char>(name_index));
  } else {
    block.push_back(0x0f);
    block.push_back(static_cast<char>(name_index - 15));
  }
  block.push_back(static_cast<char>(value.size()));
  block.append(value.data(), value.size());
}

// ALPN: h2 or nothing, so a client that cannot speak HTTP/2 fails loudly
// instead of being answered in frames it does not expect.
int SelectH2(SSL*, const unsigned char** out, unsigned char* out_len,
             const unsigned char* in, unsigned int in_len, void*) {
  static const unsigned char kH2[] = {2, 'h', '2'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_len, kH2, sizeof(kH2), in, in_len) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

class TlsStream {
 public:
  explicit TlsStream(SSL* ssl) : ssl_(ssl) {}

  bool ReadExact(void* data, size_t size) {
    auto* p = static_cast<char*>(data);
    while (size > 0) {
      const int n = SSL_read(ssl_, p, static_cast<int>(size));
      if (n <= 0) return false;
      p += n;
      size -= static_cast<size_t>(n);
    }
    return true;
  }

  bool Write(absl::string_view data) {
    while (!data.empty()) {
      const int n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

 private:
  SSL* const ssl_;
};

// What running a script step left of the connection.
enum class After { kContinue, kClosedByPeer, kBroken };

After RunStep(TlsStream& tls, SSL* ssl, int fd, uint32_t stream,
              const Http2Step& step) {
  std::string frames;
  switch (step.kind) {
    case Http2Step::Kind::kHeaders: {
      std::string block;
      AppendLiteralHeader(block, kStatusName, absl::StrCat(step.status));
      if (step.content_length.has_value()) {
        AppendLiteralHeader(block, kContentLengthName,
                            absl::StrCat(*step.content_length));
      }
      frames = Frame(kHeadersFrame,
                     kEndHeadersFlag | (step.end_stream ? kEndStreamFlag : 0),
                     stream, block);
      break;
    }
    case Http2Step::Kind::kData: {
      absl::string_view rest = step.data;
      do {
        const absl::string_view piece = rest.substr(0, kMaxFramePayload);
        rest.remove_prefix(piece.size());
        const bool last = rest.empty();
        frames +=
            Frame(kDataFrame, last && step.end_stream ? kEndStreamFlag : 0,
                  stream, piece);
      } while (!rest.empty());
      break;
    }
    case Http2Step::Kind::kReset: {
      std::string payload;
      AppendU32(payload, step.error_code);
      frames = Frame(kRstStreamFrame, 0, stream, payload);
      break;
    }
    case Http2Step::Kind::kGoaway: {
      // Client stream ids are odd: the one before 1 is "none" (0).
      const uint32_t last =
          step.goaway_includes_stream ? stream : (stream >= 2 ? stream - 2 : 0);
      std::string payload;
      AppendU32(payload, last);
      AppendU32(payload, step.error_code);
      frames = Frame(kGoawayFrame, 0, 0, payload);
      break;
    }
    case Http2Step::Kind::kAwait:  // Converse() handles it.
      return After::kContinue;
    case Http2Step::Kind::kClose:
      SSL_shutdown(ssl);  // close_notify; the peer does not wait for the reply
      ::shutdown(fd, SHUT_RDWR);
      return After::kClosedByPeer;
  }
  return tls.Write(frames) ? After::kContinue : After::kBroken;
}

}  // namespace

Http2Step Http2Step::Headers(int status, std::optional<size_t> content_length,
                             bool end_stream) {
  Http2Step step;
  step.kind = Kind::kHeaders;
  step.status = status;
  step.content_length = content_length;
  step.end_stream = end_stream;
  return step;
}

Http2Step Http2Step::Data(std::string data, bool end_stream) {
  Http2Step step;
  step.kind = Kind::kData;
  step.data = std::move(data);
  step.end_stream = end_stream;
  return step;
}

Http2Step Http2Step::Reset(uint32_t error_code) {
  Http2Step step;
  step.kind = Kind::kReset;
  step.error_code = error_code;
  return step;
}

Http2Step Http2Step::Goaway(uint32_t error_code, bool includes_stream) {
  Http2Step step;
  step.kind = Kind::kGoaway;
  step.error_code = error_code;
  step.goaway_includes_stream = includes_stream;
  return step;
}

Http2Step Http2Step::Close() {
  Http2Step step;
  step.kind = Kind::kClose;
  return step;
}

Http2Step Http2Step::Await() {
  Http2Step step;
  step.kind = Kind::kAwait;
  return step;
}

Http2Script Http2Response(int status, std::string body) {
  const size_t length = body.size();
  return {Http2Step::Headers(status, length),
          Http2Step::Data(std::move(body), /*end_stream=*/true)};
}

absl::StatusOr<std::unique_ptr<Http2TestPeer>> Http2TestPeer::Start(
    Script script, Options options) {
  absl::StatusOr<ServerTlsContext> tls =
      LoadServerTlsContext(options.cert_file, options.key_file);
  if (!tls.ok()) return tls.status();
  SSL_CTX_set_alpn_select_cb(tls->get(), &SelectH2, nullptr);
  return ServeOnLoopback(std::unique_ptr<Http2TestPeer>(new Http2TestPeer(
                             std::move(script), *std::move(tls))),
                         &Http2TestPeer::Serve, &Http2TestPeer::listener_);
}

Http2TestPeer::~Http2TestPeer() {
  // Threads in an Await step would never see the stop. The listener goes
  // next (the last member), joining the connection threads; then tls_.
  Release();
}

std::string Http2TestPeer::Url(absl::string_view path) const {
  return absl::StrCat("https://127.0.0.1:", listener_->port(), path);
}

void Http2TestPeer::Release() {
  MutexLock lock(&release_mu_);
  released_ = true;
}

void Http2TestPeer::AwaitRelease() {
  MutexLock lock(&release_mu_);
  release_mu_.Await([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(release_mu_) {
    return released_;
  });
}

void Http2TestPeer::Serve(int fd, const LoopbackListener& listener) {
  int connection = 0;
  events_.Update([&connection](Events& e) { connection = e.connections++; });
  SSL* ssl = SSL_new(tls_.get());
  SSL_set_fd(ssl, fd);
  // A client that rejects the certificate or ALPN ends it at the handshake.
  const bool closed_by_peer =
      SSL_accept(ssl) == 1 && Converse(ssl, fd, connection);
  if (!closed_by_peer && !listener.stopping()) {
    events_.Update([](Events& e) { ++e.closed_by_client; });
  }
  SSL_free(ssl);
  ERR_clear_error();  // OpenSSL's error queue is per thread.
}

bool Http2TestPeer::Converse(SSL* ssl, int fd, int connection) {
  TlsStream tls(ssl);
  // The server's preface is a SETTINGS frame; the defaults suit.
  if (!tls.Write(Frame(kSettingsFrame, 0, 0, ""))) return false;
  std::string preface(kClientPreface.size(), '\0');
  if (!tls.ReadExact(preface.data(), preface.size()) ||
      preface != kClientPreface) {
    return false;
  }
  // Streams whose request headers arrived but whose body has not ended.
  std::set<uint32_t> receiving;
  // Whether the HEADERS frame of a header block still continuing in
  // CONTINUATION frames ended its stream.
  bool continued_ends_stream = false;

  while (true) {
    unsigned char head[9];
    if (!tls.ReadExact(head, sizeof(head))) return false;
    const size_t length =
        (size_t{head[0]} << 16) | (size_t{head[1]} << 8) | size_t{head[2]};
    const uint8_t type = head[3];
    const uint8_t flags = head[4];
    const uint32_t stream = ReadU32(head + 5) & 0x7fffffff;
    std::string payload(length, '\0');
    if (!tls.ReadExact(payload.data(), length)) return false;

    // Set when this frame completes a request.
    bool complete = false;
    switch (type) {
      case kSettingsFrame:
        if ((flags & kAckFlag) == 0 &&
            !tls.Write(Frame(kSettingsFrame, kAckFlag, 0, ""))) {
          return false;
        }
        break;
      case kPingFrame:
        if ((flags & kAckFlag) == 0 &&
            !tls.Write(Frame(kPingFrame, kAckFlag, 0, payload))) {
          return false;
        }
        break;
      case kHeadersFrame:
      case kContinuationFrame: {
        const bool ends_stream = type == kHeadersFrame
                                     ? (flags & kEndStreamFlag) != 0
                                     : continued_ends_stream;
        if ((flags & kEndHeadersFlag) == 0) {
          continued_ends_stream = ends_stream;
        } else if (ends_stream) {
          complete = true;
        } else {
          receiving.insert(stream);
        }
        break;
      }
      case kDataFrame:
        // Give the window back, so a request body of any size gets through.
        if (length > 0) {
          std::string increment;
          AppendU32(increment, static_cast<uint32_t>(length));
          if (!tls.Write(Frame(kWindowUpdateFrame, 0, 0, increment) +
                         Frame(kWindowUpdateFrame, 0, stream, increment))) {
            return false;
          }
        }
        if ((flags & kEndStreamFlag) != 0 && receiving.erase(stream) > 0) {
          complete = true;
        }
        break;
      case kRstStreamFrame:
        events_.Update([&](Events& e) {
          e.reset_by_client.push_back(StreamRef{connection, stream});
        });
        receiving.erase(stream);
        break;
      default:  // PRIORITY, WINDOW_UPDATE, GOAWAY, unknown: nothing to do.
        break;
    }
    if (!complete) continue;

    int index = 0;
    events_.Update([&](Events& e) {
      index = static_cast<int>(e.requests.size());
      e.requests.push_back(StreamRef{connection, stream});
    });
    for (const Http2Step& step : script_(index)) {
      if (step.kind == Http2Step::Kind::kAwait) AwaitRelease();
      switch (RunStep(tls, ssl, fd, stream, step)) {
        case After::kContinue:
          break;
        case After::kClosedByPeer:
          return true;
        case After::kBroken:
          return false;
      }
    }
  }
}

}  // namespace perch::testing
