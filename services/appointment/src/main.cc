// appointment-service: the v1 contract (proto/healthtech/appointment/v1) served with the platform's
// bootstrap (health, reflection, metrics, graceful shutdown). Its RPCs are not built yet
// and answer UNIMPLEMENTED (HTTP 501 through the BFF); see the open issue for this service.
#include "healthtech/appointment/v1/appointment_service.grpc.pb.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"

int main() {
  using namespace healthtech;
  grpc_server::PrepareProcess();
  config::EnvReader env("appointment-service");
  auto options = grpc_server::ServerOptions::FromEnv(env, "appointment-service");
  env.Finish();
  log::Init("appointment-service", options.log_level);
  log::Info("config_loaded", env.redacted());
  metrics::Registry registry;
  appointment::v1::AppointmentService::Service service;  // every RPC: UNIMPLEMENTED
  return grpc_server::RunServer(options, {&service}, registry);
}
