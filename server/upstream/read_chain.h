// A dialect read made of several upstream requests, one after another (a
// name lookup, pages of owned lists, then the read itself) or side by side
// (list_join.h): one handle that aborts whichever steps are running, and one
// answer however the steps end.
#ifndef PERCH_SERVER_UPSTREAM_READ_CHAIN_H_
#define PERCH_SERVER_UPSTREAM_READ_CHAIN_H_

#include <memory>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/common/mutex.h"
#include "server/upstream/read_dialect.h"
#include "server/upstream/read_handle.h"

namespace perch::upstream {

// Thread-safe; steps may answer on any thread, inline or later. Create with
// std::make_shared (steps' callbacks keep it alive).
template <typename Page>
class ReadChain final : public ReadHandle {
 public:
  explicit ReadChain(ReadDialect::Callback<Page> done)
      : done_(std::move(done)) {}

  // Registers a step's handle so Cancel reaches it; a step registered after
  // the answer is aborted at once. Steps can answer before their handle is
  // registered, so every handle is kept until the answer (a few per read).
  void Track(std::shared_ptr<ReadHandle> step) {
    if (step == nullptr) return;
    {
      MutexLock lock(&mu_);
      if (!answered_) {
        steps_.push_back(std::move(step));
        return;
      }
    }
    step->Cancel();
  }

  // Whether the chain has answered; a continuation checks it before it
  // starts the next step.
  bool answered() const {
    MutexLock lock(&mu_);
    return answered_;
  }

  // Answers `done` unless answered already (later answers are dropped).
  void Answer(absl::StatusOr<Page> result) {
    ReadDialect::Callback<Page> done;
    std::vector<std::shared_ptr<ReadHandle>> steps;
    if (!Close(&done, &steps)) return;
    std::move(done)(std::move(result));
  }

  // Answers `status` unless answered already, then aborts the steps still
  // running (their answers are dropped): a failed step of reads running side
  // by side, or Cancel.
  void Abort(absl::Status status) {
    ReadDialect::Callback<Page> done;
    std::vector<std::shared_ptr<ReadHandle>> steps;
    if (!Close(&done, &steps)) return;
    std::move(done)(std::move(status));
    // Outside the lock: a step may answer inline from Cancel.
    for (auto& step : steps) step->Cancel();
  }

  // CANCELLED now; the running step is aborted and its answer dropped.
  void Cancel() override {
    Abort(MakeError(absl::StatusCode::kCancelled, "the call was cancelled",
                    reasons::kCancelled, kPerchDomain));
  }

 private:
  // Marks the chain answered and hands over what the answer needs; false if
  // it had answered already.
  bool Close(ReadDialect::Callback<Page>* done,
             std::vector<std::shared_ptr<ReadHandle>>* steps) {
    MutexLock lock(&mu_);
    if (answered_) return false;
    answered_ = true;
    *done = std::move(done_);
    steps->swap(steps_);
    return true;
  }

  mutable Mutex mu_;
  bool answered_ ABSL_GUARDED_BY(mu_) = false;
  ReadDialect::Callback<Page> done_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<ReadHandle>> steps_ ABSL_GUARDED_BY(mu_);
};

// A callback that answers `chain` with whatever it is given (the last step).
template <typename Page>
ReadDialect::Callback<Page> AnswerTo(std::shared_ptr<ReadChain<Page>> chain) {
  return [chain = std::move(chain)](absl::StatusOr<Page> result) {
    chain->Answer(std::move(result));
  };
}

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_READ_CHAIN_H_
