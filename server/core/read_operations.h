// What ReadService does, apart from gRPC: validate the request, turn it into
// a dialect-neutral query (resuming from the page token's position), and
// turn the dialect's page into the response with the next page token. One
// method per RPC; the upstream's paths, JSON and paging are the dialect's.
#ifndef PERCH_SERVER_CORE_READ_OPERATIONS_H_
#define PERCH_SERVER_CORE_READ_OPERATIONS_H_

#include <memory>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "perch/v1/read_service.pb.h"
#include "server/common/clock.h"
#include "server/core/request_coalescer.h"
#include "server/upstream/read_dialect.h"

namespace perch::core {

// Thread-safe. Each method calls `done` exactly once (inline when the
// request is invalid: INVALID_ARGUMENT with a BadRequest, and no upstream
// call; inline from the response cache) and returns a handle that withdraws
// the caller, or nullptr when it was answered already. Identical requests in
// flight together share one dialect call and its result. The dialect's
// errors reach the caller unchanged.
class ReadOperations {
 public:
  template <typename Response>
  using Done = absl::AnyInvocable<void(absl::StatusOr<Response>) &&>;
  using Handle = std::shared_ptr<upstream::ReadHandle>;

  // `dialect` and `clock` must outlive this object; `scheduler` (the
  // callers' deadline timers) must be stopped or destroyed before it is.
  ReadOperations(upstream::ReadDialect& dialect, const Clock& clock,
                 Scheduler& scheduler, CoalescerOptions options = {})
      : dialect_(dialect),
        timelines_(clock, scheduler, options),
        searches_(clock, scheduler, options),
        followers_(clock, scheduler, options),
        lists_(clock, scheduler, options) {}

  Handle GetTimeline(const v1::GetTimelineRequest& request, absl::Time deadline,
                     Done<v1::GetTimelineResponse> done);
  Handle Search(const v1::SearchRequest& request, absl::Time deadline,
                Done<v1::SearchResponse> done);
  Handle GetFollowers(const v1::GetFollowersRequest& request,
                      absl::Time deadline, Done<v1::GetFollowersResponse> done);
  Handle GetList(const v1::GetListRequest& request, absl::Time deadline,
                 Done<v1::GetListResponse> done);

  // Callers of every RPC waiting on an upstream call now (for tests).
  int64_t callers_waiting() const {
    return timelines_.waiting() + searches_.waiting() + followers_.waiting() +
           lists_.waiting();
  }

 private:
  upstream::ReadDialect& dialect_;
  RequestCoalescer<v1::GetTimelineResponse> timelines_;
  RequestCoalescer<v1::SearchResponse> searches_;
  RequestCoalescer<v1::GetFollowersResponse> followers_;
  RequestCoalescer<v1::GetListResponse> lists_;
};

}  // namespace perch::core

#endif  // PERCH_SERVER_CORE_READ_OPERATIONS_H_
