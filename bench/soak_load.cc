#include "bench/soak_load.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"

namespace perch::bench {
namespace {

using Rng = std::mt19937_64;

// Fixtures of the emulator's world (emulator/world.h) every seed has.
constexpr char kDev[] = "perch_dev";
constexpr char kPopular[] = "perch_popular";
constexpr char kClassicUserId[] = "783214";
constexpr char kClassicListId[] = "84839422";
constexpr char kEngineeringSlug[] = "engineering";

int64_t Pick(Rng& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
}

void Fill(v1::GetTimelineRequest& r, bool distinct, Rng& rng) {
  if (!distinct) {
    r.set_screen_name(kDev);
    r.set_page_size(20);
    return;
  }
  switch (rng() % 3) {
    case 0:
      r.set_user_id(kClassicUserId);
      r.set_since_id(absl::StrCat(Pick(rng, 1, 1000000)));
      break;
    case 1:
      r.set_screen_name(kPopular);
      r.set_page_size(static_cast<int>(Pick(rng, 5, 50)));
      break;
    default:
      r.set_screen_name(kDev);
      r.set_page_size(static_cast<int>(Pick(rng, 5, 100)));
      r.set_exclude_replies(true);
  }
}

void Fill(v1::SearchRequest& r, bool distinct, Rng& rng) {
  r.set_query("#perch");
  if (!distinct) {
    r.set_page_size(20);
    return;
  }
  r.set_since_id(absl::StrCat(Pick(rng, 1, 1000000)));
  if (rng() % 2 == 0) {
    r.set_page_size(static_cast<int>(Pick(rng, 10, 100)));
    r.set_result_type(v1::SearchRequest::RESULT_TYPE_RECENT);
  }
}

void Fill(v1::GetFollowersRequest& r, bool distinct, Rng& rng) {
  r.set_screen_name(kPopular);
  if (!distinct) {
    r.set_page_size(20);
    return;
  }
  if (rng() % 2 == 0) {
    r.set_ids_only(true);
    r.set_page_size(static_cast<int>(Pick(rng, 1, 1000)));
  } else {
    r.set_page_size(static_cast<int>(Pick(rng, 1, 200)));
  }
}

void Fill(v1::GetListRequest& r, bool distinct, Rng& rng) {
  if (!distinct) {
    r.set_list_id(kClassicListId);
    return;
  }
  if (rng() % 2 == 0) {
    r.mutable_slug()->set_owner_screen_name(kDev);
    r.mutable_slug()->set_slug(kEngineeringSlug);
    r.set_view(v1::GetListRequest::VIEW_MEMBERS);
  } else {
    r.set_list_id(kClassicListId);
  }
  r.set_page_size(static_cast<int>(Pick(rng, 1, 100)));
}

template <typename Request, typename Response, typename Stub, typename Method>
grpc::Status Send(Stub& stub, Method method, grpc::ClientContext& context,
                  bool distinct, Rng& rng) {
  Request request;
  Fill(request, distinct, rng);
  Response response;
  return (stub.*method)(&context, request, &response);
}

}  // namespace

SoakClient::SoakClient(const std::string& target, SoakCaller caller)
    : caller_(std::move(caller)) {
  grpc::ChannelArguments args;
  // A connection of its own, as a separate client process would have.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(
      target, grpc::InsecureChannelCredentials(), args);
  reads_ = v1::ReadService::NewStub(channel);
  tokens_ = v1::TokenService::NewStub(channel);
}

SoakCall SoakClient::Call(SoakRpc rpc, bool distinct, Rng& rng,
                          std::optional<absl::Duration> deadline,
                          absl::Duration max_call_time,
                          absl::Duration hang_after) {
  grpc::ClientContext context;
  context.AddMetadata("authorization",
                      absl::StrCat("Bearer ", caller_.api_key));
  SoakCall call;
  call.rpc = rpc;
  call.budget = deadline.value_or(max_call_time);
  call.start = absl::Now();
  context.set_deadline(absl::ToChronoTime(
      call.start +
      (deadline.has_value() ? *deadline : max_call_time + hang_after)));
  grpc::Status status;
  switch (rpc) {
    case SoakRpc::kGetTimeline:
      status = Send<v1::GetTimelineRequest, v1::GetTimelineResponse>(
          *reads_, &v1::ReadService::Stub::GetTimeline, context, distinct, rng);
      break;
    case SoakRpc::kSearch:
      status = Send<v1::SearchRequest, v1::SearchResponse>(
          *reads_, &v1::ReadService::Stub::Search, context, distinct, rng);
      break;
    case SoakRpc::kGetFollowers:
      status = Send<v1::GetFollowersRequest, v1::GetFollowersResponse>(
          *reads_, &v1::ReadService::Stub::GetFollowers, context, distinct,
          rng);
      break;
    case SoakRpc::kGetList:
      status = Send<v1::GetListRequest, v1::GetListResponse>(
          *reads_, &v1::ReadService::Stub::GetList, context, distinct, rng);
      break;
    case SoakRpc::kObtain: {
      v1::ObtainResponse response;
      status = tokens_->Obtain(&context, v1::ObtainRequest(), &response);
      break;
    }
    case SoakRpc::kInvalidate: {
      v1::InvalidateResponse response;
      status =
          tokens_->Invalidate(&context, v1::InvalidateRequest(), &response);
      break;
    }
  }
  call.end = absl::Now();
  call.code = status.error_code();
  if (!status.ok()) call.message = status.error_message().substr(0, 160);
  return call;
}

SoakLoad::SoakLoad(SoakLoadOptions options) : options_(std::move(options)) {
  for (const SoakCaller& caller : options_.callers) {
    clients_.push_back(std::make_unique<SoakClient>(options_.target, caller));
  }
}

SoakLoad::~SoakLoad() { Stop(); }

void SoakLoad::Start() {
  uint64_t seed = options_.seed;
  for (auto& client : clients_) {
    for (int w = 0; w < options_.workers_per_caller; ++w) {
      threads_.emplace_back(
          [this, c = client.get(), s = seed++] { Work(*c, s); });
    }
  }
}

void SoakLoad::Stop() {
  stop_ = true;
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

std::vector<SoakCall> SoakLoad::TakeCalls() {
  absl::MutexLock lock(&mu_);
  return std::move(done_);
}

void SoakLoad::Work(SoakClient& client, uint64_t seed) {
  Rng rng(seed);
  std::vector<SoakCall> calls;
  const bool admin = client.caller().admin;
  // Only the admin caller's first worker invalidates, one call at a time.
  absl::Time next_invalidate =
      admin && seed % static_cast<uint64_t>(options_.workers_per_caller) == 0
          ? absl::Now() + options_.invalidate_every
          : absl::InfiniteFuture();
  while (!stop_) {
    SoakRpc rpc;
    const int64_t roll = Pick(rng, 0, 99);
    if (absl::Now() >= next_invalidate) {
      rpc = SoakRpc::kInvalidate;
      next_invalidate = absl::Now() + options_.invalidate_every;
    } else if (admin && roll < 20) {
      rpc = SoakRpc::kObtain;
    } else {
      const int64_t read = Pick(rng, 0, 99);
      rpc = read < 35   ? SoakRpc::kGetTimeline
            : read < 60 ? SoakRpc::kSearch
            : read < 80 ? SoakRpc::kGetFollowers
                        : SoakRpc::kGetList;
    }
    const bool distinct = rng() % 2 == 0;
    std::optional<absl::Duration> deadline;
    if (Pick(rng, 0, 999) >= options_.no_deadline_fraction * 1000) {
      deadline = options_.deadline;
    }
    calls.push_back(client.Call(rpc, distinct, rng, deadline,
                                options_.max_call_time, options_.hang_after));
    ++calls_;
    // Jittered think time: workers do not march in step.
    absl::SleepFor(options_.think * (0.5 + Pick(rng, 0, 999) / 1000.0));
  }
  absl::MutexLock lock(&mu_);
  for (SoakCall& c : calls) done_.push_back(std::move(c));
}

}  // namespace perch::bench
