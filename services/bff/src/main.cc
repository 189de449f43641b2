// bff-service: wiring only. REST/JSON on HTTP_PORT, /metrics on ADMIN_PORT.
#include <pthread.h>
#include <csignal>

#include "app.h"
#include "config.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/metrics/admin_server.h"
#include "healthtech/trace/trace.h"
#include "http_server.h"

int main() {
  using namespace healthtech;
  grpc_server::PrepareProcess();  // block SIGTERM/SIGINT in every thread; we sigwait below
  bff::Config config = bff::Config::FromEnv();
  metrics::Registry registry;
  trace::ExposeMetrics(registry);
  bff::App app(config, &registry);
  std::unique_ptr<bff::HttpServer> server;
  std::unique_ptr<metrics::AdminServer> admin;
  try {
    server = std::make_unique<bff::HttpServer>(&app, config.bind_address, config.http_port,
                                               config.threads);
    admin =
        std::make_unique<metrics::AdminServer>(config.bind_address, config.admin_port, &registry);
  } catch (const std::exception& e) {
    log::Error("listen_failed", {{"error", e.what()}});
    return 1;
  }
  server->Start();
  app.ws().Start();
  {
    // Fetch the JWKS once before serving traffic (best effort).
    bff::asio::io_context ioc;
    bff::asio::co_spawn(ioc, app.WarmUp(), bff::asio::detached);
    ioc.run();
  }
  log::Info("server_started", {{"http_port", server->port()},
                               {"admin_port", config.admin_port},
                               {"threads", config.threads},
                               {"services", config.services}});
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  log::Info("shutdown_started", {{"signal", sig}});
  app.ws().Stop();
  server->Shutdown(std::chrono::seconds(config.shutdown_grace_seconds));
  admin->Stop();
  trace::Shutdown();
  log::Info("shutdown_finished");
  return 0;
}
