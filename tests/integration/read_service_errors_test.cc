// ReadService failure paths end to end: every row of UPSTREAM.md's error
// table on every RPC (forced through the emulator's fault injection), server
// deadlines, and recovery from a token invalidated behind perch's back.
// Validation rules are covered by read_service_test.cc.
#include <functional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "tests/integration/perch_harness.h"

namespace perch::testing {
namespace {

using emulator::FaultRule;

// One ReadService RPC, called with a valid request.
struct Rpc {
  const char* name;
  // The upstream path prefix the RPC's requests go to.
  const char* path_prefix;
  std::function<grpc::Status(PerchHarness&, grpc::ClientContext*)> call;
};

std::vector<Rpc> AllRpcs() {
  return {
      {"GetTimeline", "/1.1/statuses/user_timeline.json",
       [](PerchHarness& h, grpc::ClientContext* c) {
         v1::GetTimelineRequest r;
         r.set_screen_name("perch_dev");
         v1::GetTimelineResponse out;
         return h.reads().GetTimeline(c, r, &out);
       }},
      {"Search", "/1.1/search/tweets.json",
       [](PerchHarness& h, grpc::ClientContext* c) {
         v1::SearchRequest r;
         r.set_query("perch");
         v1::SearchResponse out;
         return h.reads().Search(c, r, &out);
       }},
      {"GetFollowers", "/1.1/followers/",
       [](PerchHarness& h, grpc::ClientContext* c) {
         v1::GetFollowersRequest r;
         r.set_user_id("783214");
         v1::GetFollowersResponse out;
         return h.reads().GetFollowers(c, r, &out);
       }},
      {"GetList", "/1.1/lists/",
       [](PerchHarness& h, grpc::ClientContext* c) {
         v1::GetListRequest r;
         r.set_list_id("84839422");
         v1::GetListResponse out;
         return h.reads().GetList(c, r, &out);
       }},
  };
}

grpc::Status Call(const Rpc& rpc, PerchHarness& h,
                  absl::Duration timeout = absl::Seconds(10)) {
  auto context = ContextWithTimeout(timeout);
  return rpc.call(h, context.get());
}

struct Row {
  const char* name;
  int http_status;
  int upstream_code;  // 0: `body` instead of an error body
  const char* body;
  grpc::StatusCode code;
  const char* reason;
  int upstream_requests_per_path;  // attempts perch makes (retries included)
};

const Row kRows[] = {
    {"app_only_not_allowed", 403, 220, "", grpc::StatusCode::PERMISSION_DENIED,
     "APP_ONLY_NOT_ALLOWED", 1},
    {"protected_timeline", 401, 0,
     R"({"request":"/1.1/statuses/user_timeline.json","error":"Not authorized."})",
     grpc::StatusCode::PERMISSION_DENIED, "PROTECTED_RESOURCE", 1},
    {"protected_tweet", 403, 179, "", grpc::StatusCode::PERMISSION_DENIED,
     "PROTECTED_RESOURCE", 1},
    {"page_not_found", 404, 34, "", grpc::StatusCode::NOT_FOUND, "NOT_FOUND",
     1},
    {"user_not_found", 404, 50, "", grpc::StatusCode::NOT_FOUND, "NOT_FOUND",
     1},
    {"suspended", 403, 63, "", grpc::StatusCode::FAILED_PRECONDITION,
     "USER_SUSPENDED", 1},
    {"rate_limited", 429, 88, "", grpc::StatusCode::RESOURCE_EXHAUSTED,
     "RATE_LIMITED", 1},
    {"bad_authentication", 400, 215, "", grpc::StatusCode::INTERNAL,
     "UPSTREAM_REJECTED_REQUEST", 1},
    {"internal_error", 500, 131, "", grpc::StatusCode::UNAVAILABLE,
     "UPSTREAM_UNAVAILABLE", 3},
    {"over_capacity", 503, 130, "", grpc::StatusCode::UNAVAILABLE,
     "UPSTREAM_UNAVAILABLE", 3},
    {"bad_gateway", 502, 0, "<html>Bad Gateway</html>",
     grpc::StatusCode::UNAVAILABLE, "UPSTREAM_UNAVAILABLE", 3},
    {"gateway_timeout", 504, 0, "", grpc::StatusCode::UNAVAILABLE,
     "UPSTREAM_UNAVAILABLE", 3},
    {"token_rejected_twice", 401, 89, "", grpc::StatusCode::UNAUTHENTICATED,
     "BEARER_TOKEN_REJECTED", 2},
};

class ReadErrorTable : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(ReadErrorTable, UpstreamOutcomeMapsToCodeReasonAndMetadata) {
  const Rpc rpc = AllRpcs()[std::get<0>(GetParam())];
  const Row& row = kRows[std::get<1>(GetParam())];
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  v1::ObtainResponse token;
  auto context = ContextWithTimeout();
  ASSERT_TRUE(h->tokens().Obtain(context.get(), {}, &token).ok());
  h->emulator().ResetCounters();

  FaultRule rule;
  rule.path_prefix = rpc.path_prefix;
  rule.status = row.http_status;
  rule.error_code = row.upstream_code;
  rule.error_message = row.upstream_code ? "upstream says no" : "";
  rule.body = row.body;
  h->emulator().AddFault(rule);

  grpc::Status s = Call(rpc, *h);
  EXPECT_EQ(s.error_code(), row.code) << s.error_message();
  google::rpc::ErrorInfo info = OnlyErrorInfo(s);
  EXPECT_EQ(info.reason(), row.reason);
  EXPECT_EQ(info.domain(), "api.twitter.com");
  EXPECT_EQ(info.metadata().at("http_status"), absl::StrCat(row.http_status));
  if (row.upstream_code != 0) {
    EXPECT_EQ(info.metadata().at("upstream_code"),
              absl::StrCat(row.upstream_code));
    EXPECT_EQ(info.metadata().at("upstream_message"), "upstream says no");
  }
  if (row.code == grpc::StatusCode::RESOURCE_EXHAUSTED) {
    EXPECT_TRUE(RetryInfoOf(s).has_value());
    auto quota = QuotaFailureOf(s);
    ASSERT_TRUE(quota.has_value());
    EXPECT_TRUE(
        absl::StartsWith(quota->violations(0).subject(), rpc.path_prefix));
  }
  // Retries (5xx) and the one re-obtain (401/89) happen; nothing else does.
  int64_t requests = 0;
  std::string first_path;
  for (const auto& [path, count] : h->emulator().RequestCounts()) {
    if (absl::StartsWith(path, rpc.path_prefix)) {
      requests = std::max(requests, count);
    }
  }
  EXPECT_EQ(requests, row.upstream_requests_per_path);
  EXPECT_EQ(h->emulator().RequestCount("/oauth2/token"),
            row.http_status == 401 && row.upstream_code == 89 ? 1 : 0);
}

INSTANTIATE_TEST_SUITE_P(
    EveryRpcEveryRow, ReadErrorTable,
    ::testing::Combine(::testing::Range(0, 4),
                       ::testing::Range(0, static_cast<int>(std::size(kRows)))),
    [](const auto& info) {
      return absl::StrCat(AllRpcs()[std::get<0>(info.param)].name, "_",
                          kRows[std::get<1>(info.param)].name);
    });

class ReadFaults : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    h_ = PerchHarness::Start();
    ASSERT_NE(h_, nullptr);
    rpc_ = AllRpcs()[GetParam()];
  }
  FaultRule Rule() {
    FaultRule r;
    r.path_prefix = rpc_.path_prefix;
    return r;
  }
  std::unique_ptr<PerchHarness> h_;
  Rpc rpc_;
};

TEST_P(ReadFaults, OneServerErrorIsRetriedAway) {
  FaultRule r = Rule();
  r.status = 503;
  r.error_code = 130;
  r.error_message = "Over capacity";
  r.times = 1;
  h_->emulator().AddFault(r);
  grpc::Status s = Call(rpc_, *h_);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_P(ReadFaults, DroppedConnectionsAreUnavailable) {
  FaultRule r = Rule();
  r.drop_connection = true;
  h_->emulator().AddFault(r);
  grpc::Status s = Call(rpc_, *h_);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_EQ(OnlyErrorInfo(s).reason(), "UPSTREAM_UNAVAILABLE");
}

TEST_P(ReadFaults, MalformedBodyIsInternal) {
  FaultRule r = Rule();
  r.malformed_body = true;
  h_->emulator().AddFault(r);
  grpc::Status s = Call(rpc_, *h_);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INTERNAL) << s.error_message();
  EXPECT_EQ(OnlyErrorInfo(s).reason(), "UPSTREAM_MALFORMED_RESPONSE");
}

TEST_P(ReadFaults, UpstreamSlowerThanTheDeadlineIsDeadlineExceeded) {
  FaultRule r = Rule();
  r.latency = absl::Seconds(3);
  h_->emulator().AddFault(r);
  const absl::Time start = absl::Now();
  grpc::Status s = Call(rpc_, *h_, absl::Milliseconds(400));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST_P(ReadFaults, UpstreamDownIsUnavailable) {
  HarnessOptions options;
  options.upstream_url = "http://127.0.0.1:1";
  auto down = PerchHarness::Start(options);
  ASSERT_NE(down, nullptr);
  grpc::Status s = Call(rpc_, *down);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(OnlyErrorInfo(s).reason(), "UPSTREAM_UNAVAILABLE");
}

INSTANTIATE_TEST_SUITE_P(EveryRpc, ReadFaults, ::testing::Range(0, 4),
                         [](const auto& info) {
                           return std::string(AllRpcs()[info.param].name);
                         });

TEST(ReadRateLimit, RealWindowExhaustionCarriesRetryInfoUntilReset) {
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  h->emulator().SetRateLimit("/1.1/statuses/user_timeline.json", 1);
  const Rpc rpc = AllRpcs()[0];
  ASSERT_TRUE(Call(rpc, *h).ok());
  grpc::Status s = Call(rpc, *h);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  auto retry = RetryInfoOf(s);
  ASSERT_TRUE(retry.has_value());
  EXPECT_GT(retry->retry_delay().seconds(), 0);
  EXPECT_LE(retry->retry_delay().seconds(), 15 * 60);
  EXPECT_EQ(h->emulator().RequestCount("/1.1/statuses/user_timeline.json"), 2);
}

TEST(ReadTokenRecovery, InvalidatedBehindOurBackOneReobtainFor100Reads) {
  auto h = PerchHarness::Start();
  ASSERT_NE(h, nullptr);
  const Rpc rpc = AllRpcs()[0];
  ASSERT_TRUE(Call(rpc, *h).ok());
  ASSERT_EQ(h->emulator().RequestCount("/oauth2/token"), 1);
  h->emulator().RevokeCurrentToken();

  constexpr int kReads = 100;
  absl::Mutex mu;
  int done = 0, ok = 0;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<v1::GetTimelineResponse> responses(kReads);
  v1::GetTimelineRequest request;
  request.set_screen_name("perch_dev");
  // Distinct page sizes: distinct requests, so coalescing cannot hide
  // 100 separate 401/89s behind one upstream call.
  std::vector<v1::GetTimelineRequest> requests(kReads, request);
  for (int i = 0; i < kReads; ++i) {
    requests[i].set_page_size(i + 1);
    contexts.push_back(ContextWithTimeout(absl::Seconds(20)));
    h->reads().async()->GetTimeline(contexts.back().get(), &requests[i],
                                    &responses[i], [&](grpc::Status s) {
                                      absl::MutexLock lock(&mu);
                                      ++done;
                                      ok += s.ok();
                                    });
  }
  absl::MutexLock lock(&mu);
  ASSERT_TRUE(
      mu.AwaitWithTimeout(absl::Condition(
                              +[](int* d) { return *d == kReads; }, &done),
                          absl::Seconds(30)));
  EXPECT_EQ(ok, kReads);
  EXPECT_EQ(h->emulator().RequestCount("/oauth2/token"), 2);
  // Each distinct read went upstream, most of them twice (401, then retry).
  EXPECT_GE(h->emulator().RequestCount("/1.1/statuses/user_timeline.json"),
            1 + kReads);
}

TEST(ReadDeadline, ServerSideCallTimeBoundsAReadWithoutDeadline) {
  HarnessOptions options;
  options.server.max_call_time = absl::Milliseconds(400);
  auto h = PerchHarness::Start(options);
  ASSERT_NE(h, nullptr);
  emulator::FaultRule slow;
  slow.path_prefix = "/1.1/statuses/user_timeline.json";
  slow.latency = absl::Seconds(3);
  h->emulator().AddFault(slow);
  grpc::ClientContext no_deadline;
  v1::GetTimelineRequest request;
  request.set_screen_name("perch_dev");
  v1::GetTimelineResponse out;
  const absl::Time start = absl::Now();
  grpc::Status s = h->reads().GetTimeline(&no_deadline, request, &out);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  google::rpc::ErrorInfo info = OnlyErrorInfo(s);
  EXPECT_EQ(info.reason(), "DEADLINE_EXCEEDED");
  EXPECT_EQ(info.domain(), "perch.v1");
}

}  // namespace
}  // namespace perch::testing
