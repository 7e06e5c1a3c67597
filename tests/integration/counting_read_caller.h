// A perch.v1.ReadService caller for the observability suites: each call
// carries an API key and, when given, a W3C traceparent, and the caller
// counts the calls it made, so a test can check that the access log and the
// metrics saw exactly that many. Header-only; tests only.
#ifndef PERCH_TESTS_INTEGRATION_COUNTING_READ_CALLER_H_
#define PERCH_TESTS_INTEGRATION_COUNTING_READ_CALLER_H_

#include <atomic>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "perch/v1/read_service.grpc.pb.h"
#include "tests/integration/security_test_util.h"

namespace perch::testing {

class CountingReadCaller {
 public:
  // `query` is what Search asks for.
  CountingReadCaller(std::shared_ptr<grpc::Channel> channel, std::string query)
      : stub_(v1::ReadService::NewStub(std::move(channel))),
        query_(std::move(query)) {}

  grpc::Status Timeline(absl::string_view key, int page_size = 0,
                        const std::string& traceparent = "") {
    auto context = Context(key, traceparent);
    v1::GetTimelineRequest request;
    request.set_screen_name("perch_dev");
    request.set_page_size(page_size);
    v1::GetTimelineResponse response;
    ++calls_;
    return stub_->GetTimeline(context.get(), request, &response);
  }

  grpc::Status Search(absl::string_view key,
                      const std::string& traceparent = "") {
    auto context = Context(key, traceparent);
    v1::SearchRequest request;
    request.set_query(query_);
    v1::SearchResponse response;
    ++calls_;
    return stub_->Search(context.get(), request, &response);
  }

  int calls() const { return calls_; }

 private:
  static std::unique_ptr<grpc::ClientContext> Context(
      absl::string_view key, const std::string& traceparent) {
    auto context = KeyedContext(key, absl::Seconds(30));
    if (!traceparent.empty()) context->AddMetadata("traceparent", traceparent);
    return context;
  }

  std::unique_ptr<v1::ReadService::Stub> stub_;
  const std::string query_;
  std::atomic<int> calls_{0};
};

}  // namespace perch::testing

#endif  // PERCH_TESTS_INTEGRATION_COUNTING_READ_CALLER_H_
