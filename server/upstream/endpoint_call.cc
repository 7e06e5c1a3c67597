#include "server/upstream/endpoint_call.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/common/percent_encoding.h"

namespace perch::upstream {

std::string EndpointUrl(absl::string_view base_url, absl::string_view path,
                        const QueryParams& params,
                        absl::string_view encoded_tail) {
  std::string url = absl::StrCat(base_url, path);
  char separator = '?';
  for (const auto& [key, value] : params) {
    if (value.empty()) continue;
    absl::StrAppend(&url, absl::string_view(&separator, 1), key, "=",
                    PercentEncode(value));
    separator = '&';
  }
  if (!encoded_tail.empty()) {
    absl::StrAppend(&url, absl::string_view(&separator, 1), encoded_tail);
  }
  return url;
}

std::optional<RateLimitWindow> ReadRateLimit(
    const http::HttpResponse& response) {
  auto limit = response.Header("x-rate-limit-limit");
  auto remaining = response.Header("x-rate-limit-remaining");
  auto reset = response.Header("x-rate-limit-reset");
  RateLimitWindow window;
  int64_t reset_seconds = 0;
  if (!limit.has_value() || !remaining.has_value() || !reset.has_value() ||
      !absl::SimpleAtoi(*limit, &window.limit) ||
      !absl::SimpleAtoi(*remaining, &window.remaining) ||
      !absl::SimpleAtoi(*reset, &reset_seconds)) {
    return std::nullopt;
  }
  window.reset = absl::FromUnixSeconds(reset_seconds);
  return window;
}

}  // namespace perch::upstream
