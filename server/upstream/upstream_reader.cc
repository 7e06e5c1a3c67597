#include "server/upstream/upstream_reader.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/call_context.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/common/log.h"
#include "server/common/mutex.h"
#include "server/mapping/request_metrics.h"
#include "server/mapping/upstream_status.h"
#include "server/upstream/endpoint_call.h"

namespace perch::upstream {
namespace {

struct Deps {
  http::HttpTransport& transport;
  auth::TokenSource& tokens;
  auth::TokenHolder& holder;
  Scheduler& scheduler;
  Executor& executor;
  const Clock& clock;
  RetryPolicy policy;
  std::function<double()> random_unit;
  metrics::UpstreamMetrics* metrics;
};

// One read, from token to final answer. Owned by shared_ptrs held in every
// pending callback, so it lives exactly as long as something can still
// reach it.
class ReadCall final : public ReadHandle,
                       public std::enable_shared_from_this<ReadCall> {
 public:
  ReadCall(const Deps& deps, std::string url, std::string path,
           absl::Time deadline, UpstreamReader::Callback done)
      : deps_(deps),
        url_(std::move(url)),
        path_(std::move(path)),
        deadline_(deadline),
        call_(CallContext::Current()),
        // Looked up once per read; every attempt records into it.
        metrics_(deps.metrics ? &deps.metrics->Endpoint(path_) : nullptr),
        done_(std::move(done)) {}

  void Start() { ObtainTokenAndSend(); }

  void Cancel() override {
    std::optional<http::HttpTransport::RequestId> in_flight;
    {
      MutexLock lock(&mu_);
      if (finished_) return;
      in_flight = in_flight_;
    }
    Finish(MakeError(absl::StatusCode::kCancelled, "the call was cancelled",
                     reasons::kCancelled, kPerchDomain));
    if (in_flight.has_value()) deps_.transport.Cancel(*in_flight);
  }

 private:
  void ObtainTokenAndSend() {
    // A token request this starts is made on the call's behalf too.
    const CallContext::Scope scope(call_);
    deps_.tokens.Fetch(deadline_, [self = shared_from_this()](
                                      absl::StatusOr<auth::BearerToken> token) {
      if (!token.ok()) {
        // A 5xx or unreachable token endpoint is retried like a read.
        self->RetryOrFinish(token.status());
        return;
      }
      self->Send(std::move(token->value));
    });
  }

  void Send(std::string token) {
    int attempt;
    {
      MutexLock lock(&mu_);
      if (finished_) return;
      attempt = ++attempts_;
    }
    http::HttpRequest request;
    request.method = http::HttpMethod::kGet;
    request.url = url_;
    request.headers = {{"Authorization", absl::StrCat("Bearer ", token)}};
    if (call_ != nullptr) {
      request.headers.emplace_back("traceparent", call_->NoteUpstreamRequest());
    }
    request.deadline = deadline_;
    const http::HttpTransport::RequestId id = deps_.transport.Send(
        std::move(request),
        [self = shared_from_this(), token = std::move(token),
         sent =
             absl::Now()](absl::StatusOr<http::HttpResponse> response) mutable {
          self->Record(response, absl::Now() - sent);
          self->OnResponse(std::move(token), std::move(response));
        });
    bool abandoned;
    {
      MutexLock lock(&mu_);
      // The response may already have come and a later attempt begun.
      if (attempts_ == attempt && answered_attempt_ != attempt) in_flight_ = id;
      // Cancel() may have run between the check above and Send(): it could
      // not see this request, so cancel it here.
      abandoned = finished_ && answered_attempt_ != attempt;
    }
    if (abandoned) deps_.transport.Cancel(id);
  }

  // Every answer the transport gives, also those a read that has finished
  // meanwhile (a deadline) no longer waits for: each was a request made.
  void Record(const absl::StatusOr<http::HttpResponse>& response,
              absl::Duration latency) {
    if (metrics_ == nullptr) return;
    mapping::RecordUpstreamRequest(metrics_, mapping::Endpoint::kRead, path_,
                                   response, latency);
    if (!response.ok()) return;
    if (std::optional<RateLimitWindow> window = ReadRateLimit(*response)) {
      metrics_->RecordRateWindow(window->limit, window->remaining,
                                 absl::ToUnixSeconds(window->reset));
    }
  }

  void OnResponse(std::string token,
                  absl::StatusOr<http::HttpResponse> response) {
    {
      MutexLock lock(&mu_);
      answered_attempt_ = attempts_;
      in_flight_.reset();
      if (finished_) return;
    }
    absl::Status status = response.status();
    if (response.ok()) {
      status = mapping::StatusFromResponse(mapping::Endpoint::kRead, path_,
                                           *response, deps_.clock.Now());
      if (response->status < 500 &&
          ErrorReason(status) != reasons::kAppTokenRejected) {
        // The upstream authenticated the token before deciding: this ends a
        // failure streak in the token holder (and so its backoff).
        deps_.holder.ReportAccepted(token);
      }
      if (status.ok()) {
        Finish(*std::move(response));
        return;
      }
    }

    if (ErrorReason(status) == reasons::kAppTokenRejected) {
      // Every rejection is reported, the re-obtained token's too: the holder
      // counts rejected tokens (each once, whichever read saw it), so its
      // streak and backoff do not depend on which of several parallel reads
      // met a token first.
      const absl::Duration backing_off = deps_.holder.Drop(token, status);
      if (!reobtained_) {
        // The token was invalidated behind our back (another replica, an
        // operator). Every read that saw this token drops the same one, so
        // the holder fetches once for all of them.
        reobtained_ = true;
        LogWarning("upstream ", path_,
                   " rejected the bearer token (401/89); obtaining a new one");
        ObtainTokenAndSend();
        return;
      }
      // Rejected again: if the holder now backs off, say when perch asks
      // for a token again, as a read that arrives meanwhile is told.
      if (backing_off > absl::ZeroDuration() &&
          !GetRetryInfo(status).has_value()) {
        AttachRetryInfo(status, backing_off);
      }
    }
    RetryOrFinish(std::move(status));
  }

  // Retries a retryable failure after a backoff that fits the deadline;
  // otherwise finishes with it.
  void RetryOrFinish(absl::Status status) {
    if (RetryPolicy::IsRetryable(status) &&
        retries_ < deps_.policy.max_retries) {
      const absl::Duration delay =
          deps_.policy.Backoff(retries_, deps_.random_unit());
      if (deps_.clock.Now() + delay < deadline_) {
        ++retries_;
        if (metrics_ != nullptr) metrics_->RecordRetry();
        LogWarning("upstream ", path_, " failed (", status.message(),
                   "); retry ", retries_, " of ", deps_.policy.max_retries,
                   " in ", absl::FormatDuration(delay));
        deps_.scheduler.RunAfter(
            delay, [self = shared_from_this(),
                    status = std::move(status)](bool cancelled) mutable {
              if (cancelled) {
                self->Finish(std::move(status));
                return;
              }
              self->ObtainTokenAndSend();
            });
        return;
      }
    }
    Finish(std::move(status));
  }

  void Finish(absl::StatusOr<http::HttpResponse> result) {
    UpstreamReader::Callback done;
    {
      MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
      done = std::move(done_);
    }
    // The call is current again while `done` runs: a dialect's next step
    // (a v2 read after its name lookup) starts from there.
    deps_.executor.Schedule([call = call_, done = std::move(done),
                             result = std::move(result)]() mutable {
      const CallContext::Scope scope(std::move(call));
      std::move(done)(std::move(result));
    });
  }

  const Deps& deps_;
  const std::string url_;
  const std::string path_;
  const absl::Time deadline_;
  // The RPC this read is for (null outside one): its upstream requests carry
  // its traceparent and count towards it.
  const std::shared_ptr<CallContext> call_;
  metrics::EndpointMetrics* const metrics_;
  // Touched only by the one step in progress (steps are sequential).
  bool reobtained_ = false;
  int retries_ = 0;

  Mutex mu_;
  UpstreamReader::Callback done_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  int attempts_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<int> answered_attempt_ ABSL_GUARDED_BY(mu_);
  std::optional<http::HttpTransport::RequestId> in_flight_ ABSL_GUARDED_BY(mu_);
};

class AuthenticatedReader final : public UpstreamReader {
 public:
  explicit AuthenticatedReader(Deps deps) : deps_(std::move(deps)) {}

  std::shared_ptr<ReadHandle> Get(std::string url, std::string path,
                                  absl::Time deadline, Callback done) override {
    auto call = std::make_shared<ReadCall>(
        deps_, std::move(url), std::move(path), deadline, std::move(done));
    call->Start();
    return call;
  }

 private:
  const Deps deps_;
};

}  // namespace

std::unique_ptr<UpstreamReader> MakeAuthenticatedReader(
    http::HttpTransport& transport, auth::TokenSource& tokens,
    auth::TokenHolder& holder, Scheduler& scheduler, Executor& executor,
    const Clock& clock, RetryPolicy policy, std::function<double()> random_unit,
    metrics::UpstreamMetrics* metrics) {
  return std::make_unique<AuthenticatedReader>(
      Deps{transport, tokens, holder, scheduler, executor, clock, policy,
           std::move(random_unit), metrics});
}

}  // namespace perch::upstream
