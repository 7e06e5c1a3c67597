#include "bench/direct_curl.h"

#include <curl/curl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/emulator_admin.h"
#include "bench/proc_stats.h"

namespace perch::bench {
namespace {

int64_t ToNanos(absl::Duration d) { return absl::ToInt64Nanoseconds(d); }

size_t OnBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// Totals every loop adds into once, when it ends.
struct Shared {
  LatencyRecorder latency;
  std::atomic<int64_t> seq{0};
  std::atomic<int64_t> in_flight{0};
  std::atomic<int64_t> max_in_flight{0};
  std::mutex mu;
  int64_t ok = 0;
  int64_t items = 0;
  int64_t all_ok = 0;
  int64_t all_errors = 0;
  std::map<std::string, int64_t> errors;
  std::map<std::string, std::string> error_examples;
};

class CurlLoop {
 public:
  CurlLoop(const DirectCurlOptions& options, int concurrency, double rate,
           Shared& shared)
      : options_(options),
        target_{options.api, options.screen_name, options.user_id},
        concurrency_(concurrency),
        rate_(rate),
        shared_(shared),
        multi_(curl_multi_init()) {
    if (options_.max_host_connections > 0) {
      curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                        options_.max_host_connections);
    }
    headers_ = curl_slist_append(
        nullptr,
        absl::StrCat("Authorization: Bearer ", options_.bearer_token).c_str());
  }

  ~CurlLoop() {
    for (auto& t : transfers_) {
      // Removing a handle that is not in the multi is a harmless no-op.
      if (t->active) curl_multi_remove_handle(multi_, t->easy);
      curl_easy_cleanup(t->easy);
    }
    curl_multi_cleanup(multi_);
    curl_slist_free_all(headers_);
    if (timer_fd_ >= 0) close(timer_fd_);
  }

  void Run(int64_t start, int64_t measure_start, int64_t measure_end) {
    start_ = start;
    measure_start_ = measure_start;
    measure_end_ = measure_end;
    const bool open = options_.mode == LoadMode::kOpen;
    if (!open) {
      for (int i = 0; i < concurrency_; ++i) StartTransfer(MonotonicNanos());
    } else {
      timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    }
    const int64_t give_up =
        measure_end_ + ToNanos(options_.timeout) + 5'000'000'000;
    int64_t issued = 0;
    const double interval = open ? 1e9 / rate_ : 0;
    while (true) {
      int running = 0;
      curl_multi_perform(multi_, &running);
      Reap();
      const int64_t now = MonotonicNanos();
      if (now >= measure_end_ && active_ == 0) break;
      if (now >= give_up) break;
      int wait_ms = 100;
      curl_waitfd extra{};
      int extra_count = 0;
      if (open && now < measure_end_) {
        const int64_t due = static_cast<int64_t>((now - start_) / interval) + 1;
        for (; issued < due; ++issued) {
          const int64_t scheduled =
              start_ + static_cast<int64_t>(issued * interval);
          if (shared_.in_flight.load() >= options_.max_in_flight) {
            if (scheduled >= measure_start_)
              ++local_errors_["CLIENT_OVERLOADED"];
            continue;
          }
          StartTransfer(scheduled);
        }
        // Wake at the next scheduled time with nanosecond precision: poll's
        // own timeout is whole milliseconds.
        const int64_t next = start_ + static_cast<int64_t>(issued * interval);
        itimerspec spec{};
        spec.it_value.tv_sec = next / 1'000'000'000;
        spec.it_value.tv_nsec = next % 1'000'000'000;
        timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
        extra.fd = timer_fd_;
        extra.events = CURL_WAIT_POLLIN;
        extra_count = 1;
      } else if (!open && now < measure_end_) {
        wait_ms = static_cast<int>(
            std::min<int64_t>(100, (measure_end_ - now) / 1'000'000 + 1));
      }
      curl_multi_poll(multi_, extra_count ? &extra : nullptr, extra_count,
                      wait_ms, nullptr);
      if (extra_count) {
        uint64_t expirations;
        (void)!read(timer_fd_, &expirations, sizeof(expirations));
      }
    }
    std::lock_guard<std::mutex> lock(shared_.mu);
    shared_.ok += local_ok_;
    shared_.all_ok += local_all_ok_;
    shared_.all_errors += local_all_errors_;
    shared_.items += local_items_;
    for (const auto& [code, n] : local_errors_) shared_.errors[code] += n;
    for (const auto& [code, m] : local_examples_) {
      shared_.error_examples.emplace(code, m);
    }
  }

 private:
  struct Transfer {
    CURL* easy = nullptr;
    std::string body;
    std::string url;
    int64_t start = 0;
    bool active = false;
  };

  Transfer* Acquire() {
    if (!idle_.empty()) {
      Transfer* t = idle_.back();
      idle_.pop_back();
      return t;
    }
    auto t = std::make_unique<Transfer>();
    t->easy = curl_easy_init();
    CURL* e = t->easy;
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->body);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "perch-bench-direct/0.1");
    curl_easy_setopt(
        e, CURLOPT_TIMEOUT_MS,
        static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
    transfers_.push_back(std::move(t));
    return transfers_.back().get();
  }

  void StartTransfer(int64_t scheduled) {
    Transfer* t = Acquire();
    const int64_t seq = shared_.seq.fetch_add(1);
    t->url = TimelineUrl(
        options_.base_url, target_, options_.page_size,
        options_.distinct_keys > 0 ? 1 + seq % options_.distinct_keys : 0);
    curl_easy_setopt(t->easy, CURLOPT_URL, t->url.c_str());
    t->body.clear();
    t->start = scheduled;
    t->active = true;
    ++active_;
    const int64_t now = shared_.in_flight.fetch_add(1) + 1;
    int64_t seen = shared_.max_in_flight.load();
    while (now > seen &&
           !shared_.max_in_flight.compare_exchange_weak(seen, now)) {
    }
    // FIFO: behind anything already waiting.
    if (options_.app_queue_limit > 0 &&
        (in_multi_ >= options_.app_queue_limit || !waiting_.empty())) {
      waiting_.push_back(t);
      return;
    }
    ++in_multi_;
    curl_multi_add_handle(multi_, t->easy);
  }

  void StartWaiting() {
    while (!waiting_.empty() && in_multi_ < options_.app_queue_limit) {
      Transfer* t = waiting_.front();
      waiting_.pop_front();
      ++in_multi_;
      curl_multi_add_handle(multi_, t->easy);
    }
  }

  void Reap() {
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      const CURLcode result = msg->data.result;
      curl_multi_remove_handle(multi_, t->easy);
      --in_multi_;
      t->active = false;
      --active_;
      shared_.in_flight.fetch_sub(1);
      Finish(*t, result);
      idle_.push_back(t);
      if (options_.mode == LoadMode::kClosed &&
          MonotonicNanos() < measure_end_) {
        StartTransfer(MonotonicNanos());
      }
    }
    StartWaiting();
  }

  void Finish(Transfer& t, CURLcode result) {
    const int64_t end = MonotonicNanos();
    const bool measured =
        options_.mode == LoadMode::kOpen
            ? t.start >= measure_start_ && t.start < measure_end_
            : end >= measure_start_ && end <= measure_end_;
    // Parse whether measured or not: the work is the same in warmup.
    std::string error;
    int64_t tweets = 0;
    long http = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &http);
    if (result != CURLE_OK) {
      error = absl::StrCat("CURL_", static_cast<int>(result));
    } else if (http != 200) {
      error = absl::StrCat("HTTP_", http);
    } else {
      absl::StatusOr<int64_t> mapped = MapTimelineBody(options_.api, t.body);
      if (!mapped.ok()) {
        error = mapped.status().code() == absl::StatusCode::kNotFound
                    ? "UPSTREAM_ERRORS"
                    : "MALFORMED";
      } else {
        tweets = *mapped;
      }
    }
    ++(error.empty() ? local_all_ok_ : local_all_errors_);
    if (!measured) return;
    shared_.latency.Record(end - t.start);
    if (error.empty()) {
      ++local_ok_;
      local_items_ += tweets;
    } else if (local_errors_[error]++ == 0) {
      local_examples_[error] = result != CURLE_OK ? curl_easy_strerror(result)
                                                  : t.body.substr(0, 200);
    }
  }

  const DirectCurlOptions& options_;
  const TimelineTarget target_;
  const int concurrency_;
  const double rate_;
  Shared& shared_;
  CURLM* multi_;
  curl_slist* headers_ = nullptr;
  int timer_fd_ = -1;
  std::vector<std::unique_ptr<Transfer>> transfers_;
  std::vector<Transfer*> idle_;
  std::deque<Transfer*> waiting_;  // app_queue_limit: not yet in the multi
  int in_multi_ = 0;
  int active_ = 0;
  int64_t start_ = 0, measure_start_ = 0, measure_end_ = 0;
  int64_t local_ok_ = 0, local_items_ = 0;
  int64_t local_all_ok_ = 0, local_all_errors_ = 0;
  std::map<std::string, int64_t> local_errors_;
  std::map<std::string, std::string> local_examples_;
};

}  // namespace

absl::StatusOr<LoadResult> RunDirectCurl(const DirectCurlOptions& given) {
  if (given.mode == LoadMode::kBurst) {
    return absl::InvalidArgumentError("direct-curl runs closed or open loops");
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  DirectCurlOptions options = given;
  if (options.api == UpstreamApi::kV2 && options.user_id.empty()) {
    absl::StatusOr<std::string> id =
        EmulatorAdmin(options.base_url)
            .LookUpUserId(options.bearer_token, options.screen_name);
    if (!id.ok()) return id.status();
    options.user_id = *std::move(id);
  }
  Shared shared;
  const int threads = std::max(1, options.threads);
  std::vector<std::unique_ptr<CurlLoop>> loops;
  for (int i = 0; i < threads; ++i) {
    // Spread concurrency and rate evenly; the first loops take the remainder.
    const int c = options.concurrency / threads +
                  (i < options.concurrency % threads ? 1 : 0);
    loops.push_back(std::make_unique<CurlLoop>(options, std::max(1, c),
                                               options.rate / threads, shared));
  }
  const double cpu_start = SelfCpuSeconds();
  const int64_t start = MonotonicNanos();
  const int64_t measure_start = start + ToNanos(options.warmup);
  const int64_t measure_end = measure_start + ToNanos(options.duration);
  std::vector<std::thread> workers;
  for (auto& loop : loops) {
    workers.emplace_back([&loop, start, measure_start, measure_end] {
      loop->Run(start, measure_start, measure_end);
    });
  }
  for (auto& w : workers) w.join();
  LoadResult result;
  result.tool = "direct-curl";
  result.mode = LoadModeName(options.mode);
  result.concurrency = options.concurrency;
  if (options.mode == LoadMode::kOpen) result.target_rate = options.rate;
  result.connections = options.mode == LoadMode::kClosed
                           ? options.concurrency
                           : static_cast<int>(shared.max_in_flight.load());
  result.seconds = (measure_end - measure_start) / 1e9;
  result.ok = shared.ok;
  result.items = shared.items;
  result.errors = shared.errors;
  result.error_examples = shared.error_examples;
  result.max_in_flight = shared.max_in_flight.load();
  result.all_ok = shared.all_ok;
  result.all_errors = shared.all_errors;
  result.client_cpu_seconds = SelfCpuSeconds() - cpu_start;
  result.latency = shared.latency.Summarize();
  return result;
}

}  // namespace perch::bench
