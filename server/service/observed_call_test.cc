#include "server/service/observed_call.h"

#include <string>
#include <vector>

#include "google/rpc/status.pb.h"
#include "grpcpp/server_context.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "server/service/call_observers.h"
#include "tests/testing/status_matchers.h"

namespace perch::service {
namespace {

using ::perch::testing::StatusIs;

class RecordingObserver final : public CallObserver {
 public:
  void OnCallDone(const CallRecord& record) override {
    records.push_back(record);
  }
  std::vector<CallRecord> records;
};

TEST(CallObservers, TellsEveryObserverAboutEveryCallInOrder) {
  RecordingObserver a, b;
  std::vector<std::string> order;
  struct Named final : CallObserver {
    Named(std::string n, std::vector<std::string>& o) : name(n), order(o) {}
    void OnCallDone(const CallRecord&) override { order.push_back(name); }
    std::string name;
    std::vector<std::string>& order;
  } first("first", order), second("second", order);
  CallObservers fan_out({&a, &first, &b, &second});
  CallRecord r;
  r.caller = "ops";
  fan_out.OnCallDone(r);
  fan_out.OnCallDone(r);
  ASSERT_EQ(a.records.size(), 2u);
  ASSERT_EQ(b.records.size(), 2u);
  EXPECT_EQ(b.records[1].caller, "ops");
  EXPECT_EQ(order,
            (std::vector<std::string>{"first", "second", "first", "second"}));
  CallObservers none;
  none.OnCallDone(r);  // No observer: nothing to do, nothing breaks.
}

// Without a traceparent a call starts its own trace; what the layers below
// report through its CallContext reaches the record, and the trace id the
// error's ErrorInfo.
TEST(ObservedCall, ReportsWhatTheCallDidAndPutsTheTraceIdInTheError) {
  grpc::ServerContext context;
  RecordingObserver observer;
  ObservedCall call(context, security::Method::kGetTimeline, observer);
  const std::string trace_id = call.context()->trace().trace_id;
  ASSERT_EQ(trace_id.size(), 32u);
  call.set_caller("reports");
  call.set_page_size(20);
  {
    const CallContext::Scope scope(call.context());
    CallContext::Current()->NoteUpstreamRequest();
    CallContext::Current()->NoteUpstreamRequest();
  }
  const grpc::Status status = call.Finish(
      MakeError(absl::StatusCode::kNotFound, "no such user", "USER_NOT_FOUND",
                kUpstreamDomain, {{"http_status", "404"}}));

  ASSERT_EQ(observer.records.size(), 1u);
  const CallRecord& r = observer.records[0];
  EXPECT_EQ(r.method, security::Method::kGetTimeline);
  EXPECT_EQ(r.caller, "reports");
  EXPECT_EQ(r.code, absl::StatusCode::kNotFound);
  EXPECT_EQ(r.reason, "USER_NOT_FOUND");
  EXPECT_EQ(r.upstream_requests, 2);
  EXPECT_FALSE(r.coalesced);
  EXPECT_FALSE(r.from_cache);
  EXPECT_EQ(r.page_size, 20);
  EXPECT_EQ(r.trace_id, trace_id);
  EXPECT_EQ(r.span_id, call.context()->trace().span_id);
  EXPECT_GE(r.duration, absl::ZeroDuration());

  EXPECT_THAT(status, StatusIs(grpc::StatusCode::NOT_FOUND));
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(status.error_details()));
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rich.details(0).UnpackTo(&info));
  EXPECT_EQ(info.metadata().at("trace_id"), trace_id);
}

// The code and reason recorded are the ones the caller gets: UNKNOWN is
// INTERNAL, and an error nobody explained gets its default reason.
TEST(ObservedCall, RecordsTheStatusAsTheCallerSeesIt) {
  grpc::ServerContext context;
  RecordingObserver observer;
  ObservedCall failed(context, security::Method::kSearch, observer);
  EXPECT_THAT(failed.Finish(absl::UnknownError("?")),
              StatusIs(grpc::StatusCode::INTERNAL));
  ObservedCall ok(context, security::Method::kObtain, observer);
  ok.set_from_cache(true);
  EXPECT_TRUE(ok.Finish(absl::OkStatus()).ok());
  ASSERT_EQ(observer.records.size(), 2u);
  EXPECT_EQ(observer.records[0].code, absl::StatusCode::kInternal);
  EXPECT_EQ(observer.records[0].reason, "INTERNAL");
  EXPECT_EQ(observer.records[1].code, absl::StatusCode::kOk);
  EXPECT_EQ(observer.records[1].reason, "");
  EXPECT_TRUE(observer.records[1].from_cache);
  EXPECT_NE(observer.records[0].trace_id, observer.records[1].trace_id);
}

}  // namespace
}  // namespace perch::service
