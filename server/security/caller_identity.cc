#include "server/security/caller_identity.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "grpc/grpc_security_constants.h"

namespace perch::security {
namespace {

void AppendProperty(const grpc::AuthContext& auth, const char* name,
                    std::vector<std::string>& out) {
  for (const grpc::string_ref& value : auth.FindPropertyValues(name)) {
    if (value.empty()) continue;
    out.emplace_back(value.data(), value.size());
  }
}

}  // namespace

std::optional<std::string> BearerKey(absl::string_view header_value) {
  constexpr absl::string_view kScheme = "bearer";
  if (header_value.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(header_value.substr(0, kScheme.size()),
                              kScheme) ||
      header_value[kScheme.size()] != ' ') {
    return std::nullopt;
  }
  absl::string_view key =
      absl::StripLeadingAsciiWhitespace(header_value.substr(kScheme.size()));
  key = absl::StripTrailingAsciiWhitespace(key);
  // A key is one token: blanks inside mean something else was sent.
  if (key.empty() || key.find_first_of(" \t") != absl::string_view::npos) {
    return std::nullopt;
  }
  return std::string(key);
}

std::vector<std::string> CertificateIdentities(const grpc::AuthContext& auth) {
  std::vector<std::string> identities;
  // Only a certificate the handshake verified counts; with
  // GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY a presented certificate is
  // always verified, this guards against a listener configured otherwise.
  if (!auth.IsPeerAuthenticated()) return identities;
  if (auth.FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME).empty()) {
    return identities;
  }
  AppendProperty(auth, GRPC_PEER_URI_PROPERTY_NAME, identities);
  AppendProperty(auth, GRPC_PEER_DNS_PROPERTY_NAME, identities);
  AppendProperty(auth, GRPC_X509_CN_PROPERTY_NAME, identities);
  return identities;
}

PresentedCredentials CredentialsOf(const grpc::ServerContextBase& context) {
  PresentedCredentials presented;
  presented.peer = context.peer();
  const auto& metadata = context.client_metadata();
  const auto [begin, end] = metadata.equal_range("authorization");
  int headers = 0;
  for (auto it = begin; it != end; ++it) {
    ++headers;
    presented.api_key =
        BearerKey(absl::string_view(it->second.data(), it->second.size()));
  }
  if (headers > 1 || (headers == 1 && !presented.api_key.has_value())) {
    presented.api_key.reset();
    presented.malformed_authorization = true;
  }
  if (auto auth = context.auth_context(); auth != nullptr) {
    presented.certificate_identities = CertificateIdentities(*auth);
  }
  return presented;
}

}  // namespace perch::security
