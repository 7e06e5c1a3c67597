// Requests and responses of perch.v1 handlers that receive bytes: gRPC's
// own parsing answers a request it cannot parse (a proto3 string field
// holding invalid UTF-8, truncated bytes) with UNIMPLEMENTED and no
// details, which tells a client the method does not exist. Parsing here
// lets the handler answer INVALID_ARGUMENT with a BadRequest like every
// other invalid request.
#ifndef PERCH_SERVER_SERVICE_RAW_MESSAGES_H_
#define PERCH_SERVER_SERVICE_RAW_MESSAGES_H_

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "grpcpp/support/proto_buffer_writer.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"

namespace perch::service {

// INVALID_ARGUMENT / INVALID_REQUEST (BadRequest on "request") when `bytes`
// are not a valid `Message`.
template <typename Message>
absl::Status ParseRequest(const grpc::ByteBuffer& bytes, Message* out) {
  // The reader consumes a copy; copying a ByteBuffer only takes references
  // to its slices.
  grpc::ByteBuffer copy(bytes);
  grpc::ProtoBufferReader reader(&copy);
  if (!reader.status().ok() || !out->ParseFromZeroCopyStream(&reader)) {
    return MakeInvalidArgument(
        {{"request",
          absl::StrCat("not a valid ", Message::descriptor()->full_name(),
                       " (e.g. a string field that is not UTF-8)")}});
  }
  return absl::OkStatus();
}

// Serializes `message` into the handler's response bytes.
template <typename Message>
absl::Status SerializeResponse(const Message& message, grpc::ByteBuffer* out) {
  bool own_buffer = false;
  grpc::Status status =
      grpc::SerializationTraits<Message>::Serialize(message, out, &own_buffer);
  if (!status.ok()) {
    return MakeError(absl::StatusCode::kInternal, "cannot serialize the reply",
                     reasons::kInternal, kPerchDomain);
  }
  return absl::OkStatus();
}

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_RAW_MESSAGES_H_
