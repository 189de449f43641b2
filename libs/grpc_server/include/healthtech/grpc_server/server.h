#pragma once
// Server bootstrap shared by every gRPC service: grpc.health.v1, reflection, an
// interceptor that counts and times every RPC (grpc_requests_total,
// grpc_request_duration_seconds) and logs it, the admin HTTP port, and graceful
// shutdown on SIGTERM/SIGINT.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server_context.h>

#include "healthtech/config/config.h"
#include "healthtech/log/log.h"
#include "healthtech/metrics/metrics.h"
#include "healthtech/status/status.h"

namespace grpc {
class ClientContext;
class Service;
}  // namespace grpc

namespace healthtech::grpc_server {

struct ServerOptions {
  std::string service_name;  // e.g. "iam-service"
  std::string bind_address = "0.0.0.0";
  int grpc_port = 50051;
  int admin_port = 9090;
  int shutdown_grace_seconds = 10;
  std::string log_level = "info";
  std::string environment = "production";

  // Reads BIND_ADDRESS, GRPC_PORT, ADMIN_PORT (alias METRICS_PORT),
  // SHUTDOWN_GRACE_SECONDS, LOG_LEVEL, HEALTHTECH_ENV.
  static ServerOptions FromEnv(config::EnvReader& env, std::string service_name);
};

// Call first in main(): blocks SIGTERM/SIGINT in every thread created later, so that
// RunServer can wait for them.
void PrepareProcess();

// Serves `services` until SIGTERM/SIGINT, then drains in-flight RPCs for up to
// shutdown_grace_seconds. `ready` feeds the health status and /readyz. Returns the
// process exit code.
int RunServer(const ServerOptions& options, const std::vector<grpc::Service*>& services,
              metrics::Registry& registry, std::function<bool()> ready = nullptr,
              std::function<void()> on_shutdown = nullptr);

// Reads x-request-id from the call and makes the call's server span current (trace::Current,
// and the trace and span ids of every log line) for the handler's scope.
class RpcScope {
 public:
  explicit RpcScope(const grpc::ServerContext& ctx);
  const std::string& request_id() const { return request_id_; }
  const std::string& client_ip() const { return client_ip_; }

 private:
  std::string request_id_, client_ip_;
  std::shared_ptr<void> log_scope_;
  std::shared_ptr<void> active_span_;
};

// Runs one RPC's body inside an RpcScope and answers with its status; an exception that
// escapes is logged and answered INTERNAL, never leaked to the caller.
template <class F>
grpc::Status Serve(grpc::ServerContext* ctx, F&& body) {
  RpcScope scope(*ctx);
  try {
    return status::ToGrpc(body(scope));
  } catch (const std::exception& e) {
    log::Error("unhandled_exception", {{"error", e.what()}});
    return status::ToGrpc(status::Internal("unexpected error"));
  }
}

// Value of a metadata key ("" if absent).
std::string Metadata(const grpc::ServerContext& ctx, const std::string& key);

// For RPCs only platform services may call: the x-internal-token metadata must equal
// `expected` (compared in constant time; an empty `expected` admits nobody).
absl::Status CheckInternalToken(const grpc::ServerContext& ctx, const std::string& expected);

// Sets up a call to another platform service: deadline, x-internal-token and, when known,
// the x-request-id of the request being served.
void PrepareInternalCall(grpc::ClientContext& ctx, const std::string& token,
                         const std::string& request_id = "", int timeout_seconds = 3);

}  // namespace healthtech::grpc_server
