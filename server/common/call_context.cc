#include "server/common/call_context.h"

namespace perch {
namespace {

// The innermost Scope's context on this thread; null outside any Scope.
thread_local const std::shared_ptr<CallContext>* current = nullptr;

}  // namespace

const std::shared_ptr<CallContext>& CallContext::Current() {
  static const std::shared_ptr<CallContext> none;
  return current != nullptr ? *current : none;
}

CallContext::Scope::Scope(std::shared_ptr<CallContext> context)
    : context_(std::move(context)), previous_(current) {
  current = &context_;
}

CallContext::Scope::~Scope() { current = previous_; }

}  // namespace perch
