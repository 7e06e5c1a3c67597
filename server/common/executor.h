// Where completion work runs. The transport's single I/O thread must only
// drive sockets; parsing, mapping and finishing RPCs happen on an executor
// so they use every core and never stall other upstream requests.
#ifndef PERCH_SERVER_COMMON_EXECUTOR_H_
#define PERCH_SERVER_COMMON_EXECUTOR_H_

#include <deque>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "server/common/mutex.h"

namespace perch {

// Thread-safe. Every scheduled task runs exactly once.
class Executor {
 public:
  using Task = absl::AnyInvocable<void() &&>;
  virtual ~Executor() = default;
  virtual void Schedule(Task task) = 0;
};

// A fixed pool of threads taking tasks in FIFO order. The destructor runs
// what is queued, then joins.
class ThreadPoolExecutor final : public Executor {
 public:
  explicit ThreadPoolExecutor(int threads);
  ~ThreadPoolExecutor() override;
  void Schedule(Task task) override;

 private:
  void Work();

  Mutex mu_;
  std::deque<Task> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_EXECUTOR_H_
