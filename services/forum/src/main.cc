// forum-service: the v1 contract (proto/healthtech/forum/v1) served with the platform's
// bootstrap (health, reflection, metrics, graceful shutdown). Its RPCs are not built yet
// and answer UNIMPLEMENTED (HTTP 501 through the BFF); see the open issue for this service.
#include "healthtech/forum/v1/forum_service.grpc.pb.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"

int main() {
  using namespace healthtech;
  grpc_server::PrepareProcess();
  config::EnvReader env("forum-service");
  auto options = grpc_server::ServerOptions::FromEnv(env, "forum-service");
  env.Finish();
  log::Init("forum-service", options.log_level);
  log::Info("config_loaded", env.redacted());
  metrics::Registry registry;
  forum::v1::ForumService::Service service;  // every RPC: UNIMPLEMENTED
  return grpc_server::RunServer(options, {&service}, registry);
}
