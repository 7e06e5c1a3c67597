// The server side's TLS context for the tests' scripted peers: a
// certificate chain and its key loaded from PEM files, owned (freed with
// SSL_CTX_free). Knows no connection: the peers make their SSLs from it.
#ifndef PERCH_TESTS_TESTING_SERVER_TLS_CONTEXT_H_
#define PERCH_TESTS_TESTING_SERVER_TLS_CONTEXT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace perch::testing {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const;
};
using ServerTlsContext = std::unique_ptr<SSL_CTX, SslCtxFree>;

// Errors: INTERNAL when the context cannot be made or either file does not
// load.
absl::StatusOr<ServerTlsContext> LoadServerTlsContext(
    const std::string& cert_file, const std::string& key_file);

}  // namespace perch::testing

#endif  // PERCH_TESTS_TESTING_SERVER_TLS_CONTEXT_H_
