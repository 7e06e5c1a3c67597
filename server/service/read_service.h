// perch.v1.ReadService on gRPC's callback API: each handler admits the
// caller (security::CallerGate: reader role), hands the call to
// core::ReadOperations and finishes with the converted status, telling the
// CallObserver what the call did; a cancelled RPC aborts its upstream work.
// Requests arrive as bytes (raw_messages.h) so that unparsable ones get
// INVALID_ARGUMENT rather than gRPC's detail-less UNIMPLEMENTED.
#ifndef PERCH_SERVER_SERVICE_READ_SERVICE_H_
#define PERCH_SERVER_SERVICE_READ_SERVICE_H_

#include "absl/time/time.h"
#include "perch/v1/read_service.grpc.pb.h"
#include "server/core/read_operations.h"
#include "server/security/caller_gate.h"
#include "server/service/call_observer.h"

namespace perch::service {

using ReadServiceBase = v1::ReadService::WithRawCallbackMethod_GetTimeline<
    v1::ReadService::WithRawCallbackMethod_Search<
        v1::ReadService::WithRawCallbackMethod_GetFollowers<
            v1::ReadService::WithRawCallbackMethod_GetList<
                v1::ReadService::Service>>>>;

class ReadService final : public ReadServiceBase {
 public:
  // `operations`, `gate` and `observer` must outlive the service.
  ReadService(core::ReadOperations& operations, absl::Duration max_call_time,
              security::CallerGate& gate, CallObserver& observer)
      : operations_(operations),
        max_call_time_(max_call_time),
        gate_(gate),
        observer_(observer) {}

  grpc::ServerUnaryReactor* GetTimeline(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Search(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetFollowers(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetList(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;

 private:
  core::ReadOperations& operations_;
  const absl::Duration max_call_time_;
  security::CallerGate& gate_;
  CallObserver& observer_;
};

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_READ_SERVICE_H_
