// The real Connection: generated stubs (perch.v1's and grpc.health.v1's)
// over one channel (plaintext, TLS or mutual TLS), with a per-call deadline
// and the caller's API key.
#ifndef PERCH_CLIENT_GRPC_CONNECTION_H_
#define PERCH_CLIENT_GRPC_CONNECTION_H_

#include <memory>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/cli_args.h"
#include "client/connection.h"

namespace perch::client {

// A connection to the perch server at `server` ("host:port"). Each call gets
// a deadline `timeout` after it starts and fails fast (UNAVAILABLE) when
// nothing listens: it does not wait for the channel to become ready. With
// `security.tls` the channel is grpc::SslCredentials (a failed handshake is
// UNAVAILABLE); a non-empty `security.api_key` goes on every call as
// "authorization: Bearer <key>", the form perch's callers file expects. It
// is sent as plain metadata, not as gRPC call credentials, because those are
// refused on plaintext channels (a perch behind an encrypting mesh).
std::unique_ptr<Connection> MakeGrpcConnection(absl::string_view server,
                                               absl::Duration timeout,
                                               const ChannelSecurity& security);

}  // namespace perch::client

#endif  // PERCH_CLIENT_GRPC_CONNECTION_H_
