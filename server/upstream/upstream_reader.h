// Performs one authenticated upstream GET to completion: adds the bearer
// token, on 401/89 drops it, re-obtains (single-flight, shared with every
// concurrent read) and retries once, retries UNAVAILABLE with backoff inside
// the deadline, and maps the final answer through the status table.
#ifndef PERCH_SERVER_UPSTREAM_UPSTREAM_READER_H_
#define PERCH_SERVER_UPSTREAM_UPSTREAM_READER_H_

#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/auth/token_holder.h"
#include "server/auth/token_source.h"
#include "server/common/clock.h"
#include "server/common/executor.h"
#include "server/common/scheduler.h"
#include "server/http/http_transport.h"
#include "server/metrics/perch_metrics.h"
#include "server/upstream/read_handle.h"
#include "server/upstream/retry_policy.h"

namespace perch::upstream {

class UpstreamReader {
 public:
  using Callback =
      absl::AnyInvocable<void(absl::StatusOr<http::HttpResponse>) &&>;

  virtual ~UpstreamReader() = default;

  // GETs `url`; `path` names the endpoint in errors. `done` runs exactly once
  // with a 2xx response or a mapped error (never UNKNOWN). A token rejected
  // again after the re-obtain is UNAUTHENTICATED BEARER_TOKEN_REJECTED, with
  // a RetryInfo when the token holder now backs off (until it asks again).
  virtual std::shared_ptr<ReadHandle> Get(std::string url, std::string path,
                                          absl::Time deadline,
                                          Callback done) = 0;
};

// Everything it references must outlive it. Tokens come from `tokens`; what
// the upstream said about each is reported to `holder` (in perch both are
// the one CachingTokenSource). `random_unit` returns uniform numbers in
// [0, 1) for backoff jitter. `done` callbacks run on `executor`. `metrics`
// (null: none) gets every request, retry and rate-limit window, by the
// endpoint's `path`.
std::unique_ptr<UpstreamReader> MakeAuthenticatedReader(
    http::HttpTransport& transport, auth::TokenSource& tokens,
    auth::TokenHolder& holder, Scheduler& scheduler, Executor& executor,
    const Clock& clock, RetryPolicy policy,
    std::function<double()> random_unit,
    metrics::UpstreamMetrics* metrics = nullptr);

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_UPSTREAM_READER_H_
