// perch.v1.ReadService on gRPC's callback API: each handler hands the call
// to core::ReadOperations and finishes with the converted status; a
// cancelled RPC aborts its upstream work.
#ifndef PERCH_SERVER_SERVICE_READ_SERVICE_H_
#define PERCH_SERVER_SERVICE_READ_SERVICE_H_

#include "absl/time/time.h"
#include "perch/v1/read_service.grpc.pb.h"
#include "server/core/read_operations.h"

namespace perch::service {

class ReadService final : public v1::ReadService::CallbackService {
 public:
  // `operations` must outlive the service.
  ReadService(core::ReadOperations& operations, absl::Duration max_call_time)
      : operations_(operations), max_call_time_(max_call_time) {}

  grpc::ServerUnaryReactor* GetTimeline(
      grpc::CallbackServerContext* context,
      const v1::GetTimelineRequest* request,
      v1::GetTimelineResponse* response) override;
  grpc::ServerUnaryReactor* Search(grpc::CallbackServerContext* context,
                                   const v1::SearchRequest* request,
                                   v1::SearchResponse* response) override;
  grpc::ServerUnaryReactor* GetFollowers(
      grpc::CallbackServerContext* context,
      const v1::GetFollowersRequest* request,
      v1::GetFollowersResponse* response) override;
  grpc::ServerUnaryReactor* GetList(grpc::CallbackServerContext* context,
                                    const v1::GetListRequest* request,
                                    v1::GetListResponse* response) override;

 private:
  core::ReadOperations& operations_;
  const absl::Duration max_call_time_;
};

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_READ_SERVICE_H_
