// A scripted, in-memory HttpTransport for unit tests: records every request
// and either answers it from a handler or holds it until the test completes
// it, so tests control ordering without sockets or sleeps.
#ifndef PERCH_TESTS_TESTING_FAKE_HTTP_TRANSPORT_H_
#define PERCH_TESTS_TESTING_FAKE_HTTP_TRANSPORT_H_

#include <deque>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "server/common/mutex.h"
#include "server/http/http_transport.h"
#include "server/http/testing/http_response.h"

namespace perch::testing {

class FakeHttpTransport final : public http::HttpTransport {
 public:
  // Answers a request at once.
  using Handler = std::function<absl::StatusOr<http::HttpResponse>(
      const http::HttpRequest&)>;

  // With a handler, requests are answered inline (real transports never do;
  // answering inline keeps unit tests deterministic, and code under test
  // must tolerate both). Without one, requests are held until CompleteNext().
  explicit FakeHttpTransport(Handler handler = nullptr)
      : handler_(std::move(handler)) {}

  RequestId Send(http::HttpRequest request, Callback done) override {
    RequestId id;
    Handler handler;
    {
      MutexLock lock(&mu_);
      id = ++next_id_;
      requests_.push_back(request);
      handler = handler_;
      if (!handler) {
        pending_.emplace(id, Pending{std::move(request), std::move(done)});
        return id;
      }
    }
    std::move(done)(handler(request));
    return id;
  }

  void Cancel(RequestId id) override {
    Callback done;
    {
      MutexLock lock(&mu_);
      auto it = pending_.find(id);
      if (it == pending_.end()) return;
      done = std::move(it->second.done);
      pending_.erase(it);
      ++cancelled_;
    }
    std::move(done)(absl::CancelledError("cancelled"));
  }

  // Completes the oldest held request with `result`. Returns false if none.
  bool CompleteNext(absl::StatusOr<http::HttpResponse> result) {
    Callback done;
    {
      MutexLock lock(&mu_);
      if (pending_.empty()) return false;
      auto it = pending_.begin();
      done = std::move(it->second.done);
      pending_.erase(it);
    }
    std::move(done)(std::move(result));
    return true;
  }

  std::vector<http::HttpRequest> requests() const {
    MutexLock lock(&mu_);
    return requests_;
  }
  size_t pending() const {
    MutexLock lock(&mu_);
    return pending_.size();
  }
  int cancelled() const {
    MutexLock lock(&mu_);
    return cancelled_;
  }

  // http::testing::Response, by the name the fake's users know.
  static http::HttpResponse Response(int status, std::string body,
                                     http::HttpHeaders headers = {}) {
    return http::testing::Response(status, std::move(body), std::move(headers));
  }

 private:
  struct Pending {
    http::HttpRequest request;
    Callback done;
  };
  mutable Mutex mu_;
  Handler handler_;
  RequestId next_id_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<http::HttpRequest> requests_ ABSL_GUARDED_BY(mu_);
  std::map<RequestId, Pending> pending_ ABSL_GUARDED_BY(mu_);
  int cancelled_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace perch::testing

#endif  // PERCH_TESTS_TESTING_FAKE_HTTP_TRANSPORT_H_
