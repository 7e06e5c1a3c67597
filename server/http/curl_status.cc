#include "server/http/curl_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"

namespace perch::http {
namespace {

using Code = absl::StatusCode;

struct Row {
  CURLcode curl;
  Code code;
  const char* what;  // What failed, in words a reader of a log understands.
};

// Only codes an HTTP(S) transfer with our options can produce are listed;
// anything else falls through to kDefault below.
constexpr Row kTable[] = {
    // Name resolution and connecting: the upstream is not reachable.
    {CURLE_COULDNT_RESOLVE_HOST, Code::kUnavailable, "could not resolve host"},
    {CURLE_COULDNT_RESOLVE_PROXY, Code::kUnavailable,
     "could not resolve proxy"},
    {CURLE_COULDNT_CONNECT, Code::kUnavailable,
     "connection refused or host unreachable"},
    // Proxies are configured by the environment, not by perch.
    {CURLE_PROXY, Code::kUnavailable, "proxy handshake failed"},

    // The connection broke or the reply was not HTTP.
    {CURLE_SEND_ERROR, Code::kUnavailable,
     "failed sending the request (connection reset?)"},
    {CURLE_RECV_ERROR, Code::kUnavailable,
     "failed receiving the response (connection reset?)"},
    {CURLE_GOT_NOTHING, Code::kUnavailable,
     "server closed the connection without a response"},
    {CURLE_PARTIAL_FILE, Code::kUnavailable,
     "response body ended before its announced length"},
    {CURLE_WEIRD_SERVER_REPLY, Code::kUnavailable, "malformed HTTP response"},
    // libcurl also returns this for a reply that is not HTTP at all (it reads
    // as HTTP/0.9, which it refuses); a bad URL scheme, perch's bug, never
    // gets this far because the transport checks the scheme first.
    {CURLE_UNSUPPORTED_PROTOCOL, Code::kUnavailable,
     "response is not HTTP/1.x or HTTP/2"},
    // A framing error, or a GOAWAY naming this request unprocessed (libcurl
    // 7.88 does not retry those itself; the request never reached the
    // server's application, so a retry is safe).
    {CURLE_HTTP2, Code::kUnavailable,
     "HTTP/2 connection failed (framing error or GOAWAY)"},
    // RST_STREAM from the server (overload, an error of its own), or from
    // nghttp2 for a malformed response (a body shorter than its
    // content-length). REFUSED_STREAM never gets here: libcurl retries it on
    // a new connection, then fails with CURLE_RECV_ERROR.
    {CURLE_HTTP2_STREAM, Code::kUnavailable,
     "HTTP/2 stream reset by the server or for a malformed response"},
    // The upstream sent a body its content-encoding header does not describe.
    {CURLE_BAD_CONTENT_ENCODING, Code::kUnavailable,
     "response body could not be decoded"},

    // TLS: the peer is not the one we trust or could not agree on a session.
    // Treated as an outage, not a caller error: the fix is on the server or
    // in deployment (CA bundle), never in the request.
    {CURLE_SSL_CONNECT_ERROR, Code::kUnavailable, "TLS handshake failed"},
    {CURLE_PEER_FAILED_VERIFICATION, Code::kUnavailable,
     "TLS certificate not trusted or does not match the host"},
    {CURLE_SSL_CIPHER, Code::kUnavailable, "no TLS cipher in common"},
    {CURLE_SSL_ISSUER_ERROR, Code::kUnavailable,
     "TLS certificate issuer check failed"},
    {CURLE_SSL_INVALIDCERTSTATUS, Code::kUnavailable,
     "TLS certificate status (OCSP) invalid"},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, Code::kUnavailable,
     "TLS public key does not match the pinned key"},
    {CURLE_SSL_SHUTDOWN_FAILED, Code::kUnavailable, "TLS shutdown failed"},
    {CURLE_SSL_CLIENTCERT, Code::kUnavailable,
     "server requires a TLS client certificate"},

    {CURLE_OPERATION_TIMEDOUT, Code::kDeadlineExceeded,
     "request deadline exceeded"},

    // Local resource shortage: transient, a later attempt may succeed.
    {CURLE_OUT_OF_MEMORY, Code::kUnavailable, "out of memory"},
    // The process ran out of descriptors or the poller broke: local and
    // possibly transient, like running out of memory.
    {CURLE_UNRECOVERABLE_POLL, Code::kUnavailable, "socket polling failed"},

    // Our own configuration or code is wrong: retrying cannot help.
    {CURLE_URL_MALFORMAT, Code::kInternal, "malformed URL"},
    {CURLE_NOT_BUILT_IN, Code::kInternal,
     "feature not built into this libcurl"},
    {CURLE_FAILED_INIT, Code::kInternal, "libcurl initialisation failed"},
    {CURLE_BAD_FUNCTION_ARGUMENT, Code::kInternal,
     "libcurl rejected an option value"},
    {CURLE_UNKNOWN_OPTION, Code::kInternal, "libcurl option unknown"},
    {CURLE_SETOPT_OPTION_SYNTAX, Code::kInternal,
     "libcurl option syntax invalid"},
    {CURLE_SSL_CACERT_BADFILE, Code::kInternal,
     "CA certificate file could not be loaded"},
    {CURLE_SSL_CRL_BADFILE, Code::kInternal, "CRL file could not be loaded"},
    {CURLE_SSL_CERTPROBLEM, Code::kInternal,
     "local TLS client certificate unusable"},
    {CURLE_SSL_ENGINE_NOTFOUND, Code::kInternal, "TLS engine not found"},
    {CURLE_SSL_ENGINE_SETFAILED, Code::kInternal, "TLS engine setup failed"},
    {CURLE_SSL_ENGINE_INITFAILED, Code::kInternal,
     "TLS engine initialisation failed"},
    // Our write callback only refuses data when the transport is broken.
    {CURLE_WRITE_ERROR, Code::kInternal, "failed storing the response"},
    {CURLE_READ_ERROR, Code::kInternal, "failed reading the request body"},
    {CURLE_ABORTED_BY_CALLBACK, Code::kInternal,
     "transfer aborted by a transport callback"},
    {CURLE_RECURSIVE_API_CALL, Code::kInternal,
     "libcurl called from inside its own callback"},
    // Redirects are never followed and HTTP errors are responses, so these
    // mean the transport's options were changed by mistake.
    {CURLE_TOO_MANY_REDIRECTS, Code::kInternal, "too many redirects"},
    {CURLE_HTTP_RETURNED_ERROR, Code::kInternal,
     "libcurl turned an HTTP status into an error"},
};

// Anything unlisted still means no response arrived, which the transport
// contract calls UNAVAILABLE; retry loops bound their attempts anyway.
constexpr Row kDefault = {CURLE_OK, Code::kUnavailable, "HTTP transfer failed"};

const Row& Lookup(CURLcode curl) {
  for (const Row& row : kTable) {
    if (row.curl == curl) return row;
  }
  return kDefault;
}

absl::string_view ReasonFor(Code code) {
  switch (code) {
    case Code::kDeadlineExceeded:
      return reasons::kDeadlineExceeded;
    case Code::kUnavailable:
      return reasons::kUpstreamUnavailable;
    default:
      return reasons::kHttpTransportFailed;
  }
}

}  // namespace

absl::Status CurlCodeToStatus(CURLcode code, absl::string_view curl_detail) {
  if (code == CURLE_OK) return absl::OkStatus();
  const Row& row = Lookup(code);
  const absl::string_view detail =
      curl_detail.empty() ? curl_easy_strerror(code) : curl_detail;
  const std::string message = absl::StrCat(
      row.what, " (curl ", static_cast<int>(code), ": ", detail, ")");
  return MakeError(
      row.code, message, ReasonFor(row.code), kPerchDomain,
      {{std::string(kCurlCodeKey), absl::StrCat(static_cast<int>(code))}});
}

}  // namespace perch::http
