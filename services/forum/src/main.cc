// forum-service: wiring only.
//   forum-service            serve gRPC (default)
//   forum-service migrate    apply migrations (MIGRATION_DATABASE_URL)
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
#include "service.h"

namespace healthtech::forum {
const std::vector<pg::Migration>& Migrations();
}

int main(int argc, char** argv) {
  using namespace healthtech;
  std::string command = argc > 1 ? argv[1] : "serve";
  if (command == "migrate")
    return pg::RunMigrateCommand("forum-service", "forum", forum::Migrations());
  if (command != "serve") {
    std::fprintf(stderr, "usage: forum-service [serve|migrate]\n");
    return 2;
  }
  grpc_server::PrepareProcess();
  forum::Config config = forum::Config::FromEnv();
  metrics::Registry registry;
  pg::Pool pool(config.database_url, config.db_pool_size, &registry, "forum-service");
  auto redis_url = redis::ParseUrl(config.redis_url);
  if (!redis_url.ok()) {
    std::fprintf(stderr, "forum-service: configuration error: REDIS_URL: %s\n",
                 std::string(redis_url.status().message()).c_str());
    return 2;
  }
  redis::Client redis(*redis_url);
  auto iam = grpc_server::MakeChannel(config.iam_service_url);
  auto org = grpc_server::MakeChannel(config.org_service_url);
  auto appointment = grpc_server::MakeChannel(config.appointment_service_url);
  forum::ForumServiceImpl service(config, &pool, iam, org, appointment);
  outbox::Relay relay(&pool, &redis, "forum", "forum-service");
  relay.Start();
  return grpc_server::RunServer(
      config.server, {&service}, registry, [&] { return pool.Ping(); }, [&] { relay.Stop(); });
}
