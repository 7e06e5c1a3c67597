#include "server/upstream/list_join.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "server/common/errors.h"

namespace perch::upstream {
namespace {

// Aborts every part of a call made of several upstream reads, including a
// part added after the abort (a read that started while another failed).
class HandleGroup final : public ReadHandle {
 public:
  void Add(std::shared_ptr<ReadHandle> handle) {
    if (handle == nullptr) return;
    {
      absl::MutexLock lock(&mu_);
      if (!cancelled_) {
        handles_.push_back(std::move(handle));
        return;
      }
    }
    handle->Cancel();
  }

  void Cancel() override {
    std::vector<std::shared_ptr<ReadHandle>> handles;
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      handles.swap(handles_);
    }
    // Outside the lock: a read may answer inline from Cancel.
    for (auto& h : handles) h->Cancel();
  }

 private:
  absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::shared_ptr<ReadHandle>> handles_ ABSL_GUARDED_BY(mu_);
};

class Join {
 public:
  explicit Join(ReadDialect::Callback<ListPage> done)
      : done_(std::move(done)) {}

  HandleGroup& handles() { return handles_; }

  // Answers CANCELLED now (the parts' own CANCELLED answers are dropped).
  void Cancel() {
    Fail(MakeError(absl::StatusCode::kCancelled, "the call was cancelled",
                   "CANCELLED", kPerchDomain));
  }

  bool answered() {
    absl::MutexLock lock(&mu_);
    return answered_;
  }

  void OnMetadata(absl::StatusOr<v1::TwitterList> list) {
    if (!list.ok()) return Fail(list.status());
    absl::MutexLock lock(&mu_);
    list_ = *std::move(list);
    AnswerIfCompleteLocked();
  }

  void OnPage(absl::StatusOr<ListPage> page) {
    if (!page.ok()) return Fail(page.status());
    absl::MutexLock lock(&mu_);
    page_ = *std::move(page);
    AnswerIfCompleteLocked();
  }

 private:
  // Answers `status` unless answered already, then aborts whatever is still
  // running.
  void Fail(absl::Status status) {
    ReadDialect::Callback<ListPage> done;
    {
      absl::MutexLock lock(&mu_);
      if (answered_) return;
      answered_ = true;
      done = std::move(done_);
    }
    std::move(done)(std::move(status));
    handles_.Cancel();
  }

  void AnswerIfCompleteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (answered_ || !list_.has_value() || !page_.has_value()) return;
    answered_ = true;
    page_->list = std::move(list_);
    ReadDialect::Callback<ListPage> done = std::move(done_);
    ListPage page = *std::move(page_);
    mu_.Unlock();
    std::move(done)(std::move(page));
    mu_.Lock();
  }

  HandleGroup handles_;
  absl::Mutex mu_;
  bool answered_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<v1::TwitterList> list_ ABSL_GUARDED_BY(mu_);
  std::optional<ListPage> page_ ABSL_GUARDED_BY(mu_);
  ReadDialect::Callback<ListPage> done_ ABSL_GUARDED_BY(mu_);
};

// What the caller holds: aborting it aborts both reads. Keeps the join alive
// for as long as the caller may cancel.
class JoinHandle final : public ReadHandle {
 public:
  explicit JoinHandle(std::shared_ptr<Join> join) : join_(std::move(join)) {}
  void Cancel() override { join_->Cancel(); }

 private:
  std::shared_ptr<Join> join_;
};

}  // namespace

std::shared_ptr<ReadHandle> JoinListReads(
    ListMetadataStart metadata, ListPageStart page,
    ReadDialect::Callback<ListPage> done) {
  auto join = std::make_shared<Join>(std::move(done));
  join->handles().Add(
      std::move(metadata)([join](absl::StatusOr<v1::TwitterList> list) {
        join->OnMetadata(std::move(list));
      }));
  // A metadata read that failed inline leaves nothing to join.
  if (!join->answered()) {
    join->handles().Add(std::move(page)(
        [join](absl::StatusOr<ListPage> p) { join->OnPage(std::move(p)); }));
  }
  return std::make_shared<JoinHandle>(join);
}

}  // namespace perch::upstream
