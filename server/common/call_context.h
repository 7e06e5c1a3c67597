// One RPC as the layers below its handler see it: its trace context, and
// what it made perch do upstream (requests sent, whether it joined another
// call's request or was answered from the cache), which the access log and
// the call metrics report when it finishes.
//
// It travels implicitly: the handler makes it current on its thread while it
// starts the work, and the upstream reader keeps it for its asynchronous
// steps and makes it current again around the callbacks it runs, so a read
// made of several requests (a v2 name lookup, then the timeline) and the
// token requests made on its behalf all find it. Implicit because the read
// dialects' interface carries only a query and a deadline, while every
// upstream request passes through the reader or the token source.
#ifndef PERCH_SERVER_COMMON_CALL_CONTEXT_H_
#define PERCH_SERVER_COMMON_CALL_CONTEXT_H_

#include <atomic>
#include <memory>
#include <string>
#include <utility>

#include "server/common/trace_context.h"

namespace perch {

// Thread-safe; the trace is fixed at construction.
class CallContext {
 public:
  explicit CallContext(TraceContext trace) : trace_(std::move(trace)) {}

  const TraceContext& trace() const { return trace_; }

  // Counts one upstream request made for this call (a read, a retry, a token
  // request) and returns the traceparent it must carry.
  std::string NoteUpstreamRequest() {
    upstream_requests_.fetch_add(1, std::memory_order_relaxed);
    return trace_.Traceparent();
  }
  // The call joined an identical request in flight instead of making one.
  void MarkCoalesced() { coalesced_.store(true, std::memory_order_relaxed); }
  // The call was answered from perch's response cache.
  void MarkFromCache() { from_cache_.store(true, std::memory_order_relaxed); }

  int upstream_requests() const {
    return upstream_requests_.load(std::memory_order_relaxed);
  }
  bool coalesced() const { return coalesced_.load(std::memory_order_relaxed); }
  bool from_cache() const {
    return from_cache_.load(std::memory_order_relaxed);
  }

  // The call current on this thread; null outside any Scope.
  static const std::shared_ptr<CallContext>& Current();

  // Makes `context` (may be null: no call) current on this thread until
  // destroyed, then restores the one before. Scopes nest; create and destroy
  // them on the same thread.
  class Scope {
   public:
    explicit Scope(std::shared_ptr<CallContext> context);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    const std::shared_ptr<CallContext> context_;
    const std::shared_ptr<CallContext>* const previous_;
  };

 private:
  const TraceContext trace_;
  std::atomic<int> upstream_requests_{0};
  std::atomic<bool> coalesced_{false};
  std::atomic<bool> from_cache_{false};
};

}  // namespace perch

#endif  // PERCH_SERVER_COMMON_CALL_CONTEXT_H_
