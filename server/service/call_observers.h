// Fan-out: one CallObserver that tells each of several (the access log, the
// call metrics) about every call, in the order given. The wiring builds it
// from whatever observers it made; the handlers see only a CallObserver.
#ifndef PERCH_SERVER_SERVICE_CALL_OBSERVERS_H_
#define PERCH_SERVER_SERVICE_CALL_OBSERVERS_H_

#include <utility>
#include <vector>

#include "server/service/call_observer.h"

namespace perch::service {

// Thread-safe as its observers are. The observers must outlive it.
class CallObservers final : public CallObserver {
 public:
  CallObservers() = default;
  explicit CallObservers(std::vector<CallObserver*> observers)
      : observers_(std::move(observers)) {}

  void OnCallStart(security::Method method) override {
    for (CallObserver* observer : observers_) observer->OnCallStart(method);
  }
  void OnCallDone(const CallRecord& record) override {
    for (CallObserver* observer : observers_) observer->OnCallDone(record);
  }

 private:
  const std::vector<CallObserver*> observers_;
};

}  // namespace perch::service

#endif  // PERCH_SERVER_SERVICE_CALL_OBSERVERS_H_
