// The perch CLI's view of a perch server: one blocking call per RPC the CLI
// uses. Commands run against this interface, so their paging and printing
// are tested with a fake; GrpcConnection is the real one.
#ifndef PERCH_CLIENT_CONNECTION_H_
#define PERCH_CLIENT_CONNECTION_H_

#include "grpc/health/v1/health.pb.h"
#include "grpcpp/support/status.h"
#include "perch/v1/read_service.pb.h"
#include "perch/v1/token_service.pb.h"

namespace perch::client {

// Each call blocks until the server answers or the call's deadline passes
// and returns the server's status unchanged (details included). Not required
// to be thread-safe: the CLI calls from one thread.
class Connection {
 public:
  virtual ~Connection() = default;

  virtual grpc::Status GetTimeline(
      const perch::v1::GetTimelineRequest& request,
      perch::v1::GetTimelineResponse* response) = 0;
  virtual grpc::Status Search(const perch::v1::SearchRequest& request,
                              perch::v1::SearchResponse* response) = 0;
  virtual grpc::Status GetFollowers(
      const perch::v1::GetFollowersRequest& request,
      perch::v1::GetFollowersResponse* response) = 0;
  virtual grpc::Status GetList(const perch::v1::GetListRequest& request,
                               perch::v1::GetListResponse* response) = 0;
  virtual grpc::Status Obtain(const perch::v1::ObtainRequest& request,
                              perch::v1::ObtainResponse* response) = 0;
  virtual grpc::Status Invalidate(const perch::v1::InvalidateRequest& request,
                                  perch::v1::InvalidateResponse* response) = 0;
  // grpc.health.v1.Health/Check.
  virtual grpc::Status Check(
      const grpc::health::v1::HealthCheckRequest& request,
      grpc::health::v1::HealthCheckResponse* response) = 0;
};

}  // namespace perch::client

#endif  // PERCH_CLIENT_CONNECTION_H_
