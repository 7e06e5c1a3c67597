// A scripted UpstreamReader for dialect tests: records every GET and holds
// it until the test answers; honours Cancel as the real reader does. Linked
// by tests only (perch_upstream_testing).
#ifndef PERCH_SERVER_UPSTREAM_TESTING_FAKE_UPSTREAM_READER_H_
#define PERCH_SERVER_UPSTREAM_TESTING_FAKE_UPSTREAM_READER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/common/mutex.h"
#include "server/http/http_types.h"
#include "server/upstream/upstream_reader.h"

namespace perch::upstream::testing {

// Thread-safe. Callbacks run on the thread that answers or cancels.
class FakeUpstreamReader final : public UpstreamReader {
 public:
  struct Request {
    std::string url;
    std::string path;
    absl::Time deadline;
  };

  std::shared_ptr<ReadHandle> Get(std::string url, std::string path,
                                  absl::Time deadline, Callback done) override;

  // Every GET so far, in arrival order.
  std::vector<Request> requests() const;

  // Answers request `index` (arrival order); false if it was answered or
  // cancelled already.
  bool Answer(size_t index, absl::StatusOr<http::HttpResponse> response);

  // Whether request `index` was cancelled before it was answered.
  bool cancelled(size_t index) const;

  // A 200 with `body` and these headers (names lower-case).
  static http::HttpResponse Ok(std::string body,
                               http::HttpHeaders headers = {});

 private:
  struct Pending;
  mutable Mutex mu_;
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Pending>> pending_ ABSL_GUARDED_BY(mu_);
};

}  // namespace perch::upstream::testing

#endif  // PERCH_SERVER_UPSTREAM_TESTING_FAKE_UPSTREAM_READER_H_
