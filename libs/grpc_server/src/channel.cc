#include "healthtech/grpc_server/channel.h"

#include <string_view>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/client_interceptor.h>

#include "healthtech/trace/trace.h"
#include "rpc_name.h"

namespace healthtech::grpc_server {
namespace {

// A client span for each call made while a span is current (a request being served), and
// its traceparent in the call's metadata, so the callee's server span joins the trace.
// Calls made outside any trace (background sweeps) are not traced.
class TraceInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit TraceInterceptor(grpc::experimental::ClientRpcInfo* info) {
    auto [service, method] = SplitMethod(info->method() != nullptr ? info->method() : "");
    span_ = trace::Span(service + "/" + method, trace::Kind::kClient);
    span_.Set("rpc.system", "grpc");
    span_.Set("rpc.service", service);
    span_.Set("rpc.method", method);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      auto* md = methods->GetSendInitialMetadata();
      md->erase("traceparent");
      md->emplace("traceparent", trace::FormatTraceparent(span_.context()));
      if (!span_.context().trace_state.empty())
        md->emplace("tracestate", span_.context().trace_state);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
      const grpc::Status* status = methods->GetRecvStatus();
      if (status != nullptr) {
        span_.Set("rpc.grpc.status_code", static_cast<int>(status->error_code()));
        // A client span fails on any error code: the call did not do what was asked.
        if (!status->ok()) span_.Error(status->error_message());
      }
      span_.End();
    }
    methods->Proceed();
  }

 private:
  trace::Span span_;
};

class TraceInterceptorFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override {
    if (!trace::Current().valid()) return nullptr;
    return new TraceInterceptor(info);
  }
};

}  // namespace

void SetReconnectBackoff(grpc::ChannelArguments& args) {
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 400);
  // How long one connection attempt may take (gRPC's floor is 100 ms; default 20 s).
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 2000);
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target) {
  grpc::ChannelArguments args;
  SetReconnectBackoff(args);
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<TraceInterceptorFactory>());
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      target, grpc::InsecureChannelCredentials(), args, std::move(interceptors));
}

}  // namespace healthtech::grpc_server
