// The credentials perch's gRPC port is served with: plaintext, or TLS from
// PEM files that gRPC re-reads when they change (Kubernetes rotates mounted
// certificates by swapping files; existing connections keep their session,
// new handshakes get the new certificate), optionally asking clients for a
// certificate signed by a given CA (mutual TLS).
#ifndef PERCH_SERVER_SECURITY_LISTENER_CREDENTIALS_H_
#define PERCH_SERVER_SECURITY_LISTENER_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"

namespace perch::security {

struct ListenerOptions {
  // Both or neither; neither means plaintext.
  std::string tls_cert_file;  // PEM chain, leaf first
  std::string tls_key_file;   // PEM private key of the leaf
  // PEM CAs whose client certificates are accepted (and verified). A client
  // without a certificate still connects: it may call health and
  // reflection, and authenticate with an API key.
  std::string client_ca_file;
  // How often gRPC looks at the files for changes (whole seconds, >= 1).
  absl::Duration reload_interval = absl::Seconds(60);
};

struct ListenerCredentials {
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // Kept alive with the server: it owns the file-watching thread.
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider;
  bool tls = false;
};

// INVALID_ARGUMENT naming the file when a file is unreadable, holds no PEM
// certificate / key, or the key does not belong to the certificate: checked
// here because gRPC would only log it and fail every handshake. File
// contents never appear in messages.
absl::StatusOr<ListenerCredentials> MakeListenerCredentials(
    const ListenerOptions& options);

}  // namespace perch::security

#endif  // PERCH_SERVER_SECURITY_LISTENER_CREDENTIALS_H_
