// What ReadService does, apart from gRPC: validate the request, turn it into
// upstream calls (resuming from the page token), map the JSON into perch.v1
// messages and mint the next page token. One method per RPC.
#ifndef PERCH_SERVER_CORE_READ_OPERATIONS_H_
#define PERCH_SERVER_CORE_READ_OPERATIONS_H_

#include <memory>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "perch/v1/read_service.pb.h"
#include "server/upstream/twitter_api.h"

namespace perch::core {

// Thread-safe. Each method calls `done` exactly once (inline when the
// request is invalid: INVALID_ARGUMENT with a BadRequest, and no upstream
// call) and returns a handle that aborts the upstream work, or nullptr when
// there is none left to abort.
class ReadOperations {
 public:
  template <typename Response>
  using Done = absl::AnyInvocable<void(absl::StatusOr<Response>) &&>;
  using Handle = std::shared_ptr<upstream::ReadHandle>;

  // `api` must outlive this object.
  explicit ReadOperations(upstream::TwitterApi& api) : api_(api) {}

  Handle GetTimeline(const v1::GetTimelineRequest& request, absl::Time deadline,
                     Done<v1::GetTimelineResponse> done);
  Handle Search(const v1::SearchRequest& request, absl::Time deadline,
                Done<v1::SearchResponse> done);
  Handle GetFollowers(const v1::GetFollowersRequest& request,
                      absl::Time deadline, Done<v1::GetFollowersResponse> done);
  Handle GetList(const v1::GetListRequest& request, absl::Time deadline,
                 Done<v1::GetListResponse> done);

 private:
  upstream::TwitterApi& api_;
};

}  // namespace perch::core

#endif  // PERCH_SERVER_CORE_READ_OPERATIONS_H_
