// payment-service: wiring only.
//   payment-service            serve gRPC (default)
//   payment-service migrate    apply migrations (MIGRATION_DATABASE_URL)
//   payment-service reconcile  compare the ledger with the gateway (exit 1 on a difference)
#include <cstdio>
#include <cstdlib>

#include <grpcpp/grpcpp.h>

#include "clients/gateway.h"
#include "config.h"
#include "healthtech/grpc_server/channel.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/outbox/relay.h"
#include "healthtech/pg/migrate.h"
#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"
#include "service.h"

namespace healthtech::payment {
const std::vector<pg::Migration>& Migrations();
}

int main(int argc, char** argv) {
  using namespace healthtech;
  std::string command = argc > 1 ? argv[1] : "serve";
  if (command == "migrate")
    return pg::RunMigrateCommand("payment-service", "payment", payment::Migrations());
  if (command != "serve" && command != "reconcile") {
    std::fprintf(stderr, "usage: payment-service [serve|migrate|reconcile]\n");
    return 2;
  }
  grpc_server::PrepareProcess();
  payment::Config config = payment::Config::FromEnv();
  auto redis_url = redis::ParseUrl(config.redis_url);
  if (!redis_url.ok()) {
    std::fprintf(stderr, "payment-service: configuration error: REDIS_URL: %s\n",
                 std::string(redis_url.status().message()).c_str());
    return 2;
  }
  metrics::Registry registry;
  pg::Pool pool(config.database_url, config.db_pool_size, &registry, "payment-service");
  redis::Client redis(*redis_url);
  payment::RazorpayGateway gateway(config.gateway_base_url, config.gateway_key_id,
                                   config.gateway_key_secret, config.gateway_webhook_secret,
                                   config.gateway_checkout_url);
  auto iam = grpc_server::MakeChannel(config.iam_service_url);
  auto appointments = grpc_server::MakeChannel(config.appointment_service_url);
  auto orgs = grpc_server::MakeChannel(config.org_service_url);
  payment::PaymentService service(config, &pool, &gateway, iam, appointments, orgs);
  if (command == "reconcile") {
    int differences = service.Reconcile(stdout);
    return differences == 0 ? 0 : 1;
  }
  outbox::Relay relay(&pool, &redis, "payment", "payment-service");
  relay.Start();
  // Appointment events (cancellations → refunds), on a connection of its own.
  redis::Client consumer_redis(*redis_url);
  service.StartBackground(&consumer_redis);
  return grpc_server::RunServer(
      config.server, {&service}, registry, [&] { return pool.Ping(); },
      [&] {
        service.StopBackground();
        relay.Stop();
      });
}
