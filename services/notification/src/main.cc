// notification-service: wiring only.
//   notification-service            serve gRPC (default)
//   notification-service migrate    apply migrations (MIGRATION_DATABASE_URL)
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include "config.h"
#include "consumer/event_consumer.h"
#include "counters.h"
#include "delivery/worker.h"
#include "healthtech/events/consumer.h"
#include "healthtech/grpc_server/channel.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/pg/migrate.h"
#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"
#include "realtime.h"
#include "service.h"
#include "storage/store.h"

namespace healthtech::notification {
const std::vector<pg::Migration>& Migrations();
}

int main(int argc, char** argv) {
  using namespace healthtech;
  std::string command = argc > 1 ? argv[1] : "serve";
  if (command == "migrate")
    return pg::RunMigrateCommand("notification-service", "notification",
                                 notification::Migrations());
  curl_global_init(CURL_GLOBAL_DEFAULT);
  grpc_server::PrepareProcess();
  notification::Config config = notification::Config::FromEnv();
  auto redis_url = redis::ParseUrl(config.redis_url);
  if (!redis_url.ok()) {
    std::fprintf(stderr, "notification-service: configuration error: REDIS_URL: %s\n",
                 std::string(redis_url.status().message()).c_str());
    return 2;
  }
  metrics::Registry registry;
  pg::Pool pool(config.database_url, 8 + config.delivery_workers, &registry,
                "notification-service");
  redis::Client publisher(*redis_url);
  auto iam = grpc_server::MakeChannel(config.iam_service_url);
  auto counters = notification::Counters::Register(&registry);
  notification::Realtime realtime(&publisher);
  notification::storage::TimeZones zones;
  notification::NotificationService service(config, &pool, iam, &realtime, &zones);
  notification::delivery::Worker worker(
      config, &pool, notification::MakeSmtpChannel(config.smtp),
      config.sms.api_url.empty() ? nullptr : notification::MakeSmsChannel(config.sms), &counters);
  notification::consumer::EventConsumer events(config, &pool, iam, worker.sms_enabled(), &realtime,
                                               &zones, &counters);
  std::atomic<bool> stop{false};
  // EVENT_CONSUMERS consumers turn events into stored messages; DELIVERY_WORKERS threads send
  // them (each leases different rows), so a slow provider round trip does not serialize
  // every message behind it.
  auto guarded = [&](const char* what, const std::function<bool()>& step) {
    while (!stop) {
      bool idle = true;
      try {
        idle = step();
      } catch (const std::exception& e) {
        healthtech::log::Error("worker_exception", {{"worker", what}, {"error", e.what()}});
      }
      if (idle) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  // Each consumer has a Redis connection of its own (it waits in XREADGROUP).
  std::vector<std::unique_ptr<redis::Client>> consumer_redis;
  std::vector<std::unique_ptr<events::StreamConsumer>> consumers;
  for (int i = 0; i < config.event_consumers; ++i) {
    consumer_redis.push_back(std::make_unique<redis::Client>(*redis_url));
    consumers.push_back(std::make_unique<events::StreamConsumer>(
        consumer_redis.back().get(), events.Options(i, &counters),
        [&](const std::vector<events::Event>& batch) { return events.Handle(batch); }));
    consumers.back()->Start();
  }
  std::vector<std::thread> workers;
  for (int i = 0; i < config.delivery_workers; ++i) {
    workers.emplace_back([&] { guarded("delivery", [&] { return worker.DeliverOnce() == 0; }); });
  }
  return grpc_server::RunServer(
      config.server, {&service}, registry, [&] { return pool.Ping(); },
      [&] {
        stop = true;
        for (auto& c : consumers) c->Stop();
        for (auto& w : workers) w.join();
      });
}
