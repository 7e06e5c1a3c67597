// perch.v1.ReadService on gRPC's callback API: each handler admits the
// caller (security::CallerGate: reader role), hands the call to
// core::ReadOperations and finishes with the converted status, telling the
// CallObserver what the call did; a cancelled RPC aborts its upstream work.
// Requests arrive as bytes (raw_messages.h) so that unparsable ones get
// INVALID_ARGUMENT rather than gRPC's detail-less UNIMPLEMENTED.
#ifndef PERCH_SERVER_SERVICE_READ_SERVICE_H_
#define PERCH_SERVER_SERVICE_READ_SERVICE_H_

#include "perch/v1/read_service.grpc.pb.h"
#include "server/core/read_operations.h"
#include "server/service/unary_handler.h"

namespace perch::service {

using ReadServiceBase = v1::ReadService::WithRawCallbackMethod_GetTimeline<
    v1::ReadService::WithRawCallbackMethod_Search<
        v1::ReadService::WithRawCallbackMethod_GetFollowers<
            v1::ReadService::WithRawCallbackMethod_GetList<
                v1::ReadService::Service>>>>;

// Each handler is one HandleUnary call (unary_handler.h), as TokenService's
// are; the constructor is UnaryService's.
class ReadService final
    : public UnaryService<ReadServiceBase, core::ReadOperations> {
 public:
  using UnaryService::UnaryService;

  Reactor* GetTimeline(Context* context, const Bytes* in, Bytes* out) override;
  Reactor* Search(Context* context, const Bytes* in, Bytes* out) override;
  Reactor* GetFollowers(Context* context, const Bytes* in, Bytes* out) override;
  Reactor* GetList(Context* context, const Bytes* in, Bytes* out) override;
};

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_READ_SERVICE_H_
