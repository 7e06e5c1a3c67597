// What a call presents to prove who sent it, read off the gRPC server
// context: an API key from "authorization: Bearer <key>", and the names in a
// client certificate the TLS handshake verified. Reading only; deciding who
// that is and what they may do is caller_gate.h.
#ifndef PERCH_SERVER_SECURITY_CALLER_IDENTITY_H_
#define PERCH_SERVER_SECURITY_CALLER_IDENTITY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/server_context.h"

namespace perch::security {

struct PresentedCredentials {
  // The key of a well-formed "authorization: Bearer <key>". A secret: it is
  // hashed and compared, never logged or copied elsewhere.
  std::optional<std::string> api_key;
  // An authorization header that is not one "Bearer <key>" (another scheme,
  // no key, sent twice): rejected rather than guessed at.
  bool malformed_authorization = false;
  // Identities of a client certificate the handshake verified, in the order
  // they are tried: URI SANs, DNS SANs, then the subject CN. Empty without
  // a verified certificate.
  std::vector<std::string> certificate_identities;
  // gRPC's peer address ("ipv4:127.0.0.1:5000"), for audit lines.
  std::string peer;
};

// The parts of an "authorization" header value: the key of
// "Bearer <key>" (scheme case-insensitive, one space or more), or nullopt.
std::optional<std::string> BearerKey(absl::string_view header_value);

// Identities of a verified peer certificate in `auth`; empty if the peer is
// not authenticated by a certificate.
std::vector<std::string> CertificateIdentities(const grpc::AuthContext& auth);

PresentedCredentials CredentialsOf(const grpc::ServerContextBase& context);

}  // namespace perch::security

#endif  // PERCH_SERVER_SECURITY_CALLER_IDENTITY_H_
