// notification-service: the v1 contract (proto/healthtech/notification/v1) served with the
// platform's bootstrap (health, reflection, metrics, graceful shutdown). Its RPCs are not built yet
// and answer UNIMPLEMENTED (HTTP 501 through the BFF); see the open issue for this service.
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/notification/v1/notification_service.grpc.pb.h"

int main() {
  using namespace healthtech;
  grpc_server::PrepareProcess();
  config::EnvReader env("notification-service");
  auto options = grpc_server::ServerOptions::FromEnv(env, "notification-service");
  env.Finish();
  log::Init("notification-service", options.log_level);
  log::Info("config_loaded", env.redacted());
  metrics::Registry registry;
  notification::v1::NotificationService::Service service;  // every RPC: UNIMPLEMENTED
  return grpc_server::RunServer(options, {&service}, registry);
}
