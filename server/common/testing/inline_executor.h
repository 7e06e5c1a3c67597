// An Executor that runs each task on the calling thread, at once: unit tests
// see completion work happen inside the call that scheduled it. Test-side
// only; production code schedules on a ThreadPoolExecutor
// (server/common/executor.h).
#ifndef PERCH_SERVER_COMMON_TESTING_INLINE_EXECUTOR_H_
#define PERCH_SERVER_COMMON_TESTING_INLINE_EXECUTOR_H_

#include <utility>

#include "server/common/executor.h"

namespace perch::testing {

class InlineExecutor final : public Executor {
 public:
  void Schedule(Task task) override { std::move(task)(); }
};

}  // namespace perch::testing

#endif  // PERCH_SERVER_COMMON_TESTING_INLINE_EXECUTOR_H_
