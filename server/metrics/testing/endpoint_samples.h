// Checks the samples of one upstream endpoint's series (perch_upstream_*) in
// a /metrics exposition, so a test lists metric, labels and value, and the
// way a line spells the endpoint label is written once. Test-side only.
#ifndef PERCH_SERVER_METRICS_TESTING_ENDPOINT_SAMPLES_H_
#define PERCH_SERVER_METRICS_TESTING_ENDPOINT_SAMPLES_H_

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace perch::metrics::testing {

// One sample: its metric name, the labels after `endpoint` ("" for none,
// else as exposed: `status_class="2xx"`) and its value as exposed.
struct EndpointSample {
  std::string name;
  std::string labels;
  std::string value;
};

// Success when `text` holds, for each sample, the whole line
// `name{endpoint="<endpoint>"[,labels]} value`; otherwise a failure naming
// every line missing, then the exposition.
inline ::testing::AssertionResult HasEndpointSamples(
    absl::string_view text, absl::string_view endpoint,
    const std::vector<EndpointSample>& samples) {
  std::string missing;
  for (const EndpointSample& s : samples) {
    const std::string line = absl::StrCat(s.name, "{endpoint=\"", endpoint,
                                          "\"", s.labels.empty() ? "" : ",",
                                          s.labels, "} ", s.value, "\n");
    if (!absl::StrContains(text, line)) absl::StrAppend(&missing, line);
  }
  if (missing.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "missing:\n"
                                       << missing << "in:\n"
                                       << text;
}

}  // namespace perch::metrics::testing

#endif  // PERCH_SERVER_METRICS_TESTING_ENDPOINT_SAMPLES_H_
