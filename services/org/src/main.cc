// org-service: wiring only.
//   org-service            serve gRPC (default)
//   org-service migrate    apply migrations (MIGRATION_DATABASE_URL)
#include <cstdio>
#include <cstdlib>

#include <grpcpp/grpcpp.h>

#include "config.h"
#include "healthtech/grpc_server/channel.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/outbox/relay.h"
#include "healthtech/pg/migrate.h"
#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"
#include "org_service.h"

namespace healthtech::org {
const std::vector<pg::Migration>& Migrations();
}

int main(int argc, char** argv) {
  using namespace healthtech;
  std::string command = argc > 1 ? argv[1] : "serve";
  if (command == "migrate") return pg::RunMigrateCommand("org-service", "org", org::Migrations());
  if (command != "serve") {
    std::fprintf(stderr, "usage: org-service [serve|migrate]\n");
    return 2;
  }
  grpc_server::PrepareProcess();
  org::Config config = org::Config::FromEnv();
  metrics::Registry registry;
  pg::Pool pool(config.database_url, config.db_pool_size, &registry, "org-service");
  auto redis_url = redis::ParseUrl(config.redis_url);
  if (!redis_url.ok()) {
    std::fprintf(stderr, "org-service: configuration error: REDIS_URL: %s\n",
                 std::string(redis_url.status().message()).c_str());
    return 2;
  }
  redis::Client redis(*redis_url);
  auto iam = grpc_server::MakeChannel(config.iam_service_url);
  std::shared_ptr<grpc::Channel> appointments;
  if (!config.appointment_service_url.empty()) {
    appointments = grpc_server::MakeChannel(config.appointment_service_url);
  }
  org::OrgServiceImpl service(config, &pool, iam, appointments);
  outbox::Relay relay(&pool, &redis, "org", "org-service");
  relay.Start();
  return grpc_server::RunServer(
      config.server, {&service}, registry, [&] { return pool.Ping(); }, [&] { relay.Stop(); });
}
