#include "server/service/read_service.h"

#include <utility>

namespace perch::service {
namespace {

// A read logs the page size it asked for.
struct ReadHooks : NoHooks {
  template <typename Request>
  void Parsed(ObservedCall& call, const Request& request) {
    call.set_page_size(request.page_size());
  }
};

// One read RPC: `operation` is the ReadOperations method it runs.
template <typename Request, typename Response>
grpc::ServerUnaryReactor* HandleRead(
    core::ReadOperations& operations, const HandlerEnv& env,
    core::ReadOperations::Handle (core::ReadOperations::*operation)(
        const Request&, absl::Time, core::ReadOperations::Done<Response>),
    security::Method method, grpc::CallbackServerContext* context,
    const grpc::ByteBuffer* in, grpc::ByteBuffer* out) {
  return HandleUnary<Request, Response>(
      context, env, method, in, out, ReadHooks{},
      [&operations, operation](const Request& request, absl::Time deadline,
                               core::ReadOperations::Done<Response> done) {
        return (operations.*operation)(request, deadline, std::move(done));
      });
}

}  // namespace

grpc::ServerUnaryReactor* ReadService::GetTimeline(Context* context,
                                                   const Bytes* in,
                                                   Bytes* out) {
  return HandleRead(operations_, env_, &core::ReadOperations::GetTimeline,
                    security::Method::kGetTimeline, context, in, out);
}

grpc::ServerUnaryReactor* ReadService::Search(Context* context,
                                              const Bytes* in, Bytes* out) {
  return HandleRead(operations_, env_, &core::ReadOperations::Search,
                    security::Method::kSearch, context, in, out);
}

grpc::ServerUnaryReactor* ReadService::GetFollowers(Context* context,
                                                    const Bytes* in,
                                                    Bytes* out) {
  return HandleRead(operations_, env_, &core::ReadOperations::GetFollowers,
                    security::Method::kGetFollowers, context, in, out);
}

grpc::ServerUnaryReactor* ReadService::GetList(Context* context,
                                               const Bytes* in, Bytes* out) {
  return HandleRead(operations_, env_, &core::ReadOperations::GetList,
                    security::Method::kGetList, context, in, out);
}

}  // namespace perch::service
