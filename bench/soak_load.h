// The soak's callers: each with its own API key and its own HTTP/2
// connection to perch-server, each running a few closed-loop workers that
// send a mix of all four reads (half of them identical across workers, so
// they coalesce; half distinct) and, for the admin caller, Obtain and an
// occasional Invalidate. Every call is recorded with its timing and code.
#ifndef PERCH_BENCH_SOAK_LOAD_H_
#define PERCH_BENCH_SOAK_LOAD_H_

#include <atomic>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bench/soak_check.h"
#include "perch/v1/read_service.grpc.pb.h"
#include "perch/v1/token_service.grpc.pb.h"

namespace perch::bench {

struct SoakCaller {
  std::string name;
  std::string api_key;  // never printed
  bool admin = false;   // may call Obtain and Invalidate
};

// One caller's connection and stubs. Thread-safe (gRPC stubs are).
class SoakClient {
 public:
  SoakClient(const std::string& target, SoakCaller caller);

  const SoakCaller& caller() const { return caller_; }

  // Sends one `rpc` (a read: identical to other callers' or, with
  // `distinct`, one of many) and waits for it. With a `deadline` the call
  // carries it; without, perch's `max_call_time` is its budget and the
  // client gives up only `hang_after` later (a hang, which the checker
  // reports as late).
  SoakCall Call(SoakRpc rpc, bool distinct, std::mt19937_64& rng,
                std::optional<absl::Duration> deadline,
                absl::Duration max_call_time, absl::Duration hang_after);

 private:
  const SoakCaller caller_;
  std::unique_ptr<v1::ReadService::Stub> reads_;
  std::unique_ptr<v1::TokenService::Stub> tokens_;
};

struct SoakLoadOptions {
  std::string target;  // host:port of perch-server
  std::vector<SoakCaller> callers;
  int workers_per_caller = 3;
  absl::Duration think = absl::Milliseconds(20);  // between a worker's calls
  absl::Duration deadline = absl::Seconds(2);
  double no_deadline_fraction = 0.2;  // calls sent without a deadline
  absl::Duration max_call_time = absl::Seconds(3);  // perch's --max_call_time
  absl::Duration hang_after = absl::Seconds(10);
  absl::Duration invalidate_every = absl::Seconds(15);  // admin caller only
  uint64_t seed = 1;
};

class SoakLoad {
 public:
  explicit SoakLoad(SoakLoadOptions options);
  ~SoakLoad();

  void Start();
  // Asks every worker to stop after its current call and joins them.
  void Stop();
  int64_t calls() const { return calls_.load(); }
  // Every call made, valid after Stop().
  std::vector<SoakCall> TakeCalls();

 private:
  void Work(SoakClient& client, uint64_t seed);

  const SoakLoadOptions options_;
  std::vector<std::unique_ptr<SoakClient>> clients_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> calls_{0};
  absl::Mutex mu_;
  std::vector<SoakCall> done_ ABSL_GUARDED_BY(mu_);
};

}  // namespace perch::bench

#endif  // PERCH_BENCH_SOAK_LOAD_H_
