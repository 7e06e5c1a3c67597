#include "bench/perch_load.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bench/proc_stats.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "perch/v1/read_service.grpc.pb.h"
#include "perch/v1/token_service.grpc.pb.h"
#include "server/common/status_code_name.h"

namespace perch::bench {
namespace {

using perch::v1::GetTimelineRequest;
using perch::v1::GetTimelineResponse;
using perch::v1::ReadService;

int64_t ToNanos(absl::Duration d) { return absl::ToInt64Nanoseconds(d); }

class Runner {
 public:
  explicit Runner(const PerchLoadOptions& options) : options_(options) {}

  absl::Status Connect() {
    const int n = std::max(1, options_.channels);
    for (int i = 0; i < n; ++i) {
      grpc::ChannelArguments args;
      // Each channel gets its own subchannel and so its own connection;
      // without this, channels to one target share one HTTP/2 connection.
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      args.SetInt("perch.bench.channel", i);
      auto channel = grpc::CreateCustomChannel(
          options_.target, grpc::InsecureChannelCredentials(), args);
      if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                     std::chrono::seconds(10))) {
        return absl::UnavailableError(
            absl::StrCat("cannot connect to ", options_.target));
      }
      stubs_.push_back(ReadService::NewStub(channel));
      token_stubs_.push_back(perch::v1::TokenService::NewStub(channel));
      channels_.push_back(std::move(channel));
    }
    return absl::OkStatus();
  }

  LoadResult Run() {
    LoadResult result;
    result.tool = "perch-load";
    result.mode = LoadModeName(options_.mode);
    result.concurrency = options_.concurrency;
    result.connections = static_cast<int>(stubs_.size());
    const double cpu_start = SelfCpuSeconds();
    start_ = MonotonicNanos();
    if (options_.timeline_bucket_ms > 0) {
      const int64_t span =
          ToNanos(options_.warmup + options_.duration + options_.deadline) +
          5'000'000'000;
      const int64_t bucket = int64_t{options_.timeline_bucket_ms} * 1'000'000;
      timeline_ = std::make_unique<Timeline>(start_, bucket,
                                             static_cast<int>(span / bucket));
      result.timeline_bucket_ms = options_.timeline_bucket_ms;
    }
    switch (options_.mode) {
      case LoadMode::kClosed:
        RunClosed();
        break;
      case LoadMode::kOpen:
        RunOpen();
        result.target_rate = options_.rate;
        break;
      case LoadMode::kBurst:
        RunBurst();
        break;
    }
    WaitForDrain();
    result.client_cpu_seconds = SelfCpuSeconds() - cpu_start;
    result.seconds = (measure_end_ - measure_start_) / 1e9;
    if (options_.mode == LoadMode::kBurst) {
      result.seconds = (last_completion_.load() - measure_start_) / 1e9;
    }
    {
      absl::MutexLock lock(&mu_);
      result.ok = ok_;
      result.items = items_;
      result.errors = errors_;
      result.error_examples = error_examples_;
    }
    result.max_in_flight = max_in_flight_.load();
    result.all_ok = all_ok_.load();
    result.all_errors = all_errors_.load();
    result.unfinished = in_flight_.load();
    result.latency = latency_.Summarize();
    if (timeline_) result.timeline = timeline_->Counts();
    return result;
  }

 private:
  struct Call {
    grpc::ClientContext context;
    GetTimelineRequest request;
    GetTimelineResponse response;
    perch::v1::ObtainRequest obtain_request;
    perch::v1::ObtainResponse obtain_response;
    int64_t start = 0;  // scheduled (open loop) or actual issue time
  };

  void Issue(int64_t scheduled) {
    const int64_t seq = seq_.fetch_add(1);
    auto* call = new Call;
    call->request.set_screen_name(options_.screen_name);
    call->request.set_page_size(options_.page_size);
    if (options_.distinct_keys > 0) {
      call->request.set_since_id(
          absl::StrCat(1 + seq % options_.distinct_keys));
    }
    if (!options_.api_key.empty()) {
      call->context.AddMetadata("authorization",
                                absl::StrCat("Bearer ", options_.api_key));
    }
    call->context.set_deadline(std::chrono::system_clock::now() +
                               absl::ToChronoNanoseconds(options_.deadline));
    const int64_t now = in_flight_.fetch_add(1) + 1;
    int64_t seen = max_in_flight_.load();
    while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
    }
    call->start = scheduled != 0 ? scheduled : MonotonicNanos();
    if (options_.rpc == "Obtain") {
      token_stubs_[seq % token_stubs_.size()]->async()->Obtain(
          &call->context, &call->obtain_request, &call->obtain_response,
          [this, call](grpc::Status status) { Complete(call, status); });
      return;
    }
    stubs_[seq % stubs_.size()]->async()->GetTimeline(
        &call->context, &call->request, &call->response,
        [this, call](grpc::Status status) { Complete(call, status); });
  }

  void Complete(Call* call, const grpc::Status& status) {
    const int64_t end = MonotonicNanos();
    if (timeline_) timeline_->Add(end);
    int64_t last = last_completion_.load();
    while (end > last && !last_completion_.compare_exchange_weak(last, end)) {
    }
    // Closed loop: what completed inside the window. Open loop: what was
    // scheduled inside it, however late it completes (the tail counts).
    bool measured = true;
    if (options_.mode == LoadMode::kClosed) {
      measured = end >= measure_start_ && end <= measure_end_;
    } else if (options_.mode == LoadMode::kOpen) {
      measured = call->start >= measure_start_ && call->start < measure_end_;
    }
    if (measured) {
      latency_.Record(end - call->start);
      absl::MutexLock lock(&mu_);
      if (status.ok()) {
        ++ok_;
        items_ += call->response.tweets_size();
      } else {
        const std::string code = StatusCodeName(status.error_code());
        if (errors_[code]++ == 0) {
          error_examples_[code] = status.error_message().substr(0, 200);
        }
      }
    }
    (status.ok() ? all_ok_ : all_errors_).fetch_add(1);
    delete call;
    if (options_.mode == LoadMode::kClosed && !stopping_.load()) {
      Issue(0);  // in_flight stays: this call's slot passes to the next
      in_flight_.fetch_sub(1);
      return;
    }
    if (in_flight_.fetch_sub(1) == 1) {
      std::lock_guard<std::mutex> lock(drain_mu_);
      drain_cv_.notify_all();
    }
  }

  void RunClosed() {
    measure_start_ = start_ + ToNanos(options_.warmup);
    measure_end_ = measure_start_ + ToNanos(options_.duration);
    for (int i = 0; i < options_.concurrency; ++i) Issue(0);
    SleepUntil(measure_end_);
    stopping_ = true;
  }

  void RunOpen() {
    measure_start_ = start_ + ToNanos(options_.warmup);
    measure_end_ = measure_start_ + ToNanos(options_.duration);
    const double interval = 1e9 / options_.rate;
    int64_t issued = 0;
    while (true) {
      const int64_t now = MonotonicNanos();
      if (now >= measure_end_) break;
      const int64_t due = static_cast<int64_t>((now - start_) / interval) + 1;
      for (; issued < due; ++issued) {
        const int64_t scheduled =
            start_ + static_cast<int64_t>(issued * interval);
        if (in_flight_.load() >= options_.max_in_flight) {
          if (scheduled >= measure_start_) {
            absl::MutexLock lock(&mu_);
            ++errors_["CLIENT_OVERLOADED"];
          }
          continue;
        }
        Issue(scheduled);
      }
      SleepUntil(std::min(measure_end_,
                          start_ + static_cast<int64_t>(issued * interval)));
    }
    stopping_ = true;
  }

  void RunBurst() {
    measure_start_ = MonotonicNanos();
    for (int i = 0; i < options_.concurrency; ++i) Issue(0);
    stopping_ = true;
    measure_end_ = MonotonicNanos();
  }

  void WaitForDrain() {
    std::unique_lock<std::mutex> lock(drain_mu_);
    drain_cv_.wait_for(
        lock, absl::ToChronoNanoseconds(options_.deadline + absl::Seconds(5)),
        [this] { return in_flight_.load() == 0; });
  }

 public:
  bool Drained() const { return in_flight_.load() == 0; }

 private:
  static void SleepUntil(int64_t nanos) {
    timespec ts;
    ts.tv_sec = nanos / 1'000'000'000;
    ts.tv_nsec = nanos % 1'000'000'000;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) ==
           EINTR) {
    }
  }

  const PerchLoadOptions options_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<ReadService::Stub>> stubs_;
  std::vector<std::unique_ptr<perch::v1::TokenService::Stub>> token_stubs_;
  int64_t start_ = 0;
  int64_t measure_start_ = 0;
  int64_t measure_end_ = 0;
  std::atomic<int64_t> seq_{0};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> max_in_flight_{0};
  std::atomic<int64_t> last_completion_{0};
  std::atomic<int64_t> all_ok_{0};
  std::atomic<int64_t> all_errors_{0};
  std::atomic<bool> stopping_{false};
  std::mutex drain_mu_;
  std::condition_variable drain_cv_;
  LatencyRecorder latency_;
  std::unique_ptr<Timeline> timeline_;
  absl::Mutex mu_;
  int64_t ok_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t items_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, int64_t> errors_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> error_examples_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

// --mode reads the names LoadModeName prints, so a name cannot parse to one
// mode and print as another; the switch keeps -Wswitch on a new mode.
absl::StatusOr<LoadMode> ParseLoadMode(absl::string_view name) {
  for (LoadMode mode : {LoadMode::kClosed, LoadMode::kOpen, LoadMode::kBurst}) {
    if (name == LoadModeName(mode)) return mode;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("mode must be closed, open or burst, not ", name));
}

std::string LoadModeName(LoadMode mode) {
  switch (mode) {
    case LoadMode::kClosed:
      return "closed";
    case LoadMode::kOpen:
      return "open";
    case LoadMode::kBurst:
      return "burst";
  }
  return "?";
}

absl::StatusOr<LoadResult> RunPerchLoad(const PerchLoadOptions& options) {
  auto runner = std::make_unique<Runner>(options);
  absl::Status connected = runner->Connect();
  if (!connected.ok()) return connected;
  LoadResult result = runner->Run();
  // Calls still out past their deadline (which gRPC should never allow) would
  // complete into a destroyed runner: keep it alive instead.
  if (!runner->Drained()) (void)runner.release();
  return result;
}

}  // namespace perch::bench
