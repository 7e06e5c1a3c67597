#include "bench/metrics_scraper.h"

#include <curl/curl.h>

#include "absl/strings/str_cat.h"

namespace perch::bench {

MetricsScraper::MetricsScraper(int port, absl::Duration interval)
    : url_(absl::StrCat("http://127.0.0.1:", port, "/metrics")),
      interval_(interval),
      thread_([this] { Loop(); }) {}

MetricsScraper::~MetricsScraper() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void MetricsScraper::Loop() {
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  // The body is read and dropped, as a scraper would after parsing it.
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION,
      +[](char*, size_t size, size_t n, void*) { return size * n; });
  while (true) {
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK &&
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
        status == 200) {
      ++ok_;
    } else {
      ++failed_;
    }
    MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(
            [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stop_; },
            interval_)) {
      break;
    }
  }
  curl_easy_cleanup(curl);
}

}  // namespace perch::bench
