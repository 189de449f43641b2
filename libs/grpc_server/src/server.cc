#include "healthtech/grpc_server/server.h"

#include <pthread.h>
#include <csignal>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <absl/synchronization/mutex.h>
#include <grpcpp/client_context.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/server_interceptor.h>
#include <sodium.h>
#include <nlohmann/json.hpp>

#include "healthtech/log/log.h"
#include "healthtech/metrics/admin_server.h"
#include "healthtech/trace/trace.h"
#include "rpc_name.h"

namespace healthtech::grpc_server {
namespace {

const char* CodeName(grpc::StatusCode c) {
  switch (c) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

// The server span of each call in flight, by its ServerContext: the interceptor starts and
// ends it, RpcScope (on the handler's thread) makes it current for the handler's work.
class ServerSpans {
 public:
  void Put(const grpc::ServerContextBase* ctx, const trace::SpanContext& span) {
    std::lock_guard lock(mu_);
    spans_[ctx] = span;
  }
  trace::SpanContext Get(const grpc::ServerContextBase* ctx) {
    std::lock_guard lock(mu_);
    auto it = spans_.find(ctx);
    return it == spans_.end() ? trace::SpanContext{} : it->second;
  }
  void Drop(const grpc::ServerContextBase* ctx) {
    std::lock_guard lock(mu_);
    spans_.erase(ctx);
  }

 private:
  std::mutex mu_;
  std::unordered_map<const grpc::ServerContextBase*, trace::SpanContext> spans_;
};
ServerSpans& Spans() {
  static auto* spans = new ServerSpans;  // never destroyed: calls may outlive main's locals
  return *spans;
}

// Not traced: probes and tooling, which would bury the requests people follow.
bool Untraced(std::string_view method) {
  return method.rfind("/grpc.health.", 0) == 0 || method.rfind("/grpc.reflection.", 0) == 0;
}

// gRPC codes that mean the server failed (OpenTelemetry's rule for server spans).
bool ServerFault(grpc::StatusCode c) {
  return c == grpc::StatusCode::UNKNOWN || c == grpc::StatusCode::DEADLINE_EXCEEDED ||
         c == grpc::StatusCode::UNIMPLEMENTED || c == grpc::StatusCode::INTERNAL ||
         c == grpc::StatusCode::UNAVAILABLE || c == grpc::StatusCode::DATA_LOSS;
}

struct RpcMetrics {
  std::string service;
  metrics::Family<metrics::Counter>* requests;
  metrics::Family<metrics::Histogram>* duration;
};

// Counts and times every RPC, and logs its outcome (never its payload).
class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(grpc::experimental::ServerRpcInfo* info, RpcMetrics* m)
      : info_(info), m_(m), start_(std::chrono::steady_clock::now()) {}
  ~MetricsInterceptor() override {
    if (span_.context().valid()) Spans().Drop(info_->server_context());
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* md = methods->GetRecvInitialMetadata();
      if (md != nullptr) {
        auto it = md->find("x-request-id");
        if (it != md->end()) request_id_.assign(it->second.data(), it->second.size());
        std::optional<trace::SpanContext> parent;
        if (auto tp = md->find("traceparent"); tp != md->end()) {
          auto ts = md->find("tracestate");
          parent = trace::ParseTraceparent(
              std::string_view(tp->second.data(), tp->second.size()),
              ts == md->end() ? std::string_view()
                              : std::string_view(ts->second.data(), ts->second.size()));
        }
        std::string full = info_->method() ? info_->method() : "";
        if (!Untraced(full)) {
          auto [service, method] = SplitMethod(full);
          span_ = trace::Span(service + "/" + method, trace::Kind::kServer,
                              parent.value_or(trace::SpanContext{}));
          span_.Set("rpc.system", "grpc");
          span_.Set("rpc.service", service);
          span_.Set("rpc.method", method);
          Spans().Put(info_->server_context(), span_.context());
          trace_id_ = span_.context().TraceIdHex();
        } else if (parent) {
          trace_id_ = parent->TraceIdHex();
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      std::string full = info_->method() ? info_->method() : "";
      std::string method = full.substr(full.rfind('/') + 1);
      const char* code = CodeName(status.error_code());
      m_->requests->WithLabels({m_->service, method, code}).Inc();
      m_->duration->WithLabels({m_->service, method})
          .Observe(secs, span_.exported() ? std::string_view(trace_id_) : "");
      bool server_error = status.error_code() == grpc::StatusCode::INTERNAL ||
                          status.error_code() == grpc::StatusCode::UNKNOWN ||
                          status.error_code() == grpc::StatusCode::DATA_LOSS;
      span_.Set("rpc.grpc.status_code", static_cast<int>(status.error_code()));
      if (ServerFault(status.error_code())) span_.Error(code);
      Spans().Drop(info_->server_context());
      span_.End();
      if (server_error || log::Enabled(log::Level::kDebug)) {
        log::ScopedContext scope(request_id_, trace_id_,
                                 span_.context().valid() ? span_.context().SpanIdHex() : "");
        nlohmann::json f = {
            {"grpc_method", full}, {"grpc_code", code}, {"duration_ms", secs * 1000.0}};
        if (server_error) {
          f["error"] = status.error_message();
          log::Error("rpc_finished", f);
        } else {
          log::Debug("rpc_finished", f);
        }
      }
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  RpcMetrics* m_;
  std::chrono::steady_clock::time_point start_;
  std::string request_id_, trace_id_;
  trace::Span span_;
};

class MetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(RpcMetrics* m) : m_(m) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(info, m_);
  }

 private:
  RpcMetrics* m_;
};

}  // namespace

ServerOptions ServerOptions::FromEnv(config::EnvReader& env, std::string service_name) {
  ServerOptions o;
  o.service_name = std::move(service_name);
  o.bind_address = env.String("BIND_ADDRESS", "0.0.0.0");
  o.grpc_port = env.Int("GRPC_PORT", 50051, 1, 65535);
  int metrics_port = env.Int("METRICS_PORT", 9090, 1, 65535);
  o.admin_port = env.Int("ADMIN_PORT", metrics_port, 1, 65535);
  o.shutdown_grace_seconds = env.Int("SHUTDOWN_GRACE_SECONDS", 10, 0, 600);
  o.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  o.environment =
      env.OneOf("HEALTHTECH_ENV", "production", {"production", "staging", "development", "test"});
  trace::Configure(env, o.service_name);
  return o;
}

void PrepareProcess() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // Debian builds Abseil with mutex deadlock detection on: it records a stack trace
  // per lock in gRPC's hot paths. Production builds of gRPC turn it off; so do we.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

int RunServer(const ServerOptions& options, const std::vector<grpc::Service*>& services,
              metrics::Registry& registry, std::function<bool()> ready,
              std::function<void()> on_shutdown) {
  trace::ExposeMetrics(registry);
  RpcMetrics m;
  m.service = options.service_name;
  m.requests = &registry.AddCounter("grpc_requests_total", "gRPC requests handled",
                                    {"service", "method", "code"});
  m.duration = &registry.AddHistogram("grpc_request_duration_seconds",
                                      "gRPC request latency in seconds", {"service", "method"});

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  std::string addr = options.bind_address + ":" + std::to_string(options.grpc_port);
  int bound_port = 0;
  builder.AddListeningPort(addr, grpc::InsecureServerCredentials(), &bound_port);
  for (auto* s : services) builder.RegisterService(s);
  builder.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<MetricsInterceptorFactory>(&m));
  builder.experimental().SetInterceptorCreators(std::move(factories));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    log::Error("grpc_listen_failed", {{"address", addr}});
    return 1;
  }

  auto* health = server->GetHealthCheckService();
  auto set_health = [&](bool ok) { health->SetServingStatus(ok); };
  set_health(!ready || ready());

  std::unique_ptr<metrics::AdminServer> admin;
  try {
    admin = std::make_unique<metrics::AdminServer>(options.bind_address, options.admin_port,
                                                   &registry, ready);
  } catch (const std::exception& e) {
    log::Error("admin_listen_failed", {{"port", options.admin_port}, {"error", e.what()}});
    server->Shutdown();
    return 1;
  }
  log::Info("server_started", {{"grpc_address", addr}, {"admin_port", options.admin_port}});

  // Health follows readiness (e.g. the database) while we run.
  std::atomic<bool> stop{false};
  std::thread health_thread([&] {
    while (!stop) {
      for (int i = 0; i < 20 && !stop; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (!stop && ready) set_health(ready());
    }
  });

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  log::Info("shutdown_started",
            {{"signal", sig}, {"grace_seconds", options.shutdown_grace_seconds}});
  stop = true;
  health_thread.join();
  health->Shutdown();  // NOT_SERVING from now on; load balancers drain us
  server->Shutdown(std::chrono::system_clock::now() +
                   std::chrono::seconds(options.shutdown_grace_seconds));
  if (on_shutdown) on_shutdown();
  admin->Stop();
  trace::Shutdown();
  log::Info("shutdown_finished");
  return 0;
}

std::string Metadata(const grpc::ServerContext& ctx, const std::string& key) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(key);
  if (it == md.end()) return {};
  return std::string(it->second.data(), it->second.size());
}

RpcScope::RpcScope(const grpc::ServerContext& ctx) {
  request_id_ = Metadata(ctx, "x-request-id");
  client_ip_ = Metadata(ctx, "x-client-ip");
  log_scope_ = std::make_shared<log::ScopedContext>(request_id_, "");
  trace::SpanContext span = Spans().Get(&ctx);
  if (!span.valid()) {  // a call the interceptor does not trace: keep the caller's trace id
    if (auto parent = trace::ParseTraceparent(Metadata(ctx, "traceparent"))) span = *parent;
  }
  active_span_ = std::make_shared<trace::Activate>(span);
}

void PrepareInternalCall(grpc::ClientContext& ctx, const std::string& token,
                         const std::string& request_id, int timeout_seconds) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds));
  ctx.AddMetadata("x-internal-token", token);
  if (!request_id.empty()) ctx.AddMetadata("x-request-id", request_id);
}

absl::Status CheckInternalToken(const grpc::ServerContext& ctx, const std::string& expected) {
  std::string presented = Metadata(ctx, "x-internal-token");
  if (expected.empty() || presented.size() != expected.size() ||
      sodium_memcmp(presented.data(), expected.data(), presented.size()) != 0) {
    return status::PermissionDenied("FORBIDDEN", "This RPC is for platform services only.");
  }
  return absl::OkStatus();
}

}  // namespace healthtech::grpc_server
