// The real Connection: generated stubs over one insecure channel, with a
// per-call deadline. Health is called by method name because perch_api
// compiles grpc.health.v1 without a stub.
#ifndef PERCH_CLIENT_GRPC_CONNECTION_H_
#define PERCH_CLIENT_GRPC_CONNECTION_H_

#include <memory>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/connection.h"

namespace perch::client {

// A connection to the perch server at `server` ("host:port"). Each call gets
// a deadline `timeout` after it starts and fails fast (UNAVAILABLE) when
// nothing listens: it does not wait for the channel to become ready.
std::unique_ptr<Connection> MakeGrpcConnection(absl::string_view server,
                                               absl::Duration timeout);

}  // namespace perch::client

#endif  // PERCH_CLIENT_GRPC_CONNECTION_H_
