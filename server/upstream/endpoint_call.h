// One GET of one upstream endpoint, the part both read dialects share: the
// URL with its query string, the answer's rate-limit window, and handing the
// body to the dialect's parser. Knows no endpoint and no JSON shape.
#ifndef PERCH_SERVER_UPSTREAM_ENDPOINT_CALL_H_
#define PERCH_SERVER_UPSTREAM_ENDPOINT_CALL_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/http/http_types.h"
#include "server/upstream/read_dialect.h"
#include "server/upstream/upstream_reader.h"

namespace perch::upstream {

// Query parameters in the order they are sent; empty values are left out.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "{base_url}{path}?k=v&..." with the values percent-encoded, then
// `encoded_tail` ("k=v&k=v", already percent-encoded, "" for none): a
// dialect encodes its constant parameters once, not per request.
std::string EndpointUrl(absl::string_view base_url, absl::string_view path,
                        const QueryParams& params,
                        absl::string_view encoded_tail = "");

// x-rate-limit-limit/-remaining/-reset; nullopt unless all three parse.
std::optional<RateLimitWindow> ReadRateLimit(
    const http::HttpResponse& response);

// GETs `url` through `reader` (`path` names the endpoint in errors) and runs
// `parse` on the 2xx response, on the reader's callback thread; `done` gets
// the parsed value or the first error, exactly once.
template <typename T>
std::shared_ptr<ReadHandle> CallEndpoint(
    UpstreamReader& reader, std::string url, std::string path,
    absl::Time deadline,
    absl::AnyInvocable<absl::StatusOr<T>(const http::HttpResponse&)> parse,
    absl::AnyInvocable<void(absl::StatusOr<T>) &&> done) {
  return reader.Get(std::move(url), std::move(path), deadline,
                    [parse = std::move(parse), done = std::move(done)](
                        absl::StatusOr<http::HttpResponse> response) mutable {
                      if (!response.ok())
                        return std::move(done)(response.status());
                      std::move(done)(parse(*response));
                    });
}

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_ENDPOINT_CALL_H_
