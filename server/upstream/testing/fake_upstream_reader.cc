#include "server/upstream/testing/fake_upstream_reader.h"

#include <utility>

#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/common/mutex.h"

namespace perch::upstream::testing {

// One GET: answered at most once, by Answer or by Cancel.
struct FakeUpstreamReader::Pending final : ReadHandle {
  explicit Pending(Callback d) : done(std::move(d)) {}

  // The callback if it was still waiting (then it is taken).
  Callback Take(bool cancel) {
    MutexLock lock(&mu);
    if (finished) return nullptr;
    finished = true;
    was_cancelled = cancel;
    return std::move(done);
  }

  void Cancel() override {
    if (Callback d = Take(true)) {
      std::move(d)(MakeError(absl::StatusCode::kCancelled,
                             "the call was cancelled", reasons::kCancelled,
                             kPerchDomain));
    }
  }

  Mutex mu;
  bool finished ABSL_GUARDED_BY(mu) = false;
  bool was_cancelled ABSL_GUARDED_BY(mu) = false;
  Callback done ABSL_GUARDED_BY(mu);
};

std::shared_ptr<ReadHandle> FakeUpstreamReader::Get(std::string url,
                                                    std::string path,
                                                    absl::Time deadline,
                                                    Callback done) {
  auto pending = std::make_shared<Pending>(std::move(done));
  MutexLock lock(&mu_);
  requests_.push_back({std::move(url), std::move(path), deadline});
  pending_.push_back(pending);
  return pending;
}

std::vector<FakeUpstreamReader::Request> FakeUpstreamReader::requests() const {
  MutexLock lock(&mu_);
  return requests_;
}

bool FakeUpstreamReader::Answer(size_t index,
                                absl::StatusOr<http::HttpResponse> response) {
  std::shared_ptr<Pending> pending;
  {
    MutexLock lock(&mu_);
    if (index >= pending_.size()) return false;
    pending = pending_[index];
  }
  Callback done = pending->Take(false);
  if (done == nullptr) return false;
  std::move(done)(std::move(response));
  return true;
}

bool FakeUpstreamReader::cancelled(size_t index) const {
  std::shared_ptr<Pending> pending;
  {
    MutexLock lock(&mu_);
    if (index >= pending_.size()) return false;
    pending = pending_[index];
  }
  MutexLock lock(&pending->mu);
  return pending->was_cancelled;
}

http::HttpResponse FakeUpstreamReader::Ok(std::string body,
                                          http::HttpHeaders headers) {
  http::HttpResponse response;
  response.status = 200;
  response.headers = std::move(headers);
  response.body = std::move(body);
  return response;
}

}  // namespace perch::upstream::testing
