#include "server/upstream/list_join.h"

#include <optional>
#include <utility>

#include "server/common/mutex.h"
#include "server/upstream/read_chain.h"

namespace perch::upstream {
namespace {

// The two halves of the answer, kept until both are in. The chain answers
// once and aborts the other read when one fails (ReadChain::Abort).
class Join {
 public:
  explicit Join(std::shared_ptr<ReadChain<ListPage>> chain)
      : chain_(std::move(chain)) {}

  void OnMetadata(absl::StatusOr<v1::TwitterList> list) {
    Arrive(std::move(list), &Join::list_);
  }

  void OnPage(absl::StatusOr<ListPage> page) {
    Arrive(std::move(page), &Join::page_);
  }

 private:
  // Keeps one half in `slot`, and answers once both are in; a failed half
  // answers at once.
  template <typename Half>
  void Arrive(absl::StatusOr<Half> half, std::optional<Half> Join::*slot) {
    if (!half.ok()) return chain_->Abort(half.status());
    std::optional<ListPage> complete;
    {
      MutexLock lock(&mu_);
      this->*slot = *std::move(half);
      complete = TakeIfCompleteLocked();
    }
    if (complete.has_value()) chain_->Answer(*std::move(complete));
  }

  // The page with its list once both are in (then only once).
  std::optional<ListPage> TakeIfCompleteLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!list_.has_value() || !page_.has_value()) return std::nullopt;
    page_->list = std::move(list_);
    std::optional<ListPage> complete = std::move(page_);
    list_.reset();
    page_.reset();
    return complete;
  }

  const std::shared_ptr<ReadChain<ListPage>> chain_;
  Mutex mu_;
  std::optional<v1::TwitterList> list_ ABSL_GUARDED_BY(mu_);
  std::optional<ListPage> page_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::shared_ptr<ReadHandle> JoinListReads(
    ListMetadataStart metadata, ListPageStart page,
    ReadDialect::Callback<ListPage> done) {
  auto chain = std::make_shared<ReadChain<ListPage>>(std::move(done));
  auto join = std::make_shared<Join>(chain);
  chain->Track(
      std::move(metadata)([join](absl::StatusOr<v1::TwitterList> list) {
        join->OnMetadata(std::move(list));
      }));
  // A metadata read that failed inline leaves nothing to join.
  if (!chain->answered()) {
    chain->Track(std::move(page)(
        [join](absl::StatusOr<ListPage> p) { join->OnPage(std::move(p)); }));
  }
  return chain;
}

}  // namespace perch::upstream
