// iam-service: wiring only.
//   iam-service                 serve gRPC (default)
//   iam-service migrate         apply migrations (MIGRATION_DATABASE_URL)
//   iam-service rotate-key      create a new signing key, retire the others
//   iam-service grant-admin E   grant platform_admin to the account with email E
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/outbox/relay.h"
#include "healthtech/pg/migrate.h"
#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"
#include "key_store.h"
#include "service.h"
#include "storage/store.h"

namespace healthtech::iam {
const std::vector<pg::Migration>& Migrations();
}

int main(int argc, char** argv) {
  using namespace healthtech;
  std::string command = argc > 1 ? argv[1] : "serve";
  if (command == "migrate") return pg::RunMigrateCommand("iam-service", "iam", iam::Migrations());
  if (command != "serve" && command != "rotate-key" && command != "grant-admin") {
    std::fprintf(stderr, "usage: iam-service [serve|migrate|rotate-key|grant-admin EMAIL]\n");
    return 2;
  }
  grpc_server::PrepareProcess();
  iam::Config config = iam::Config::FromEnv();
  metrics::Registry registry;
  pg::Pool pool(config.database_url, config.db_pool_size, &registry, "iam-service");
  iam::storage::PrepareStatements(pool);
  auto redis_url = redis::ParseUrl(config.redis_url);
  if (!redis_url.ok()) {
    std::fprintf(stderr, "iam-service: configuration error: REDIS_URL: %s\n",
                 std::string(redis_url.status().message()).c_str());
    return 2;
  }
  redis::Client redis(*redis_url);
  iam::KeyStore keys(&pool, config.key_encryption_key);
  if (auto s = keys.Init(); !s.ok()) {
    log::Error("key_store_init_failed", {{"error", std::string(s.message())}});
    return 1;
  }
  if (command == "rotate-key") {
    auto kid = keys.Rotate();
    if (!kid.ok()) {
      std::fprintf(stderr, "iam-service: %s\n", std::string(kid.status().message()).c_str());
      return 1;
    }
    std::printf("new signing key: %s\n", kid->c_str());
    return 0;
  }
  iam::IamServiceImpl service(config, &pool, &redis, &keys);
  if (command == "grant-admin") {
    if (argc < 3) {
      std::fprintf(stderr, "usage: iam-service grant-admin EMAIL\n");
      return 2;
    }
    auto s = service.GrantAdminByEmail(argv[2]);
    if (!s.ok()) {
      std::fprintf(stderr, "iam-service: %s\n", std::string(s.message()).c_str());
      return 1;
    }
    std::printf("%s is now a platform admin (effective at their next sign-in or refresh)\n",
                argv[2]);
    return 0;
  }
  outbox::Relay relay(&pool, &redis, "iam", "iam-service");
  relay.Start();
  int rc = grpc_server::RunServer(
      config.server, {&service}, registry, [&] { return pool.Ping(); }, [&] { relay.Stop(); });
  return rc;
}
