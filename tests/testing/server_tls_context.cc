#include "tests/testing/server_tls_context.h"

#include <openssl/ssl.h>

#include "absl/status/status.h"

namespace perch::testing {

void SslCtxFree::operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }

absl::StatusOr<ServerTlsContext> LoadServerTlsContext(
    const std::string& cert_file, const std::string& key_file) {
  ServerTlsContext tls(SSL_CTX_new(TLS_server_method()));
  if (tls == nullptr ||
      SSL_CTX_use_certificate_chain_file(tls.get(), cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(tls.get(), key_file.c_str(),
                                  SSL_FILETYPE_PEM) != 1) {
    return absl::InternalError("cannot load the TLS certificate or key");
  }
  return tls;
}

}  // namespace perch::testing
