// org-service: wiring only.
//   org-service            serve gRPC (default)
//   org-service migrate    apply migrations (MIGRATION_DATABASE_URL)
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <grpcpp/grpcpp.h>

#include <unistd.h>
#include "config.h"

#include "healthtech/events/consumer.h"
#include "healthtech/grpc_server/channel.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/outbox/relay.h"
#include "healthtech/pg/migrate.h"
#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"
#include "service.h"
#include "storage/store.h"

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
  org::storage::PrepareStatements(pool);
  org::OrgServiceImpl service(config, &pool, iam);
  outbox::Relay relay(&pool, &redis, "org", "org-service");
  relay.Start();
  // The appointment service's free days, for search by date (a connection of its own: a
  // consumer waits in XREADGROUP).
  redis::Client events_redis(*redis_url);
  events::ConsumerOptions options;
  options.group = "org-service";
  options.name = "org-" + std::to_string(::getpid());
  options.streams = {"healthtech:events:appointment"};
  options.types = {"appointment.free_days"};
  options.dead_letters = &registry.AddCounter(
      "org_events_dead_lettered_total",
      "Events acknowledged unhandled after repeated failures (see the log)", {"stream"});
  events::StreamConsumer free_days(
      &events_redis, options, [&](const std::vector<events::Event>& batch) {
        return pg::WithTransaction(pool, pg::Subject::System(), [&](pqxx::transaction_base& tx) {
          for (const auto& e : batch) org::storage::ApplyFreeDays(tx, e.payload);
          return absl::OkStatus();
        });
      });
  free_days.Start();
  // Search's read model holds each practitioner's next free day; every SWEEP_INTERVAL_MS
  // (30 s) the ones that time made stale are refreshed (searches ask the free days for them
  // meanwhile).
  std::atomic<bool> stopping = false;
  std::thread next_free_sweep([&] {
    while (!stopping) {
      int refreshed = 0;
      auto s = pg::WithTransaction(pool, pg::Subject::System(), [&](pqxx::transaction_base& tx) {
        refreshed = org::storage::RefreshStaleNextFree(tx, 1000);
        return absl::OkStatus();
      });
      if (!s.ok()) log::Warn("next_free_sweep_failed", {{"error", std::string(s.message())}});
      if (refreshed == 1000) continue;  // more are waiting
      for (int i = 0; i < config.sweep_interval_ms / 20 && !stopping; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  int code = grpc_server::RunServer(
      config.server, {&service}, registry, [&] { return pool.Ping(); },
      [&] {
        stopping = true;
        free_days.Stop();
        relay.Stop();
      });
  stopping = true;
  next_free_sweep.join();
  return code;
}
