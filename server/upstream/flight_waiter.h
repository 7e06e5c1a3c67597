// The handle of one caller waiting on a single flight of reads
// (common/single_flight.h): the v2 dialect's name lookups (lookup_cache.h)
// and core's coalesced reads. Cancelling it withdraws that caller alone; the
// flight's upstream work is aborted only when no caller is left.
#ifndef PERCH_SERVER_UPSTREAM_FLIGHT_WAITER_H_
#define PERCH_SERVER_UPSTREAM_FLIGHT_WAITER_H_

#include <utility>

#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/upstream/read_handle.h"

namespace perch::upstream {

// `Flights` is a SingleFlight<T, std::shared_ptr<ReadHandle>>; it must
// outlive the handle. Thread-safe (Withdraw takes the flights' lock).
template <typename Flights>
class FlightWaiter final : public ReadHandle {
 public:
  FlightWaiter(Flights& flights, typename Flights::Ticket ticket)
      : flights_(flights), ticket_(std::move(ticket)) {}

  // The caller gets CANCELLED unless it was answered already.
  void Cancel() override {
    flights_.Withdraw(ticket_, MakeError(absl::StatusCode::kCancelled,
                                         "the call was cancelled",
                                         reasons::kCancelled, kPerchDomain));
  }

 private:
  Flights& flights_;
  const typename Flights::Ticket ticket_;
};

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_FLIGHT_WAITER_H_
