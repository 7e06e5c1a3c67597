#include "server/security/listener_credentials.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace perch::security {
namespace {

absl::Status BadFile(absl::string_view flag, absl::string_view path,
                     absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, " ", path, ": ", problem));
}

absl::StatusOr<std::string> ReadFile(absl::string_view flag,
                                     const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return BadFile(flag, path, "cannot read it");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<BIO, BioDeleter> MemoryBio(const std::string& pem) {
  return std::unique_ptr<BIO, BioDeleter>(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::unique_ptr<X509, X509Deleter> FirstCertificate(const std::string& pem) {
  auto bio = MemoryBio(pem);
  return std::unique_ptr<X509, X509Deleter>(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

}  // namespace

absl::StatusOr<ListenerCredentials> MakeListenerCredentials(
    const ListenerOptions& options) {
  ListenerCredentials out;
  if (options.tls_cert_file.empty() && options.tls_key_file.empty()) {
    if (!options.client_ca_file.empty()) {
      return absl::InvalidArgumentError(
          "--client_ca_file needs --tls_cert_file and --tls_key_file");
    }
    out.credentials = grpc::InsecureServerCredentials();
    return out;
  }
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together");
  }

  auto cert_pem = ReadFile("tls_cert_file", options.tls_cert_file);
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = ReadFile("tls_key_file", options.tls_key_file);
  if (!key_pem.ok()) return key_pem.status();
  auto cert = FirstCertificate(*cert_pem);
  if (cert == nullptr) {
    ERR_clear_error();
    return BadFile("tls_cert_file", options.tls_cert_file,
                   "no PEM certificate in it");
  }
  auto key_bio = MemoryBio(*key_pem);
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    ERR_clear_error();
    return BadFile("tls_key_file", options.tls_key_file,
                   "no unencrypted PEM private key in it");
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return BadFile("tls_key_file", options.tls_key_file,
                   "the key does not belong to --tls_cert_file");
  }
  if (!options.client_ca_file.empty()) {
    auto ca_pem = ReadFile("client_ca_file", options.client_ca_file);
    if (!ca_pem.ok()) return ca_pem.status();
    if (FirstCertificate(*ca_pem) == nullptr) {
      ERR_clear_error();
      return BadFile("client_ca_file", options.client_ca_file,
                     "no PEM certificate in it");
    }
  }

  const auto interval = static_cast<unsigned int>(
      std::max<int64_t>(1, absl::ToInt64Seconds(options.reload_interval)));
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          options.tls_key_file, options.tls_cert_file, options.client_ca_file,
          interval);
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_identity_key_cert_pairs();
  if (!options.client_ca_file.empty()) {
    tls.watch_root_certs();
    // Request, verify when sent, but do not require: clients without a
    // certificate must still reach health and reflection, and may carry an
    // API key instead. The caller gate turns "no identity" into
    // UNAUTHENTICATED for perch.v1 methods.
    tls.set_cert_request_type(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    tls.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  // gRPC's TLS credentials negotiate TLS 1.2 at least by default.
  out.credentials = grpc::experimental::TlsServerCredentials(tls);
  out.provider = std::move(provider);
  out.tls = true;
  return out;
}

}  // namespace perch::security
